import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/**
 * A loopback Loki for tests: implements the JSON push contract of `POST /loki/api/v1/push` the
 * way Loki does (Content-Type required, gzip/deflate bodies, strict shape, 400 with a message on a
 * malformed body, 204 on success, exact duplicates dropped), records every entry with its stream
 * labels, and can be switched to fail in the ways a real Loki fails.
 */

export interface ReceivedEntry {
  labels: Record<string, string>;
  /** Unix nanoseconds as sent. */
  ts: string;
  line: string;
  /** Structured metadata (third element of a value), when sent. */
  metadata?: Record<string, string>;
}

export interface ReceivedRequest {
  status: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  headers: http.IncomingHttpHeaders;
  /** Body bytes as received (compressed) and after decompression. */
  wireBytes: number;
  bodyBytes: number;
  /** Entries in the push (duplicates included); 0 when it was refused. */
  entries: number;
  streams: number;
  error?: string;
}

export type ReceiverMode =
  /** Normal operation. */
  | { kind: 'ok' }
  /** Answer the next `count` pushes (default: all) with `status`, optional Retry-After and body, without recording them. */
  | { kind: 'status'; status: number; count?: number; retryAfter?: string; body?: string }
  /** Accept connections but never answer. With `record`, the entries are recorded before hanging (lost ack). */
  | { kind: 'hang'; record?: boolean }
  /** Listener closed and open connections reset: clients get ECONNREFUSED. */
  | { kind: 'down' };

export interface ReceiverOptions {
  /** Accept structured metadata (Loki 3). False behaves like Loki 2: 400 on a 3-element value. */
  structuredMetadata?: boolean;
  /**
   * Keep every entry (default). False only counts entries, for benchmarks: the body is still
   * decompressed, parsed and validated, but nothing is kept and duplicates are not looked for.
   */
  record?: boolean;
  /** Serve HTTPS with this PEM key and certificate; with `ca`, require a client certificate signed by it. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
}

export interface LokiReceiver {
  readonly url: string;
  readonly port: number;
  /** Unique entries received, in arrival order. */
  entries(): ReceivedEntry[];
  /** Count of unique entries (also in `record: false` mode). */
  count(): number;
  /** Entries that arrived again (same stream, timestamp and line): Loki drops them silently. */
  duplicates(): ReceivedEntry[];
  duplicateCount(): number;
  requests(): ReceivedRequest[];
  setMode(mode: ReceiverMode): Promise<void>;
  mode(): ReceiverMode;
  /** Resolves when at least `n` unique entries arrived; rejects after `timeoutMs`. */
  waitForEntries(n: number, timeoutMs?: number): Promise<void>;
  /** Forgets everything received (entries, duplicates, requests). */
  reset(): void;
  close(): Promise<void>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PUSH_PATH = '/loki/api/v1/push';

class BadRequest extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringMap(v: unknown, what: string, names: boolean): Record<string, string> {
  if (!isObject(v)) throw new BadRequest(`${what}: expected an object`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (names && !LABEL_NAME.test(k)) throw new BadRequest(`${what}: invalid label name "${k}"`);
    if (typeof val !== 'string') throw new BadRequest(`${what}: value of "${k}" is not a string`);
    out[k] = val;
  }
  return out;
}

/** Validates a push body like Loki's JSON decoder plus its validation step. */
export function parsePush(body: unknown, opts: { structuredMetadata: boolean }): ReceivedEntry[][] {
  if (!isObject(body)) throw new BadRequest('push body: expected an object');
  for (const k of Object.keys(body)) if (k !== 'streams') throw new BadRequest(`push body: unknown field "${k}"`);
  if (!Array.isArray(body.streams)) throw new BadRequest('push body: "streams" must be an array');
  return body.streams.map((s: unknown, i: number) => {
    if (!isObject(s)) throw new BadRequest(`streams[${i}]: expected an object`);
    for (const k of Object.keys(s)) if (k !== 'stream' && k !== 'values') throw new BadRequest(`streams[${i}]: unknown field "${k}"`);
    const labels = stringMap(s.stream, `streams[${i}].stream`, true);
    if (Object.keys(labels).length === 0) throw new BadRequest('error at least one label pair is required per stream');
    for (const [k, v] of Object.entries(labels)) {
      if (v === '') throw new BadRequest(`streams[${i}].stream: empty value for "${k}"`);
      if (k.startsWith('__')) throw new BadRequest(`streams[${i}].stream: reserved label name "${k}"`);
    }
    if (!Array.isArray(s.values)) throw new BadRequest(`streams[${i}].values: expected an array`);
    return s.values.map((v: unknown, j: number): ReceivedEntry => {
      const where = `streams[${i}].values[${j}]`;
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) throw new BadRequest(`${where}: expected [timestamp, line] or [timestamp, line, metadata]`);
      const [ts, line, meta] = v as unknown[];
      if (typeof ts !== 'string' || !/^\d{1,19}$/.test(ts)) throw new BadRequest(`${where}: timestamp must be a string of unix nanoseconds, got ${JSON.stringify(ts)}`);
      if (typeof line !== 'string') throw new BadRequest(`${where}: line must be a string`);
      const entry: ReceivedEntry = { labels, ts, line };
      if (v.length === 3) {
        if (!opts.structuredMetadata) throw new BadRequest(`${where}: structured metadata is not supported (Loki < 3.0)`);
        entry.metadata = stringMap(meta, `${where}[2]`, true);
      }
      return entry;
    });
  });
}

