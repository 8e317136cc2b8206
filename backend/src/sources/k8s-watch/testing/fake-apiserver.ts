import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

// A loopback Kubernetes API server for tests and the benchmark: a real HTTP server that speaks
// list (with limit/continue) and watch (with resourceVersion, bookmarks, timeoutSeconds), and that
// fails on request the ways real ones do: 410 Gone for a compacted resourceVersion, a TCP reset in
// the middle of a watch, a connection accepted and never answered, a stream that goes silent.

/** What the next watch (or list) request of a resource does instead of behaving. */
export type Fault =
  | { kind: 'reset'; afterMs?: number } // send the replay, then destroy the socket (TCP reset)
  | { kind: 'hang' } // accept the request, never send a byte (not even headers)
  | { kind: 'silent' } // send headers, then nothing at all, forever
  | { kind: 'close' } // send the replay, then end the response cleanly
  | { kind: 'gone' } // 200 then an ERROR event with a 410 Status, as the API server does for a too-old resourceVersion
  | { kind: 'status'; code: number }; // answer with this HTTP status and a Status body

export interface RequestRecord {
  method: string;
  resource: string;
  namespace?: string;
  watch: boolean;
  query: Record<string, string>;
  authorization?: string;
}

interface HistoryEntry {
  rv: number;
  resource: string;
  namespace: string;
  line: string;
}

interface OpenWatch {
  resource: string;
  namespace?: string;
  res: http.ServerResponse;
  bookmarks: boolean;
}

