import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, afterEach, describe, it } from 'node:test';
import express from 'express';
import { createApi } from '../../api/server.js';
import type { ShipEvent } from '../../event/event.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { Store } from '../../sinks/store/store.js';
import { silentLogger } from '../../util/log.js';
import { auditEvent, auditMix } from './testdata.js';
import { createAuditWebhook, type AuditWebhookOptions, type AuditWebhookResult } from './webhook.js';

const TOKEN = 'audit-token-0123456789abcdef';
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Harness {
  url: string;
  hook: ReturnType<typeof createAuditWebhook>;
  store: Store;
  metrics: CollectorMetrics;
  post: (body: unknown, opts?: { token?: string | null; headers?: Record<string, string> }) => Promise<{ status: number; body: AuditWebhookResult & { error?: string }; headers: Headers }>;
  close: () => Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** A real Store and Pipeline in a temporary directory. */
function backing(): { metrics: CollectorMetrics; store: Store; pipeline: Pipeline } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-audit-'));
  dirs.push(dir);
  const metrics = new CollectorMetrics();
  const store = new Store({ path: dir, maxAgeMs: 86_400_000 * 365 * 100, maxBytes: 1e9, metrics });
  return { metrics, store, pipeline: new Pipeline({ store, metrics, log: silentLogger() }) };
}

/** Closes the server (and its kept-alive connections), then commits what is pending and closes the store. */
async function shutdown(server: http.Server, b: { store: Store; pipeline: Pipeline }): Promise<void> {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  await b.pipeline.flush();
  b.store.close();
}

/**
 * The webhook on a real Store + Pipeline, mounted as an express router, or by `mount`. `viaApi`:
 * served as the collector serves it, by the API server ahead of express.
 */
