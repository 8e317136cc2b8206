// The Kubernetes audit webhook: `POST /api/v1/k8s/audit` (DESIGN.md §6).
//
// The API server's webhook backend (`--audit-webhook-config-file`) POSTs `audit.k8s.io/v1`
// `EventList`s in batches; Falco's k8saudit contract also allows a single `Event` or a JSON array;
// `application/x-ndjson` bodies (one Event per line, as in an audit log file) are taken too.
//
// Per request: authentication (its own bearer token `k8s.audit_token`, constant time, or a TLS
// client certificate the listener verified) → body read with its own size limit (413) → split
// into the JSON texts of its items (400 when the body around them is not JSON) → token-bucket rate
// limit on events (429 with Retry-After: the API server's webhook backend retries those) → per
// item: JSON.parse, dedup by auditID + stage (the backend re-sends a batch after a timeout; the
// last `dedupSize` auditIDs are remembered), normalize, emit (a large batch in parts of 100, each
// committed as it goes) → wait for the store commit → 200 `{accepted, duplicates, rejected:
// [{index, error}]}`. A malformed item (not JSON, or not an audit Event) is reported and counted
// and never costs its neighbours. A body in which nothing is an audit event gets the same answer
// with status 400.
//
// Answering only after the commit makes a 200 mean "durable": a collector killed before it
// answers loses nothing, because the sender retries. When the store does not commit within
// `commitTimeoutMs`, the answer is 503 with Retry-After and the batch's keys are forgotten, so
// the retry is taken (at least once: the first copy may still commit).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express from 'express';
import type { PublicRoute } from '../../api/public-route.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { normalizeAuditEvent, type NormalizeAuditOptions } from '../../transforms/normalize/k8s-audit.js';
import type { Logger } from '../../util/log.js';
import { BodyError, readBody } from './body.js';
import { bodyLines, parseInPlace, splitBody } from './json-split.js';
import { RecentAuditKeys, TokenBucket } from './limits.js';
import { auditMetrics, type AuditMetrics } from './metrics.js';

export const AUDIT_WEBHOOK_PATH = '/k8s/audit';
/** Rejected items listed in one answer; `rejected_total` says how many there were when more. */
/**
 * A large batch goes to the store in parts of this many events: the pipeline commits what was
 * emitted in one turn of the event loop, and a whole 400-event batch (the API server's default)
 * kept alive until one commit outlives V8's young generation; promoting it cost more than the
 * extra commits (measured 15,400 -> 17,000-18,000 events per CPU-second at 400-event batches).
 */
const YIELD_EVERY = 100;
const MAX_REPORTED = 1000;
const WARN_EVERY_MS = 10_000;
/** A blank line of an NDJSON body. */
const SKIP: unique symbol = Symbol('skip');

export interface AuditWebhookOptions {
  /** `k8s.audit_token`. Without it (and without client certificates) the endpoint answers 404. */
  token: string | undefined;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  /** host.name of the events. */
  hostName?: string;
  /** Largest body, after decompression (default 16 MiB). */
  maxBodyBytes?: number;
  /** Events per second (default 20,000); 0: no limit. */
  maxEventsPerSecond?: number;
  /** Bucket size in events (default twice the rate); also the most events one request may carry. */
  burst?: number;
  /** auditID + stage keys remembered (default 100,000); 0: no dedup. */
  dedupSize?: number;
  /** Longest wait for the store commit before answering 503 (default 10 s). */
  commitTimeoutMs?: number;
  /**
   * mTLS: accept a request whose TLS client certificate the listener verified (`requestCert`,
   * `ca`), without the bearer token. `cns` restricts the certificate subjects (CN); empty: any.
   */
  clientCert?: { cns?: string[] };
  normalize?: Omit<NormalizeAuditOptions, 'hostName'>;
  /** Clock of the rate limiter, in milliseconds (tests). */
  now?: () => number;
}

export interface AuditWebhookResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; error: string }[];
  rejected_total?: number;
  error?: string;
}

export interface AuditWebhookStatus {
  enabled: boolean;
  auth: string[];
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rate_limited: number;
  dedup_keys: number;
  dedup_evictions: number;
  last_request_at?: string;
  last_error?: string;
}