export const FAKE_TOKEN = 'fake-apiserver-token';

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly objects = new Map<string, Map<string, string>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private rv = 1000;
  private compactedBelow = 0;
  /** Keep at most this many history entries (older ones are compacted away). */
  historyMax = 100_000;
  url = '';

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeApiServer> {
    const server = http.createServer();
    const fake = new FakeApiServer(server);
    server.on('request', (req, res) => fake.handle(req, res));
    server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as { port: number };
    fake.url = `http://127.0.0.1:${addr.port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.res.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig file pointing at this server (token auth, plain HTTP). */
  writeKubeconfig(dir: string): string {
    const file = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', `- name: fake`, `  cluster:`, `    server: ${this.url}`, `    insecure-skip-tls-verify: true`,
      'users:', `- name: fake`, `  user:`, `    token: ${FAKE_TOKEN}`,
      'contexts:', `- name: fake`, `  context:`, `    cluster: fake`, `    user: fake`,
      'current-context: fake', '',
    ].join('\n'));
    return file;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Adds (or replaces) an object; fills uid, resourceVersion and creationTimestamp when missing. Returns what is stored. */
  add(resource: string, obj: Record<string, unknown>, opts: { silent?: boolean } = {}): Record<string, unknown> {
    const meta = (obj.metadata ??= {}) as Record<string, unknown>;
    meta.uid ??= randomUUID();
    meta.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const existed = this.get(resource, meta.namespace as string | undefined, meta.name as string) !== undefined;
    return this.put(resource, obj, existed ? 'MODIFIED' : 'ADDED', opts.silent);
  }

  /** Changes an object through `fn` (which edits it in place) and records a MODIFIED event. */
  modify(resource: string, namespace: string | undefined, name: string, fn: (o: Record<string, unknown>) => void): Record<string, unknown> {
    const cur = this.get(resource, namespace, name);
    if (!cur) throw new Error(`fake apiserver: no ${resource} ${namespace ?? ''}/${name}`);
    fn(cur);
    return this.put(resource, cur, 'MODIFIED');
  }

  /** Deletes an object; `silent` drops it without a watch event (as if it happened during a compacted gap). */
  remove(resource: string, namespace: string | undefined, name: string, opts: { silent?: boolean } = {}): void {
    const map = this.objects.get(resource);
    const key = `${namespace ?? ''}/${name}`;
    const text = map?.get(key);
    if (!text) throw new Error(`fake apiserver: no ${resource} ${key}`);
    map!.delete(key);
    const obj = JSON.parse(text) as Record<string, unknown>;
    const meta = obj.metadata as Record<string, unknown>;
    this.rv += 1;
    meta.resourceVersion = String(this.rv);
    meta.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (!opts.silent) this.record(resource, namespace ?? '', JSON.stringify({ type: 'DELETED', object: obj }));
  }

  get(resource: string, namespace: string | undefined, name: string): Record<string, unknown> | undefined {
    const text = this.objects.get(resource)?.get(`${namespace ?? ''}/${name}`);
    return text ? JSON.parse(text) as Record<string, unknown> : undefined;
  }

  count(resource: string): number {
    return this.objects.get(resource)?.size ?? 0;
  }

  /** Forgets all history: any resourceVersion older than now gets 410 Gone. */
  compact(): void {
    this.compactedBelow = this.rv;
    this.history.length = 0;
  }

  /** Queues a fault for the next watch (or list) request of a resource. */
  failNext(resource: string, fault: Fault, on: 'watch' | 'list' = 'watch'): void {
    const key = `${on}:${resource}`;
    const q = this.faults.get(key) ?? [];
    q.push(fault);
    this.faults.set(key, q);
  }

  /** Sends a BOOKMARK with the current resourceVersion to the open watches of a resource that asked for bookmarks. */
  bookmark(resource: string): number {
    this.rv += 1; // as on a real server, other resources' writes move the global resourceVersion on
    const line = JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: String(this.rv), annotations: { 'k8s.io/initial-events-end': 'false' } } } });
    let n = 0;
    for (const w of this.watches) {
      if (w.resource === resource && w.bookmarks) {
        w.res.write(`${line}\n`);
        n += 1;
      }
    }
    return n;
  }

  /** Writes a raw line (anything, even not JSON) to the open watches of a resource. */
  writeRaw(resource: string, line: string): void {
    for (const w of this.watches) if (w.resource === resource) w.res.write(`${line}\n`);
  }

  /** Ends the open watches of a resource cleanly (as the server does when timeoutSeconds is reached). */
  endWatches(resource: string): void {
    for (const w of this.watches) if (w.resource === resource) w.res.end();
  }

  openWatches(resource?: string): number {
    let n = 0;
    for (const w of this.watches) if (!resource || w.resource === resource) n += 1;
    return n;
  }

  watchRequests(resource: string): RequestRecord[] {
    return this.requests.filter((r) => r.resource === resource && r.watch);
  }

  listRequests(resource: string): RequestRecord[] {
    return this.requests.filter((r) => r.resource === resource && !r.watch);
  }

  private put(resource: string, obj: Record<string, unknown>, type: 'ADDED' | 'MODIFIED', silent = false): Record<string, unknown> {
    const meta = obj.metadata as Record<string, unknown>;
    this.rv += 1;
    meta.resourceVersion = String(this.rv);
    const ns = (meta.namespace as string | undefined) ?? '';
    let map = this.objects.get(resource);
    if (!map) this.objects.set(resource, (map = new Map()));
    const text = JSON.stringify(obj);
    map.set(`${ns}/${String(meta.name)}`, text);
    if (!silent) this.record(resource, ns, `{"type":"${type}","object":${text}}`);
    return obj;
  }

  private record(resource: string, namespace: string, line: string): void {
    this.history.push({ rv: this.rv, resource, namespace, line });
    if (this.history.length > this.historyMax) {
      const dropped = this.history.splice(0, this.history.length - this.historyMax);
      this.compactedBelow = Math.max(this.compactedBelow, dropped[dropped.length - 1]!.rv);
    }
    for (const w of this.watches) {
      if (w.resource === resource && (!w.namespace || w.namespace === namespace)) w.res.write(`${line}\n`);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === 'true' || query.watch === '1';
    const record: RequestRecord = { method: req.method ?? 'GET', resource: m?.[2] ?? url.pathname, watch, query };
    if (m?.[1]) record.namespace = decodeURIComponent(m[1]);
    if (req.headers.authorization) record.authorization = req.headers.authorization;
    this.requests.push(record);
    if (this.requests.length > 10_000) this.requests.splice(0, 5_000);
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) return status(res, 401, 'Unauthorized');
    if (!m || req.method !== 'GET') return status(res, 404, `the server could not find the requested resource (${url.pathname})`);
    const resource = m[2]!;
    const fault = this.faults.get(`${watch ? 'watch' : 'list'}:${resource}`)?.shift();
    if (fault?.kind === 'status') return status(res, fault.code, `injected ${fault.code}`);
    if (fault?.kind === 'hang') return; // the socket stays open until close()
    if (watch) this.serveWatch(resource, record.namespace, query, res, fault);
    else this.serveList(resource, record.namespace, query, res);
  }

  private serveList(resource: string, namespace: string | undefined, query: Record<string, string>, res: http.ServerResponse): void {
    const all = [...(this.objects.get(resource) ?? new Map<string, string>()).entries()]
      .filter(([k]) => !namespace || k.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let offset = 0;
    let rv = this.rv;
    if (query.continue) {
      const [o, r] = Buffer.from(query.continue, 'base64url').toString().split(':').map(Number);
      if (r! < this.compactedBelow) return status(res, 410, 'The provided continue parameter is too old to display a consistent list result.', 'Expired');
      offset = o!;
      rv = r!;
    }
    const limit = query.limit ? Number(query.limit) : all.length;
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(`${offset + limit}:${rv}`).toString('base64url') : undefined;
    const meta = JSON.stringify({ resourceVersion: String(rv), ...(next ? { continue: next } : {}) });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"kind":"List","apiVersion":"v1","metadata":${meta},"items":[${page.map(([, t]) => t).join(',')}]}`);
  }

  private serveWatch(resource: string, namespace: string | undefined, query: Record<string, string>, res: http.ServerResponse, fault: Fault | undefined): void {
    const from = Number(query.resourceVersion ?? '0');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'gone' || (from > 0 && from < this.compactedBelow)) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${from} (${this.compactedBelow})`, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    for (const h of this.history) {
      if (h.rv > from && h.resource === resource && (!namespace || h.namespace === namespace)) res.write(`${h.line}\n`);
    }
    if (fault?.kind === 'close') return void res.end();
    if (fault?.kind === 'reset') {
      setTimeout(() => res.socket?.destroy(), fault.afterMs ?? 20);
      return;
    }
    const w: OpenWatch = { resource, res, bookmarks: query.allowWatchBookmarks === 'true', ...(namespace ? { namespace } : {}) };
    this.watches.add(w);
    const timeout = Number(query.timeoutSeconds ?? '0');
    const t = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(t);
      this.watches.delete(w);
    });
  }
}

function status(res: http.ServerResponse, code: number, message: string, reason = http.STATUS_CODES[code] ?? 'Error'): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reason.replace(/\s/g, ''), code }));
}