async function harness(o: Partial<AuditWebhookOptions> & { viaApi?: boolean; emitter?: Emitter; mount?: (hook: ReturnType<typeof createAuditWebhook>) => http.RequestListener } = {}): Promise<Harness> {
  const b = backing();
  const { metrics, store, pipeline } = b;
  const log = silentLogger();
  const hook = createAuditWebhook({ token: TOKEN, emitter: o.emitter ?? pipeline, metrics, log, hostName: 'cluster-1', ...o });
  let app: http.RequestListener;
  if (o.mount) {
    app = o.mount(hook);
  } else if (o.viaApi) {
    app = createApi({ token: 'api-token-0123456789abcdef', bodyLimit: 16 * 1024 * 1024, store, metrics, log, status: () => ({ status: 'ok', version: 't', sources: {}, sinks: {} }), publicRoutes: [hook.route] });
  } else {
    const e = express();
    e.use('/api/v1', hook.router);
    app = e;
  }
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/k8s/audit`;
  const h: Harness = {
    url, store, metrics, hook,
    post: async (body, opts = {}) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...opts.headers };
      const tok = opts.token === undefined ? TOKEN : opts.token;
      if (tok !== null) headers.Authorization = `Bearer ${tok}`;
      const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text) as AuditWebhookResult, headers: res.headers };
    },
    close: () => shutdown(server, b),
  };
  open.push(h);
  return h;
}

function stored(store: Store): ShipEvent[] {
  return store.events({ source: 'k8s_audit', limit: 1000 }).items.reverse();
}

async function metric(m: CollectorMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const got = await m.registry.getSingleMetric(name)?.get();
  if (!got) return 0;
  return got.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((a, v) => a + v.value, 0);
}

const list = (items: unknown[]) => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

describe('audit webhook: authentication', () => {
  it('refuses a missing, wrong or non-bearer token with 401 and stores nothing', async () => {
    const h = await harness();
    const body = list([auditEvent()]);
    const none = await h.post(body, { token: null });
    assert.equal(none.status, 401);
    assert.match(none.body.error!, /missing bearer token.*k8s\.audit_token/);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="shipwatch-k8s-audit"');
    const wrong = await h.post(body, { token: `${TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error!, /invalid token/);
    const basic = await h.post(body, { token: null, headers: { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal(basic.status, 401);
    assert.equal(stored(h.store).length, 0);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_requests_total', { code: '401' }), 3);
    assert.equal((await h.post(body)).status, 200);
  });

  it('answers 404 with the key to set when no audit token is configured', async () => {
    const h = await harness({ token: undefined });
    const r = await h.post(list([auditEvent()]));
    assert.equal(r.status, 404);
    assert.match(r.body.error!, /disabled: set k8s\.audit_token/);
  });

  it('refuses other methods with 405', async () => {
    const h = await harness();
    const r = await fetch(h.url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
  });
});

describe('audit webhook: payloads', () => {
  it('takes an EventList, stores every event as k8s_audit and answers once they are committed', async () => {
    const h = await harness();
    const evs = [auditEvent('pod_create', 1), auditEvent('exec', 2), auditEvent('secret_get', 3)];
    const r = await h.post(list(evs));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { accepted: 3, duplicates: 0, rejected: [] });
    // No waiting: the answer comes after the commit.
    const s = stored(h.store);
    assert.equal(s.length, 3);
    for (const e of s) {
      assert.equal(e.event.source, 'k8s_audit');
      assert.equal(e.host?.name, 'cluster-1');
    }
    assert.deepEqual(s.map((e) => (e.k8s as { audit: { auditID: string } }).audit.auditID), evs.map((e) => e.auditID));
    assert.deepEqual(s.map((e) => e.event.action), ['create', 'exec', 'get']);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_events_total', { input: 'webhook', result: 'accepted' }), 3);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_requests_total', { code: '200' }), 1);
    assert.equal(await metric(h.metrics, 'shipwatch_events_total', { source: 'k8s_audit' }), 3);
    const hist = await h.metrics.registry.getSingleMetric('shipwatch_k8s_audit_request_duration_seconds')!.get();
    assert.equal((hist.values as { metricName?: string; value: number }[]).find((v) => v.metricName === 'shipwatch_k8s_audit_request_duration_seconds_count')?.value, 1);
  });

  it('takes a single Event and a JSON array', async () => {
    const h = await harness();
    const one = await h.post(auditEvent('rbac_binding', 5));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { accepted: 1, duplicates: 0, rejected: [] });
    const arr = await h.post([auditEvent('configmap_update'), auditEvent('pod_list')]);
    assert.equal(arr.status, 200);
    assert.deepEqual(arr.body, { accepted: 2, duplicates: 0, rejected: [] });
    assert.equal(stored(h.store).length, 3);
    const empty = await h.post(list([]));
    assert.deepEqual([empty.status, empty.body], [200, { accepted: 0, duplicates: 0, rejected: [] }]);
    const nullItems = await h.post({ kind: 'EventList', items: null });
    assert.equal(nullItems.status, 200);
  });

  it('takes large bodies (the API server batches up to 400 events) as it takes small ones', async () => {
    const h = await harness();
    const evs = auditMix(400);
    const body = JSON.stringify(list(evs));
    assert.ok(body.length > 256 * 1024, `${body.length} bytes: large enough to be parsed element by element`);
    const r = await h.post(body);
    assert.deepEqual([r.status, r.body], [200, { accepted: 400, duplicates: 0, rejected: [] }]);
    const commits = (await h.metrics.registry.getSingleMetric('shipwatch_store_write_seconds')!.get()).values
      .find((v) => (v as { metricName?: string }).metricName === 'shipwatch_store_write_seconds_count')?.value ?? 0;
    assert.ok(commits >= 4, `committed in parts of at most 100 events (${commits} commits)`);
    assert.deepEqual(stored(h.store).map((e) => (e.k8s as { audit: { auditID: string } }).audit.auditID).sort(), evs.map((e) => e.auditID as string).sort());
    const nd = await h.post(auditMix(400).map((e) => JSON.stringify(e)).join('\n'), { headers: { 'Content-Type': 'application/x-ndjson' } });
    assert.deepEqual([nd.status, nd.body.accepted], [200, 400]);
    // Broken after the items: refused as a whole, with JSON.parse's own message.
    const broken = await h.post(`${body.slice(0, -1)},}`);
    assert.equal(broken.status, 400);
    assert.match(broken.body.error!, /not valid JSON/);
    assert.equal(stored(h.store).length, 800);
  });

  it('stores each audit Event as received whatever the body shape, searchable by the characters Go escapes', async () => {
    const h = await harness();
    const goJson = (v: unknown) => JSON.stringify(v).replace(/&/g, '\\u0026').replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
    const sent: Record<string, unknown>[] = [];
    const ev = (uri: string, extra: Record<string, unknown> = {}) => {
      const e = { ...auditEvent('pod_list'), auditID: `id-${sent.length}`, requestURI: uri, ...extra };
      sent.push(e);
      return e;
    };
    const bodies = [
      goJson(list([ev('/api/v1/pods?a=1&b=<list>'), ev('/api/v1/pods?limit=1')])),
      goJson([ev('/api/v1/pods?array=1&x')]),
      goJson(ev('/api/v1/pods?single=1&x')),
      JSON.stringify(list([ev('/api/v1/pods?pretty=1&x')]), null, 2),
      JSON.stringify(list([ev('/api/v1/pods?accent=\u00e9', { annotations: { note: 'caf\u00e9 \\u0026 \u2028' } })])).replace('é', '\\u00e9'),
    ];
    for (const b of bodies) assert.equal((await h.post(b)).status, 200, b.slice(0, 80));
    const nd = await h.post(`${goJson(ev('/api/v1/pods?ndjson=1&x'))}\n`, { headers: { 'Content-Type': 'application/x-ndjson' } });
    assert.equal(nd.status, 200);
    const got = new Map(stored(h.store).map((e) => [(e.k8s as { audit: { auditID: string } }).audit.auditID, (e.k8s as { audit: unknown }).audit]));
    for (const e of sent) assert.deepEqual(got.get(e.auditID as string), e);
    const found = (q: string) => h.store.events({ q, limit: 100 }).items.map((e) => (e.k8s as { audit: { auditID: string } }).audit.auditID).sort();
    assert.deepEqual(found('?a=1&b=<list>'), ['id-0']);
    assert.deepEqual(found('&x'), ['id-2', 'id-3', 'id-4', 'id-6']);
    assert.deepEqual(found('accent=é'), ['id-5']);
    // The received text itself is what was stored (spaces and all), not a new serialization.
    const spaced = JSON.stringify(list([ev('/api/v1/pods?spaced=1')]), null, 1).replace(/\n\s*/g, ' ');
    assert.equal((await h.post(spaced)).status, 200);
    const row = h.store.db.prepare("SELECT body FROM events WHERE instr(body, 'spaced=1') > 0").get() as { body: string };
    assert.ok(row.body.includes('"auditID": "id-7"'), row.body.slice(0, 200));
  });

  it('takes NDJSON and gzip bodies', async () => {
    const h = await harness();
    const nd = await h.post(`${JSON.stringify(auditEvent())}\n\n${JSON.stringify(auditEvent('exec'))}\nnot json\n`, { headers: { 'Content-Type': 'application/x-ndjson' } });
    assert.equal(nd.status, 200);
    assert.equal(nd.body.accepted, 2);
    assert.equal(nd.body.rejected.length, 1);
    assert.equal(nd.body.rejected[0]!.index, 3);
    assert.match(nd.body.rejected[0]!.error, /line 4: invalid JSON/);
    const gz = await h.post(zlib.gzipSync(JSON.stringify(list([auditEvent(), auditEvent()]))), { headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.body.accepted, 2);
    const br = await h.post('{}', { headers: { 'Content-Encoding': 'br' } });
    assert.equal(br.status, 415);
    assert.equal(stored(h.store).length, 4);
  });

  it('drops events already received (same auditID and stage) and counts them', async () => {
    const h = await harness();
    const evs = [auditEvent('pod_create'), auditEvent('exec'), auditEvent('secret_get')];
    assert.equal((await h.post(list(evs))).body.accepted, 3);
    // The API server re-sends the batch after a timeout.
    const again = await h.post(list(evs));
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { accepted: 0, duplicates: 3, rejected: [] });
    // Same auditID, another stage: a different event. The same one twice in a batch: once.
    const started = { ...evs[0]!, stage: 'ResponseStarted' };
    const fresh = auditEvent('pod_list');
    const mixed = await h.post([started, fresh, fresh]);
    assert.deepEqual(mixed.body, { accepted: 2, duplicates: 1, rejected: [] });
    assert.equal(stored(h.store).length, 5);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_events_total', { result: 'duplicate' }), 4);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_dedup_keys'), 4, 'auditIDs: one of them with two stages');
  });

  it('counts evictions from a full dedup memory', async () => {
    const h = await harness({ dedupSize: 2 });
    const evs = [auditEvent(), auditEvent(), auditEvent()];
    await h.post(list(evs));
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_dedup_evictions_total'), 1);
    // The two remembered are dropped; the evicted first one is taken again.
    const r = await h.post(list([evs[1], evs[2]]));
    assert.equal(r.body.duplicates, 2);
    const first = await h.post(list([evs[0]]));
    assert.equal(first.body.accepted, 1);
  });

  it('keeps the good events of a batch around malformed ones and reports each bad one by index', async () => {
    const h = await harness();
    const good = [auditEvent('pod_create'), auditEvent('exec'), auditEvent('rbac_binding')];
    const noVerb = { ...auditEvent(), verb: undefined };
    const r = await h.post(list([good[0], { kind: 0 }, good[1], 42, noVerb, good[2]]));
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 3);
    assert.deepEqual(r.body.rejected.map((x) => x.index), [1, 3, 4]);
    assert.match(r.body.rejected[0]!.error, /kind must be "Event"/);
    assert.match(r.body.rejected[1]!.error, /must be a JSON object/);
    assert.match(r.body.rejected[2]!.error, /no verb/);
    assert.deepEqual(stored(h.store).map((e) => (e.k8s as { audit: { auditID: string } }).audit.auditID), good.map((e) => e.auditID));
    assert.equal(await metric(h.metrics, 'shipwatch_malformed_input_total', { source: 'k8s_audit' }), 3);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_events_total', { result: 'rejected' }), 3);
  });

  it('rejects an item of a batch that is not JSON on its own and keeps the others', async () => {
    const h = await harness();
    const good = [auditEvent('exec', 1), auditEvent('pod_list', 2)];
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${JSON.stringify(good[0])}, {"verb": tru}, ${JSON.stringify(good[1])}]}`;
    const r = await h.post(body);
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 2);
    assert.equal(r.body.rejected.length, 1);
    assert.equal(r.body.rejected[0]!.index, 1);
    assert.match(r.body.rejected[0]!.error, /^item 1: invalid JSON: /);
    assert.equal(stored(h.store).length, 2);
    assert.equal(await metric(h.metrics, 'shipwatch_malformed_input_total', { source: 'k8s_audit' }), 1);
    // Nothing but a broken item: 400, as for any body without an audit event.
    const none = await h.post('[{"verb": tru}]');
    assert.equal(none.status, 400);
    assert.match(none.body.error!, /no audit event in the request: item 0: invalid JSON/);
  });

  it('answers 400 when nothing in the body is an audit event, or it is not JSON', async () => {
    const h = await harness();
    const bad = await h.post({ kind: 0 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.accepted, 0);
    assert.equal(bad.body.rejected.length, 1);
    assert.match(bad.body.error!, /no audit event in the request: not an audit Event/);
    const notJson = await h.post('{"kind": "EventList", items: [');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.error!, /not valid JSON/);
    const empty = await h.post('');
    assert.equal(empty.status, 400);
    const items = await h.post({ kind: 'EventList', items: { a: 1 } });
    assert.equal(items.status, 400);
    assert.match(items.body.error!, /items is not an array/);
    assert.equal(stored(h.store).length, 0);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_requests_total', { code: '400' }), 4);
  });
});

describe('audit webhook: limits', () => {
  it('answers 413 over the body limit, declared or streamed or decompressed, and keeps serving', async () => {
    const h = await harness({ maxBodyBytes: 4096 });
    const big = list(Array.from({ length: 10 }, () => auditEvent()));
    const r = await h.post(big);
    assert.equal(r.status, 413);
    assert.match(r.body.error!, /larger than the limit of 4096 bytes/);
    // Chunked, without a Content-Length.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(h.url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      const text = JSON.stringify(big);
      for (let i = 0; i < text.length; i += 1000) req.write(text.slice(i, i + 1000));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.match(chunked.body, /larger than the limit/);
    const bomb = await h.post(zlib.gzipSync(JSON.stringify(big)), { headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(bomb.status, 413);
    assert.equal((await h.post(list([auditEvent()]))).status, 200);
    assert.equal(stored(h.store).length, 1);
  });

  it('answers 429 with Retry-After over the event rate, and takes events again once the bucket refills', async () => {
    let now = 0;
    const h = await harness({ maxEventsPerSecond: 10, now: () => now });
    // Bucket of 20 (twice the rate).
    assert.equal((await h.post(list(Array.from({ length: 15 }, () => auditEvent())))).status, 200);
    const over = await h.post(list(Array.from({ length: 10 }, () => auditEvent())));
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '1');
    assert.match(over.body.error!, /k8s\.audit_rate/);
    now += 1000; // +10 tokens: 15
    assert.equal((await h.post(list(Array.from({ length: 10 }, () => auditEvent())))).status, 200);
    assert.equal(stored(h.store).length, 25);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_events_total', { result: 'rate_limited' }), 10);
    assert.equal(await metric(h.metrics, 'shipwatch_k8s_audit_requests_total', { code: '429' }), 1);
    // One request bigger than the whole bucket can never pass: 413, not an endless 429.
    now += 10_000;
    const huge = await h.post(list(Array.from({ length: 21 }, () => auditEvent('pod_list'))));
    assert.equal(huge.status, 413);
    assert.match(huge.body.error!, /burst of 20 events/);
  });

  it('answers 503 when the store does not commit in time, and takes the retry', async () => {
    let hang = true;
    const emitted: ShipEvent[] = [];
    const emitter: Emitter = { emit: (e) => void emitted.push(e), flush: () => (hang ? new Promise(() => undefined) : Promise.resolve()) };
    const h = await harness({ emitter, commitTimeoutMs: 150 });
    const evs = [auditEvent(), auditEvent()];
    const r = await h.post(list(evs));
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '1');
    hang = false;
    const retry = await h.post(list(evs));
    assert.equal(retry.status, 200);
    assert.equal(retry.body.accepted, 2, 'not dropped as duplicates: the first answer did not say durable');
  });
});

describe('audit webhook: mounting', () => {
  it('as an express router behind a body parser, takes the body that parser read', async () => {
    const h = await harness({
      mount: (hook) => {
        const app = express();
        app.use(express.json(), express.text({ type: 'application/x-ndjson' }));
        app.use('/api/v1', hook.router);
        return app;
      },
    });
    const r = await h.post(list([auditEvent(), auditEvent('exec')]));
    assert.deepEqual([r.status, r.body], [200, { accepted: 2, duplicates: 0, rejected: [] }]);
    const nd = await h.post(`${JSON.stringify(auditEvent())}\nnot json\n`, { headers: { 'Content-Type': 'application/x-ndjson' } });
    assert.equal(nd.status, 200);
    assert.equal(nd.body.accepted, 1);
    assert.match(nd.body.rejected[0]!.error, /^line 2: invalid JSON/);
    assert.equal((await h.post({ kind: 'EventList', items: 1 })).status, 400);
    assert.equal(stored(h.store).length, 3);
  });

  it('is served by the API server ahead of express (publicRoutes), with its own token, and the other endpoints still answer', async () => {
    const h = await harness({ viaApi: true });
    const r = await h.post(list([auditEvent(), auditEvent('exec')]));
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 2);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await h.post(list([auditEvent()]), { token: 'api-token-0123456789abcdef' })).status, 401);
    const bad = await h.post('{oops');
    assert.equal(bad.status, 400);
    const post = (url: string) => fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(list([auditEvent()])) });
    assert.equal((await post(`${h.url}/?timeout=30s`)).status, 200, 'a trailing slash and a query string');
    assert.equal((await fetch(h.url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 405);
    assert.equal(stored(h.store).length, 3);
    const base = h.url.replace('/k8s/audit', '');
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/events`)).status, 401, 'the API token still guards the rest');
    assert.equal((await fetch(`${base}/events`, { headers: { Authorization: 'Bearer api-token-0123456789abcdef' } })).status, 200);
    const other = await fetch(`${base}/k8s/auditx`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(other.status, 401, 'another path is not the webhook: the API token guards it');
  });
});

const OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('audit webhook: mTLS', () => {
  it('accepts a client certificate the listener verified, limited to the configured CNs', { skip: OPENSSL ? false : 'no openssl to make certificates' }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-audit-tls-'));
    dirs.push(dir);
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca');
    for (const cn of ['localhost', 'kube-apiserver', 'someone-else']) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${cn}.key`, '-out', `${cn}.csr`, '-subj', `/CN=${cn}`);
      fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
      ssl('x509', '-req', '-in', `${cn}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${cn}.crt`, '-days', '2', '-extfile', 'ext.cnf');
    }
    const read = (f: string) => fs.readFileSync(path.join(dir, f));
    const b = backing();
    const hook = createAuditWebhook({ token: TOKEN, emitter: b.pipeline, metrics: b.metrics, log: silentLogger(), clientCert: { cns: ['kube-apiserver'] } });
    const app = express();
    app.use('/api/v1', hook.router);
    const server = https.createServer({ key: read('localhost.key'), cert: read('localhost.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: false }, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const send = (client: string | undefined, token?: string) => new Promise<number>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port, path: '/api/v1/k8s/audit', method: 'POST', ca: read('ca.crt'), servername: 'localhost',
        ...(client ? { key: read(`${client}.key`), cert: read(`${client}.crt`) } : {}),
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(JSON.stringify(auditEvent()));
    });
    try {
      assert.equal(await send('kube-apiserver'), 200);
      assert.equal(await send('someone-else'), 401);
      assert.equal(await send(undefined), 401);
      assert.equal(await send(undefined, TOKEN), 200, 'the bearer token still works');
      assert.equal(hook.status().accepted, 2);
    } finally {
      await shutdown(server, b);
    }
  });
});

describe('audit webhook: status', () => {
  it('reports what it took, for the health endpoint', async () => {
    const h = await harness();
    const evs = [auditEvent(), auditEvent()];
    await h.post(list([...evs, { kind: 0 }]));
    await h.post(list(evs));
    await h.post(list(evs), { token: null });
    const st = h.hook.status();
    assert.deepEqual(
      { enabled: st.enabled, auth: st.auth, requests: st.requests, accepted: st.accepted, duplicates: st.duplicates, rejected: st.rejected, dedup_keys: st.dedup_keys },
      { enabled: true, auth: ['bearer'], requests: 3, accepted: 2, duplicates: 2, rejected: 1, dedup_keys: 2 },
    );
    assert.match(st.last_error!, /^401/);
    assert.ok(st.last_request_at);
  });
});