function canonicalLabels(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

export async function startLokiReceiver(opts: ReceiverOptions = {}): Promise<LokiReceiver> {
  const structuredMetadata = opts.structuredMetadata ?? true;
  const record = opts.record ?? true;
  let mode: ReceiverMode = { kind: 'ok' };
  let statusLeft = Infinity;
  let unique: ReceivedEntry[] = [];
  let uniqueCount = 0;
  let dups: ReceivedEntry[] = [];
  let dupCount = 0;
  let requests: ReceivedRequest[] = [];
  let seen = new Set<string>();
  const hung = new Set<http.ServerResponse>();
  const waiters = new Map<() => void, NodeJS.Timeout>();

  const storeEntries = (streams: ReceivedEntry[][]) => {
    if (!record) {
      for (const stream of streams) uniqueCount += stream.length;
      for (const w of [...waiters.keys()]) w();
      return;
    }
    for (const stream of streams) {
      if (stream.length === 0) continue;
      const key = canonicalLabels(stream[0]!.labels);
      for (const e of stream) {
        const id = `${key}\u0000${e.ts}\u0000${e.line}`;
        if (seen.has(id)) {
          dupCount++;
          dups.push(e);
        } else {
          seen.add(id);
          uniqueCount++;
          unique.push(e);
        }
      }
    }
    for (const w of [...waiters.keys()]) w();
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    const info: ReceivedRequest = {
      status: 0,
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      headers: req.headers,
      wireBytes: raw.length,
      bodyBytes: 0,
      entries: 0,
      streams: 0,
    };
    if (record) requests.push(info);
    const reply = (status: number, text = '', headers: Record<string, string> = {}) => {
      info.status = status;
      if (status >= 400) info.error = text;
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(status === 204 ? undefined : `${text}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== PUSH_PATH) return reply(404, '404 page not found');
    if (req.method !== 'POST') return reply(405, 'method not allowed');

    if (mode.kind === 'status' && statusLeft > 0) {
      const m = mode;
      if (--statusLeft <= 0) mode = { kind: 'ok' };
      return reply(m.status, m.body ?? `injected ${m.status}`, m.retryAfter !== undefined ? { 'Retry-After': m.retryAfter } : {});
    }
    if (mode.kind === 'hang' && !mode.record) {
      hung.add(res);
      return;
    }

    let streams: ReceivedEntry[][];
    try {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === '') throw new BadRequest('missing Content-Type header');
      if (type !== 'application/json') throw new BadRequest(`unsupported Content-Type "${type}" (this receiver speaks JSON only)`);
      const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
      let body: Buffer;
      try {
        if (encoding === 'gzip') body = zlib.gunzipSync(raw);
        else if (encoding === 'deflate') body = zlib.inflateSync(raw);
        else if (encoding === '' || encoding === 'identity') body = raw;
        else return reply(415, `unsupported Content-Encoding "${encoding}"`);
      } catch (err) {
        throw new BadRequest(`cannot decompress body: ${(err as Error).message}`);
      }
      info.bodyBytes = body.length;
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new BadRequest(`malformed JSON: ${(err as Error).message}`);
      }
      streams = parsePush(json, { structuredMetadata });
    } catch (err) {
      if (err instanceof BadRequest) return reply(400, err.message);
      throw err;
    }
    info.streams = streams.length;
    info.entries = streams.reduce((n, s) => n + s.length, 0);
    storeEntries(streams);
    if (mode.kind === 'hang') {
      hung.add(res);
      return;
    }
    reply(204);
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: opts.tls.ca !== undefined, rejectUnauthorized: opts.tls.ca !== undefined }, onRequest)
    : http.createServer(onRequest);
  server.keepAliveTimeout = 5000;

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      for (const r of hung) r.destroy();
      hung.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(0);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    entries: () => [...unique],
    count: () => uniqueCount,
    duplicates: () => [...dups],
    duplicateCount: () => dupCount,
    requests: () => [...requests],
    mode: () => mode,
    async setMode(next) {
      const wasDown = mode.kind === 'down';
      if (mode.kind === 'hang' && next.kind !== 'hang') {
        for (const r of hung) r.destroy();
        hung.clear();
      }
      mode = next;
      statusLeft = next.kind === 'status' ? (next.count ?? Infinity) : Infinity;
      if (next.kind === 'down' && !wasDown) await unlisten();
      if (next.kind !== 'down' && wasDown) await listen(port);
    },
    waitForEntries(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (uniqueCount >= n) {
            clearTimeout(waiters.get(check));
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for ${n} entries, have ${uniqueCount}`));
        }, timeoutMs);
        waiters.set(check, timer);
        check();
      });
    },
    reset() {
      unique = [];
      uniqueCount = 0;
      dups = [];
      dupCount = 0;
      requests = [];
      seen = new Set();
    },
    async close() {
      for (const [w, timer] of waiters) {
        clearTimeout(timer);
        waiters.delete(w);
      }
      await unlisten();
    },
  };
}
