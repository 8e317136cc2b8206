import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

// The two calls the watch source makes: a paginated list and a watch. Authentication, TLS and
// proxies come from the KubeConfig; the watch stream is @kubernetes/client-node's Watch, given a
// fresh agent per request so that our watchdog can tear down a hung request (see watch()).

/** The API server no longer has the resourceVersion asked for (HTTP 410, or a watch ERROR 410). */
export class GoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoneError';
  }
}

export class ApiError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continue?: string;
}

/** How a watch request ended. */
export type WatchEnd =
  | { kind: 'closed' } // the server ended it (timeoutSeconds reached, or it went away cleanly)
  | { kind: 'gone'; message: string } // resourceVersion too old: relist
  | { kind: 'stale' } // nothing received for staleAfterMs: torn down by the watchdog
  | { kind: 'stopped' } // the source is stopping
  | { kind: 'error'; error: Error };

export interface WatchRequest {
  path: string;
  resourceVersion: string;
  timeoutSeconds: number;
  staleAfterMs: number;
  signal: AbortSignal;
  /** Called once the server answered 200 and the stream is open. */
  onOpen: () => void;
  /** One decoded line. Must not throw (the library swallows callback errors). */
  onEvent: (type: unknown, object: unknown) => void;
}

export interface KubeApi {
  readonly server: string;
  list(path: string, query: { limit: number; continue?: string }, signal: AbortSignal): Promise<ListPage>;
  watch(req: WatchRequest): Promise<WatchEnd>;
}

/** Largest list page body accepted; a page of 500 large pods is ~5 MB. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
const LIST_TIMEOUT_MS = 60_000;

export async function createKubeApi(kc: KubeConfig): Promise<KubeApi> {
  const { Watch } = await import('@kubernetes/client-node');
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubernetes connection: no current cluster');
  const server = cluster.server.replace(/\/+$/, '');

  return {
    server,

    async list(path, query, signal) {
      const url = new URL(server + path);
      url.searchParams.set('limit', String(query.limit));
      if (query.continue) url.searchParams.set('continue', query.continue);
      const opts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      const agent = opts.agent as http.Agent | undefined;
      try {
        const { status, body } = await get(url, { ...opts, headers: { ...opts.headers, Accept: 'application/json' } }, signal);
        if (status === 410) throw new GoneError(`list ${path}: ${statusMessage(body) ?? '410 Gone'}`);
        if (status !== 200) throw new ApiError(`list ${path}: HTTP ${status}${statusMessage(body) ? `: ${statusMessage(body)}` : ''}`, status);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          throw new ApiError(`list ${path}: answer is not JSON`);
        }
        const p = parsed as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
        if (!Array.isArray(p?.items) || typeof p.metadata?.resourceVersion !== 'string') {
          throw new ApiError(`list ${path}: answer is not a list (no items / metadata.resourceVersion)`);
        }
        const cont = typeof p.metadata.continue === 'string' && p.metadata.continue ? p.metadata.continue : undefined;
        return { items: p.items, resourceVersion: p.metadata.resourceVersion, ...(cont ? { continue: cont } : {}) };
      } finally {
        agent?.destroy();
      }
    },

    watch(req) {
      return new Promise<WatchEnd>((resolve) => {
        let agent: http.Agent | undefined;
        let controller: AbortController | undefined;
        let finished = false;
        let last = Date.now();
        const finish = (end: WatchEnd) => {
          if (finished) return;
          finished = true;
          clearInterval(watchdog);
          req.signal.removeEventListener('abort', onStop);
          controller?.abort();
          // Destroying the request's own agent ends its socket even when the server never sent
          // headers: the library hands out its AbortController only after the response arrived.
          agent?.destroy();
          resolve(end);
        };
        const onStop = () => finish({ kind: 'stopped' });
        if (req.signal.aborted) return resolve({ kind: 'stopped' });
        req.signal.addEventListener('abort', onStop);
        // 1.4's Watch sets no timeout of its own (its AbortSignal.timeout is overwritten) and keeps
        // waiting on a silent or half-dead connection: this watchdog is what notices.
        const watchdog = setInterval(() => {
          if (Date.now() - last >= req.staleAfterMs) finish({ kind: 'stale' });
        }, Math.max(25, Math.min(1000, Math.floor(req.staleAfterMs / 4))));
        watchdog.unref();

        // The Watch reads only getCurrentCluster and applyToFetchOptions from its config: this view
        // of the KubeConfig keeps a handle on the agent made for this one request.
        const view = {
          getCurrentCluster: () => kc.getCurrentCluster(),
          applyToFetchOptions: async (o: https.RequestOptions) => {
            const init = await kc.applyToFetchOptions(o);
            agent = init.agent as http.Agent | undefined;
            if (finished) agent?.destroy();
            return init;
          },
        } as unknown as KubeConfig;
        const w = new Watch(view);
        const query = { resourceVersion: req.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(req.timeoutSeconds) };
        w.watch(req.path, query, (type: string, object: unknown) => {
          if (finished) return;
          last = Date.now();
          if (type === 'ERROR') {
            const code = (object as { code?: unknown } | undefined)?.code;
            const message = statusMessageOf(object) ?? 'watch error';
            finish(code === 410 ? { kind: 'gone', message } : { kind: 'error', error: new ApiError(`watch ${req.path}: ${message}`, typeof code === 'number' ? code : undefined) });
            return;
          }
          req.onEvent(type, object);
        }, (err: unknown) => {
          if (!err) return finish({ kind: 'closed' });
          const code = (err as { statusCode?: unknown }).statusCode;
          if (code === 410) return finish({ kind: 'gone', message: `watch ${req.path}: 410 Gone` });
          const e = err instanceof Error ? err : new Error(String(err));
          finish({ kind: 'error', error: typeof code === 'number' ? new ApiError(`watch ${req.path}: HTTP ${code} ${e.message}`, code) : e });
        }).then((c) => {
          controller = c;
          if (finished) c.abort();
          else {
            last = Date.now();
            req.onOpen();
          }
        }, (err: unknown) => finish({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)) }));
      });
    },
  };
}

function statusMessageOf(o: unknown): string | undefined {
  const m = (o as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' && m ? m.slice(0, 500) : undefined;
}

function statusMessage(body: string): string | undefined {
  try {
    return statusMessageOf(JSON.parse(body));
  } catch {
    return body ? body.slice(0, 200) : undefined;
  }
}

/** One GET with a bounded body and a whole-request timeout. */
function get(url: URL, opts: https.RequestOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'http:' ? http : https;
    const req = mod.request(url, { ...opts, method: 'GET', signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_PAGE_BYTES) {
          req.destroy(new ApiError(`list ${url.pathname}: page larger than ${MAX_PAGE_BYTES} bytes (lower k8s.watch_page_size)`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      // A connection reset mid-body: 'close' without a complete message (reject is a no-op after resolve).
      res.on('close', () => { if (!res.complete) reject(new ApiError(`list ${url.pathname}: connection closed mid-answer`)); });
    });
    req.setTimeout(LIST_TIMEOUT_MS, () => req.destroy(new ApiError(`list ${url.pathname}: no answer within ${LIST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}