export interface AuditWebhook {
  /**
   * `/api/v1/k8s/audit` for the API server to serve ahead of express (ApiDeps.publicRoutes):
   * express swaps the prototypes of every request and response, which cost this endpoint about
   * 400 µs per request (4 µs per event at 100-event batches, measured).
   */
  route: PublicRoute;
  /** The same as an express router: mount it under `/api/v1`, before any global body parser. */
  router: express.Router;
  status(): AuditWebhookStatus;
}

/** The webhook router alone (see createAuditWebhook). */
export function auditWebhookRouter(opts: AuditWebhookOptions): express.Router {
  return createAuditWebhook(opts).router;
}

export function createAuditWebhook(opts: AuditWebhookOptions): AuditWebhook {
  const m: AuditMetrics = auditMetrics(opts.metrics.registry);
  const rate = opts.maxEventsPerSecond ?? 20_000;
  const bucket = new TokenBucket(rate, opts.burst ?? rate * 2, opts.now);
  const recent = new RecentAuditKeys(opts.dedupSize ?? 100_000);
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const commitTimeout = opts.commitTimeoutMs ?? 10_000;
  const expected = opts.token ? createHash('sha256').update(opts.token).digest() : undefined;
  const certCns = opts.clientCert ? new Set(opts.clientCert.cns ?? []) : undefined;
  const enabled = expected !== undefined || certCns !== undefined;
  const normOpts: NormalizeAuditOptions = { ...opts.normalize, ...(opts.hostName ? { hostName: opts.hostName } : {}) };
  const st: AuditWebhookStatus = {
    enabled,
    auth: [...(expected ? ['bearer'] : []), ...(certCns ? ['client_certificate'] : [])],
    requests: 0, accepted: 0, duplicates: 0, rejected: 0, rate_limited: 0, dedup_keys: 0, dedup_evictions: 0,
  };
  let lastWarn = 0;
  const warn = (fields: Record<string, unknown>, msg: string) => {
    const now = Date.now();
    if (now - lastWarn >= WARN_EVERY_MS) {
      lastWarn = now;
      opts.log.warn(fields, msg);
    } else {
      opts.log.debug(fields, msg);
    }
  };

  const authorized = (req: IncomingMessage): 'ok' | 'missing' | 'invalid' => {
    if (certCns) {
      const sock = req.socket as Partial<TLSSocket>;
      if (sock.encrypted && sock.authorized) {
        if (certCns.size === 0) return 'ok';
        const cn = sock.getPeerCertificate?.()?.subject?.CN as string | string[] | undefined;
        if ((Array.isArray(cn) ? cn : [cn]).some((c) => c !== undefined && certCns.has(c))) return 'ok';
      }
    }
    if (!expected) return certCns ? 'missing' : 'invalid';
    const m1 = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const given = createHash('sha256').update(m1?.[1] ?? '').digest();
    if (!m1) return 'missing';
    return timingSafeEqual(given, expected) ? 'ok' : 'invalid';
  };

  const handle = async (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    st.requests += 1;
    st.last_request_at = new Date().toISOString();
    const answer = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      if (!req.complete && !req.readableEnded) req.resume(); // discard an unread body
      if (!res.headersSent) sendJson(res, code, body, headers);
      m.requests.inc({ code: String(code) });
      m.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (code >= 400) st.last_error = `${code}: ${(body as { error?: string }).error ?? ''}`;
    };

    if (!enabled) {
      answer(404, { error: 'the Kubernetes audit webhook is disabled: set k8s.audit_token (SHIPWATCH_K8S_AUDIT_TOKEN)' });
      return;
    }
    const auth = authorized(req);
    if (auth !== 'ok') {
      answer(401, {
        error: auth === 'missing'
          ? 'missing bearer token: send Authorization: Bearer <k8s.audit_token> (the audit webhook has its own token, not api.token)'
          : 'invalid token for the audit webhook (k8s.audit_token)',
      }, { 'WWW-Authenticate': 'Bearer realm="shipwatch-k8s-audit"' });
      return;
    }

    // The body: read here with this endpoint's limit, unless a body parser in front already did.
    let payload: Payload | { error: string };
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const lines = ctype === 'application/x-ndjson' || ctype === 'application/jsonl' || ctype === 'application/x-jsonlines' || ctype === 'application/jsonlines';
    try {
      const pre = req.body;
      if (pre !== undefined && !Buffer.isBuffer(pre) && typeof pre !== 'string') {
        payload = splitPayload(pre); // parsed by a body parser in front
      } else {
        const raw: Buffer | string = pre ?? (req.readableEnded ? '' : await readBody(req, maxBody));
        if (isBlank(raw)) {
          opts.metrics.malformedTotal.inc({ source: 'k8s_audit' });
          answer(400, { error: 'empty request body: send an audit EventList, an Event or an array of Events as JSON' });
          return;
        }
        if (lines) {
          // Line numbers are the indexes; blank lines are skipped, unparsable ones rejected below.
          const ndjson = typeof raw === 'string' ? raw.split('\n') : bodyLines(raw);
          payload = { items: ndjson.map((l) => (l.trim() ? l : SKIP)), unparsed: 'line' };
        } else {
          payload = parseBody(raw);
        }
      }
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.status === 413 || err.status === 415) opts.log.warn({ status: err.status, err: err.message }, 'audit webhook request refused');
        answer(err.status, { error: err.message });
        return;
      }
      opts.metrics.malformedTotal.inc({ source: 'k8s_audit' });
      answer(400, { error: `request body is not valid JSON: ${(err as Error).message}` });
      return;
    }

    const result: AuditWebhookResult = { accepted: 0, duplicates: 0, rejected: [] };
    let rejectedTotal = 0;
    const reject = (index: number, error: string) => {
      rejectedTotal += 1;
      if (result.rejected.length < MAX_REPORTED) result.rejected.push({ index, error });
    };
    if ('error' in payload) {
      opts.metrics.malformedTotal.inc({ source: 'k8s_audit' });
      answer(400, { ...result, rejected: [{ index: 0, error: payload.error }], error: payload.error });
      return;
    }
    const { items, unparsed, single } = payload;

    let count = 0;
    for (const it of items) if (it !== SKIP) count += 1;
    if (!bucket.unlimited && count > bucket.capacity) {
      answer(413, { error: `a batch of ${count} events is larger than the burst of ${bucket.capacity} events (k8s.audit_burst): send smaller batches` });
      return;
    }
    const took = bucket.take(count);
    if (!took.ok) {
      st.rate_limited += count;
      m.events.inc({ input: 'webhook', result: 'rate_limited' }, count);
      warn({ events: count, retry_after: took.retryAfterSeconds }, 'audit webhook over its event rate (k8s.audit_rate); answered 429');
      answer(429, { error: `over the audit event rate of ${bucket.rate}/s (k8s.audit_rate); retry after ${took.retryAfterSeconds} s` }, { 'Retry-After': String(took.retryAfterSeconds) });
      return;
    }

    const keys: [string, string][] = [];
    for (let i = 0; i < items.length; i += 1) {
      if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let item = items[i];
      if (item === SKIP) continue;
      // Dropped from the batch as it goes: the parts of a large batch already committed can then
      // be collected young instead of being promoted while the rest is worked on.
      items[i] = SKIP;
      let text = single;
      if (unparsed) {
        text = item as string;
        try {
          item = JSON.parse(text);
        } catch (e) {
          reject(i, `${unparsed === 'line' ? `line ${i + 1}` : `item ${i}`}: invalid JSON: ${(e as Error).message}`);
          continue;
        }
      }
      const id = auditIdOf(item);
      const stage = id === undefined ? '' : stageOf(item);
      if (id !== undefined && recent.has(id, stage)) {
        result.duplicates += 1;
        continue;
      }
      const ev = normalizeAuditEvent(item, normOpts, text);
      if (!('event' in ev)) {
        reject(i, ev.error);
        continue;
      }
      opts.emitter.emit(ev);
      result.accepted += 1;
      if (id !== undefined) {
        if (recent.add(id, stage) > 0) m.dedupEvictions.inc();
        keys.push([id, stage]);
      }
    }
    st.accepted += result.accepted;
    st.duplicates += result.duplicates;
    st.rejected += rejectedTotal;
    st.dedup_keys = recent.size;
    st.dedup_evictions = recent.evictions;
    m.dedupKeys.set(recent.size);
    if (result.accepted) m.events.inc({ input: 'webhook', result: 'accepted' }, result.accepted);
    if (result.duplicates) m.events.inc({ input: 'webhook', result: 'duplicate' }, result.duplicates);
    if (rejectedTotal) {
      m.events.inc({ input: 'webhook', result: 'rejected' }, rejectedTotal);
      opts.metrics.malformedTotal.inc({ source: 'k8s_audit' }, rejectedTotal);
      warn({ rejected: rejectedTotal, accepted: result.accepted, first: result.rejected[0] }, 'audit webhook rejected malformed events; the others were kept');
    }
    if (rejectedTotal > result.rejected.length) result.rejected_total = rejectedTotal;

    // Durable before answering: the store transaction holding these events has committed.
    if (result.accepted > 0) {
      let timer: NodeJS.Timeout | undefined;
      const committed = await Promise.race([
        opts.emitter.flush().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), commitTimeout);
        }),
      ]);
      clearTimeout(timer);
      if (!committed) {
        for (const [id, stage] of keys) recent.delete(id, stage);
        opts.log.error({ events: result.accepted, timeout_ms: commitTimeout }, 'audit webhook: the store did not commit in time; answered 503 so the sender retries');
        answer(503, { error: `the store did not commit within ${commitTimeout} ms; retry` }, { 'Retry-After': '1' });
        return;
      }
    } else if (result.duplicates > 0) {
      // The first copies may still be on their way to the store: answer once they are there.
      await opts.emitter.flush();
    }

    if (result.accepted === 0 && result.duplicates === 0 && rejectedTotal > 0) {
      answer(400, { ...result, error: `no audit event in the request: ${result.rejected[0]!.error}` });
      return;
    }
    answer(200, result);
  };

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: `${req.method} is not allowed here: POST audit events` }, { Allow: 'POST' });
      return;
    }
    handle(req, res).catch((err: unknown) => {
      opts.log.error({ err: String(err) }, 'audit webhook request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the collector log' });
      m.requests.inc({ code: '500' });
    });
  };
  const router = express.Router();
  router.all(AUDIT_WEBHOOK_PATH, (req, res) => serve(req, res));

  return {
    route: { path: `/api/v1${AUDIT_WEBHOOK_PATH}`, serve },
    router,
    status: () => ({ ...st, dedup_keys: recent.size, dedup_evictions: recent.evictions }),
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * The items of a request. `unparsed`: they are still their JSON texts (json-split.ts), parsed one
 * by one as their turn comes, so that one that is not JSON costs only itself, and a batch waits as
 * compact strings. `single`: the body is one Event, and this is its text.
 */
interface Payload {
  items: unknown[];
  unparsed?: 'line' | 'item';
  single?: string;
}

/** The items of a JSON body (throws when it is not JSON). */
function parseBody(raw: Buffer | string): Payload | { error: string } {
  let text = raw;
  if (typeof text !== 'string') {
    const split = splitBody(text);
    if (split) {
      const payload = splitPayload(split.value);
      if ('items' in payload && payload.items === split.texts) return { items: payload.items, unparsed: 'item' };
      // The big array is not the list of events (`items` of an object that is no EventList).
      if (parseInPlace(split.texts)) return payload;
    }
    text = text.toString('utf8');
  }
  const doc = JSON.parse(text) as unknown;
  const payload = splitPayload(doc);
  return 'items' in payload && payload.items.length === 1 && payload.items[0] === doc ? { ...payload, single: text } : payload;
}

/** Whether the body is empty or whitespace (String.prototype.trim's), without decoding it. */
function isBlank(raw: Buffer | string): boolean {
  if (typeof raw === 'string') return raw.trim().length === 0;
  for (const b of raw) {
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b >= 0x80 ? raw.toString('utf8').trim().length === 0 : false;
  }
  return true;
}

/** The items of a webhook body: EventList.items, an array, or one Event. */
export function splitPayload(doc: unknown): { items: unknown[] } | { error: string } {
  if (Array.isArray(doc)) return { items: doc };
  if (doc !== null && typeof doc === 'object' && (doc as { kind?: unknown }).kind === 'EventList') {
    const items = (doc as { items?: unknown }).items;
    if (items === null || items === undefined) return { items: [] };
    if (!Array.isArray(items)) return { error: 'EventList.items is not an array' };
    return { items };
  }
  return { items: [doc] };
}

/** The auditID of an item (the dedup key with its stage), when it has a usable one. */
export function auditIdOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const id = (item as { auditID?: unknown }).auditID;
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}

function stageOf(item: unknown): string {
  const stage = (item as { stage?: unknown }).stage;
  return typeof stage === 'string' ? stage : '';
}
