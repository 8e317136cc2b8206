import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { rfc3339ToNanos } from '../../event/time.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import type { LokiSink } from './sink.js';
import { startLokiReceiver, type LokiReceiver, type ReceivedEntry } from './testing/loki-receiver.js';
import { alertOf, commit, commitMany, dockerEvent, k8sEvent, logEvent, makeSink, metricValue, openDb, tempDb, timeAt, waitUntil } from './testing/fixtures.js';

let r: LokiReceiver;
let env: ReturnType<typeof tempDb>;
let sinks: LokiSink[] = [];

beforeEach(async () => {
  r = await startLokiReceiver();
  env = tempDb();
  sinks = [];
});

afterEach(async () => {
  await r.setMode({ kind: 'ok' });
  for (const s of sinks) await s.stop(200);
  await r.close();
  env.cleanup();
});

function sink(cfg: Parameters<typeof makeSink>[1] = {}, metrics = new CollectorMetrics(), db: Database.Database = env.db): LokiSink {
  const s = makeSink(db, { url: r.url, ...cfg }, metrics);
  sinks.push(s);
  return s;
}

/** The number of a logEvent's line (`line <i> xxx…`) or of another entry's event JSON. */
function seqOf(e: ReceivedEntry): number {
  const n = /^line (\d+) /.exec(e.line);
  return n ? Number(n[1]) : (JSON.parse(e.line) as { seq: number }).seq;
}

describe('LokiSink', () => {
  test('labels, timestamps and lines', async () => {
    const s = sink();
    const log = logEvent(1, { container: 'api', stream: 'stderr' });
    const dock = dockerEvent(2, 'web');
    const k8s = k8sEvent(3);
    const offset = { ...dockerEvent(4, 'db'), event: { id: 'ev-4', time: '2024-05-01T12:00:00.5+02:00', source: 'docker' as const, action: 'die' } };
    const alert = alertOf(dock, 5, 12);
    commit(env.db, s, [log, dock, k8s, offset], [alert]);
    s.start();
    await r.waitForEntries(5);
    const le = r.entries().find((e) => e.labels.source === 'log')!;
    const byId = new Map(r.entries().filter((e) => e !== le).map((e) => [JSON.parse(e.line).id ?? JSON.parse(e.line).event.id, e]));

    assert.deepEqual(le.labels, { job: 'shipwatch', source: 'log', host: 'node-1', container: 'api', compose_service: 'api', stream: 'stderr' });
    assert.equal(le.ts, rfc3339ToNanos(log.event.time)!.toString());
    assert.equal(le.ts, '1700000000124456792');
    assert.equal(le.line, (log.log as { message: string }).message);

    const de = byId.get('ev-2')!;
    assert.deepEqual(de.labels, { job: 'shipwatch', source: 'docker', host: 'node-1', container: 'web' });
    assert.equal(de.ts, rfc3339ToNanos(timeAt(2))!.toString());

    const ke = byId.get('ev-3')!;
    assert.deepEqual(ke.labels, { job: 'shipwatch', source: 'k8s_audit', host: 'collector-host', namespace: 'payments', pod: 'api-7d9f' });

    assert.equal(byId.get('ev-4')!.ts, '1714557600500000000');

    const ae = byId.get('al-5')!;
    assert.deepEqual(ae.labels, { job: 'shipwatch', source: 'alert', host: 'node-1', container: 'web', severity: 'critical' });
    assert.equal(ae.ts, rfc3339ToNanos(dock.event.time)!.toString());
    assert.deepEqual(JSON.parse(ae.line), alert);
    for (const e of r.entries()) assert.equal(e.metadata, undefined);
  });

  test('gzip-compressed JSON with Content-Type, tenant and auth headers', async () => {
    const s = sink({ tenant_id: 'team-a', username: 'u', password: 'p' });
    commit(env.db, s, Array.from({ length: 50 }, (_, i) => logEvent(i)));
    s.start();
    await r.waitForEntries(50);
    const [req] = r.requests();
    assert.equal(req!.status, 204);
    assert.equal(req!.contentType, 'application/json');
    assert.equal(req!.contentEncoding, 'gzip');
    assert.ok(req!.wireBytes < req!.bodyBytes / 3, `compressed ${req!.wireBytes} of ${req!.bodyBytes}`);
    assert.equal(req!.headers['x-scope-orgid'], 'team-a');
    assert.equal(req!.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.equal(req!.streams, 1);

    const t = sink({ bearer_token: 'tok' }, new CollectorMetrics(), tempDbFor());
    commit(t['db'], t, [logEvent(99)]);
    t.start();
    await r.waitForEntries(51);
    assert.equal(r.requests().at(-1)!.headers.authorization, 'Bearer tok');
  });

  test('batches stay within batch_max_bytes and keep per-stream order', async () => {
    const metrics = new CollectorMetrics();
    const s = sink({ batch_max_bytes: 8192 }, metrics);
    const events = Array.from({ length: 900 }, (_, i) => logEvent(i, { container: `c${i % 3}`, size: 100 + (i % 7) * 20 }));
    commitMany(env.db, s, events, 100);
    s.start();
    await r.waitForEntries(900);
    const reqs = r.requests();
    assert.ok(reqs.length > 20, `${reqs.length} requests`);
    for (const q of reqs) assert.ok(q.bodyBytes <= 8192, `body ${q.bodyBytes} > 8192`);
    assert.ok(reqs.some((q) => q.bodyBytes > 6000), 'batches are filled');
    assert.equal(r.duplicateCount(), 0);
    const perStream = new Map<string, number[]>();
    for (const e of r.entries()) {
      const list = perStream.get(e.labels.container!) ?? [];
      list.push(seqOf(e));
      perStream.set(e.labels.container!, list);
    }
    assert.equal(perStream.size, 3);
    for (const [name, seqs] of perStream) {
      assert.equal(seqs.length, 300, name);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of ${name}`);
    }
    // Across streams the push groups entries by stream; the seq order holds between batches.
    assert.deepEqual(r.entries().map(seqOf).sort((a, b) => a - b), events.map((_, i) => i));
    await waitUntil(() => s.health().queued_entries === 0, 2000, 'empty outbox');
    assert.equal(await metricValue(metrics, 'shipwatch_loki_entries_sent_total'), 900);
    assert.equal(await metricValue(metrics, 'shipwatch_loki_requests_total', { code: '204' }), reqs.length);
    assert.equal(await metricValue(metrics, 'shipwatch_queue_depth', { queue: 'loki' }), 0);
    assert.ok((await metricValue(metrics, 'shipwatch_loki_last_success_timestamp_seconds')) > Date.now() / 1000 - 60);
  });

  test('a batch waits at most batch_wait_ms, and a full one goes at once', async () => {
    const s = sink({ batch_wait_ms: 300 });
    s.start();
    const t0 = Date.now();
    commit(env.db, s, [logEvent(1)]);
    await r.waitForEntries(1);
    const waited = Date.now() - t0;
    assert.ok(waited >= 250 && waited < 2000, `waited ${waited} ms`);

    const big = sink({ batch_wait_ms: 60_000, batch_max_bytes: 4096 }, new CollectorMetrics(), tempDbFor());
    big.start();
    commit(big['db'], big, Array.from({ length: 100 }, (_, i) => logEvent(100 + i)));
    await r.waitForEntries(30, 3000);
  });

  test('receiver down then back: every entry arrives once', async () => {
    const metrics = new CollectorMetrics();
    const s = sink({ batch_max_bytes: 16_384 }, metrics);
    s.start();
    commitMany(env.db, s, Array.from({ length: 300 }, (_, i) => logEvent(i)), 50);
    await r.waitForEntries(1);
    await r.setMode({ kind: 'down' });
    commitMany(env.db, s, Array.from({ length: 700 }, (_, i) => logEvent(300 + i)), 50);
    await waitUntil(() => s.health().retrying, 5000, 'retrying');
    await new Promise((res) => setTimeout(res, 150));
    assert.ok(s.health().queued_entries > 0);
    assert.match(s.health().last_error!.message, /network/);
    assert.ok((await metricValue(metrics, 'shipwatch_loki_errors_total', { reason: 'network' })) >= 1);
    await r.setMode({ kind: 'ok' });
    await r.waitForEntries(1000);
    await waitUntil(() => s.health().queued_entries === 0 && !s.health().retrying, 5000, 'drained');
    assert.equal(r.count(), 1000);
    assert.equal(r.duplicateCount(), 0);
    assert.deepEqual(new Set(r.entries().map(seqOf)).size, 1000);
  });

  test('500 and 429 are retried with the same entries; Retry-After is honoured', async () => {
    const metrics = new CollectorMetrics();
    const s = sink({ max_backoff_ms: 5000 }, metrics);
    await r.setMode({ kind: 'status', status: 500, count: 3 });
    commit(env.db, s, Array.from({ length: 20 }, (_, i) => logEvent(i)));
    s.start();
    await r.waitForEntries(20);
    assert.deepEqual(r.requests().map((q) => q.status), [500, 500, 500, 204]);
    // The same compressed body each time.
    assert.equal(new Set(r.requests().map((q) => q.wireBytes)).size, 1);
    assert.equal(await metricValue(metrics, 'shipwatch_loki_errors_total', { reason: 'http_5xx' }), 3);
    assert.equal(await metricValue(metrics, 'shipwatch_loki_requests_total', { code: '500' }), 3);

    r.reset();
    await r.setMode({ kind: 'status', status: 429, count: 1, retryAfter: '1' });
    const t0 = Date.now();
    commit(env.db, s, Array.from({ length: 20 }, (_, i) => logEvent(100 + i)));
    await r.waitForEntries(20);
    assert.ok(Date.now() - t0 >= 950, `retried after ${Date.now() - t0} ms`);
    assert.deepEqual(r.requests().map((q) => q.status), [429, 204]);
    assert.equal(await metricValue(metrics, 'shipwatch_loki_errors_total', { reason: 'http_429' }), 1);
    assert.equal(r.duplicateCount(), 0);
  });

  test('a 400 drops that batch, counts it, and later batches go through', async () => {
    const metrics = new CollectorMetrics();
    const s = sink({}, metrics);
    await r.setMode({ kind: 'status', status: 400, count: 1, body: 'entry for stream has timestamp too old' });
    commit(env.db, s, Array.from({ length: 10 }, (_, i) => logEvent(i)));
    s.start();
    await waitUntil(() => r.requests().length === 1, 5000, 'first request');
    await waitUntil(() => s.health().queued_entries === 0, 5000, 'batch dropped');
    commit(env.db, s, Array.from({ length: 10 }, (_, i) => logEvent(10 + i)));
    await r.waitForEntries(10);
    assert.deepEqual(r.entries().map(seqOf), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.equal(await metricValue(metrics, 'shipwatch_dropped_total', { stage: 'loki', reason: 'rejected_400' }), 10);
    assert.equal(await metricValue(metrics, 'shipwatch_loki_errors_total', { reason: 'http_4xx' }), 1);
    assert.match(s.health().last_error!.message, /HTTP 400: entry for stream has timestamp too old/);
    assert.equal(s.health().retrying, false);
  });

  test('the outbox bound drops the oldest entries and counts them', async () => {
    const metrics = new CollectorMetrics();
    const max = 40_000;
    const s = sink({ max_queue_bytes: max, batch_max_bytes: 4096 }, metrics);
    await r.setMode({ kind: 'down' });
    s.start();
    for (let i = 0; i < 1000; i += 20) {
      // Random messages: chunks are compressed, and this keeps them from compressing much.
      commit(env.db, s, Array.from({ length: 20 }, (_, j) => logEvent(i + j, { message: `line ${i + j} ${randomBytes(120).toString('base64')}` })));
      await new Promise((res) => setImmediate(res));
    }
    const h = s.health();
    assert.ok(h.queued_bytes <= max, `queued ${h.queued_bytes}`);
    const dropped = await metricValue(metrics, 'shipwatch_dropped_total', { stage: 'loki', reason: 'queue_full' });
    assert.ok(dropped > 500, `dropped ${dropped}`);
    assert.equal(h.queued_entries + dropped, 1000, 'queued + dropped');
    assert.equal(await metricValue(metrics, 'shipwatch_queue_depth', { queue: 'loki' }), h.queued_entries, 'queue depth gauge');
    assert.equal(r.count(), 0, 'nothing delivered while down');
    await r.setMode({ kind: 'ok' });
    await waitUntil(() => s.health().queued_entries === 0, 5000, 'drained');
    const got = r.entries().map(seqOf);
    assert.equal(got.length, 1000 - dropped, `received ${got.length} (${got[0]}..${got.at(-1)}), dropped ${dropped}, duplicates ${r.duplicateCount()}`);
    assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => 1000 - got.length + i), 'the newest entries, in order');
    assert.equal(r.duplicateCount(), 0);
  });

  test('a 20,000-character line arrives whole', async () => {
    const s = sink();
    const message = Array.from({ length: 20_000 }, (_, i) => 'ab"\\\n\tç€😀'[i % 10]).join('').slice(0, 20_000);
    const ev = logEvent(1, { message });
    commit(env.db, s, [ev]);
    s.start();
    await r.waitForEntries(1);
    const got = r.entries()[0]!.line;
    assert.equal(got.length, 20_000);
    assert.equal(got, message);
  });

  test('an entry larger than batch_max_bytes goes alone', async () => {
    const s = sink({ batch_max_bytes: 2048 });
    commit(env.db, s, [logEvent(1), logEvent(2, { size: 10_000 }), logEvent(3)]);
    s.start();
    await r.waitForEntries(3);
    assert.deepEqual(r.entries().map(seqOf), [1, 2, 3]);
    assert.deepEqual(r.requests().map((q) => q.entries), [1, 1, 1]);
  });

  test('structured metadata only when enabled', async () => {
    await r.close();
    r = await startLokiReceiver({ structuredMetadata: true });
    const s = sink({ structured_metadata: true });
    const dock = dockerEvent(1);
    commit(env.db, s, [dock], [alertOf(dock, 2)]);
    s.start();
    await r.waitForEntries(2);
    const [ev, al] = r.entries();
    assert.deepEqual(ev!.metadata, { container_id: 'id-web' });
    assert.deepEqual(al!.metadata, { container_id: 'id-web', rule_id: '100200' });
  });

  test('a Loki 2 receiver refuses structured metadata with 400, so it is off by default', async () => {
    await r.close();
    r = await startLokiReceiver({ structuredMetadata: false });
    const off = sink();
    commit(env.db, off, [dockerEvent(1)]);
    off.start();
    await r.waitForEntries(1);
    const on = sink({ structured_metadata: true }, new CollectorMetrics(), tempDbFor());
    commit(on['db'], on, [dockerEvent(2)]);
    on.start();
    await waitUntil(() => r.requests().length === 2, 5000, 'second request');
    assert.equal(r.requests()[1]!.status, 400);
    assert.match(r.requests()[1]!.error!, /structured metadata/);
  });

  test('entries queued with structured metadata go without it once the option is off', async () => {
    await r.close();
    r = await startLokiReceiver({ structuredMetadata: false });
    const on = sink({ structured_metadata: true });
    commit(env.db, on, [dockerEvent(1), logEvent(2)]);
    const off = sink({}, new CollectorMetrics(), openDb(env.file));
    off.start();
    await r.waitForEntries(2);
    assert.deepEqual(r.requests().map((q) => q.status), [204]);
    assert.deepEqual(r.entries().map((e) => [e.metadata, seqOf(e), e.ts]), [
      [undefined, 1, rfc3339ToNanos(timeAt(1))!.toString()],
      [undefined, 2, rfc3339ToNanos(timeAt(2))!.toString()],
    ]);
  });

  test('stop() flushes without waiting for batch_wait_ms', async () => {
    const s = sink({ batch_wait_ms: 60_000 });
    s.start();
    commit(env.db, s, Array.from({ length: 30 }, (_, i) => logEvent(i)));
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(r.count(), 0);
    const t0 = Date.now();
    await s.stop(2000);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(r.count(), 30);
    assert.equal(s.health().queued_entries, 0);
  });

  test('stop() keeps its deadline when Loki hangs, and nothing is lost', async () => {
    const s = sink({ timeout_ms: 30_000 });
    await r.setMode({ kind: 'hang' });
    commit(env.db, s, Array.from({ length: 30 }, (_, i) => logEvent(i)));
    s.start();
    await waitUntil(() => r.requests().length === 1, 5000, 'a request');
    const t0 = Date.now();
    await s.stop(300);
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 1500, `stop took ${took} ms`);
    assert.equal(s.health().queued_entries, 30);
    // A new start on the same outbox delivers them.
    await r.setMode({ kind: 'ok' });
    const again = sink();
    again.start();
    await r.waitForEntries(30);
  });

  test('stop and start again on the same instance', async () => {
    const s = sink();
    s.start();
    commit(env.db, s, [logEvent(1)]);
    await r.waitForEntries(1);
    await s.stop();
    commit(env.db, s, [logEvent(2)]);
    assert.equal(s.health().queued_entries, 1);
    s.start();
    await r.waitForEntries(2);
    assert.equal(r.duplicateCount(), 0);
  });

  test('a new sink resumes in the middle of a partly acknowledged commit', async () => {
    const s = sink({ batch_max_bytes: 2048 });
    // One store transaction, one outbox chunk, many push batches.
    commit(env.db, s, Array.from({ length: 200 }, (_, i) => logEvent(i)));
    s.start();
    await r.waitForEntries(40);
    await r.setMode({ kind: 'hang' });
    await waitUntil(() => r.requests().at(-1)!.status === 0, 5000, 'a hung request');
    await s.stop(100);
    const acked = r.count();
    assert.ok(acked >= 40 && acked < 200);
    await r.setMode({ kind: 'ok' });

    const db = openDb(env.file);
    const again = sink({ batch_max_bytes: 2048 }, new CollectorMetrics(), db);
    assert.equal(again.health().queued_entries, 200 - acked);
    again.start();
    await r.waitForEntries(200);
    await again.stop();
    db.close();
    assert.equal(r.duplicateCount(), 0);
    assert.deepEqual(r.entries().map(seqOf), Array.from({ length: 200 }, (_, i) => i));
  });

  test('a timeout is counted and retried', async () => {
    const metrics = new CollectorMetrics();
    const s = sink({ timeout_ms: 150 }, metrics);
    await r.setMode({ kind: 'hang' });
    commit(env.db, s, [logEvent(1)]);
    s.start();
    await waitUntil(() => r.requests().length >= 1, 5000, 'a request');
    await new Promise((res) => setTimeout(res, 200));
    await r.setMode({ kind: 'ok' });
    await r.waitForEntries(1);
    assert.ok((await metricValue(metrics, 'shipwatch_loki_errors_total', { reason: 'timeout' })) >= 1);
  });

  test('a rolled-back store transaction leaves nothing queued', () => {
    const s = sink();
    assert.throws(() =>
      env.db.transaction(() => {
        s.onCommit({ events: [logEvent(1), logEvent(2)], alerts: [], checkpoints: [] });
        throw new Error('store failed');
      })(),
    );
    assert.deepEqual([s.health().queued_entries, s.health().queued_bytes], [0, 0]);
    commit(env.db, s, [logEvent(3)]);
    assert.equal(s.health().queued_entries, 1);
  });

  test('disabled without a url', () => {
    const s = makeSink(env.db, {});
    s.onCommit({ events: [logEvent(1)], alerts: [], checkpoints: [] });
    s.start();
    assert.deepEqual(s.health(), { enabled: false, url: undefined, queued_entries: 0, queued_bytes: 0, last_success: null, last_error: null, retrying: false });
  });

  test('restart after kill -9 resends the unacknowledged entries with identical timestamps and lines', async () => {
    env.db.close();
    // The child pushes batches of ~4 KiB; the receiver records the first one and never answers.
    await r.setMode({ kind: 'hang', record: true });
    const child = fork(fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url)), [env.file, r.url, '200', '4096'], {
      execArgv: ['--import', 'tsx'],
      stdio: 'ignore',
    });
    await r.waitForEntries(1, 15_000);
    const before = r.entries();
    assert.ok(before.length > 0 && before.length < 200, `${before.length} entries in the lost batch`);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await r.setMode({ kind: 'ok' });

    const db = openDb(env.file);
    const s = sink({ batch_max_bytes: 4096 }, new CollectorMetrics(), db);
    assert.equal(s.health().queued_entries, 200);
    s.start();
    await r.waitForEntries(200);
    await waitUntil(() => s.health().queued_entries === 0, 5000, 'drained');
    await s.stop();
    db.close();
    // The batch that was in flight came again, byte for byte (Loki drops it as a duplicate).
    assert.equal(r.duplicateCount(), before.length);
    assert.deepEqual(r.duplicates(), before);
    assert.equal(r.count(), 200);
    const expected = Array.from({ length: 200 }, (_, i) => rfc3339ToNanos(timeAt(i))!.toString());
    assert.deepEqual(r.entries().map((e) => e.ts).sort(), expected.sort());
  });
});

// A second database for tests that need two sinks at once.
const extraDbs: Array<ReturnType<typeof tempDb>> = [];
function tempDbFor(): Database.Database {
  const t = tempDb();
  extraDbs.push(t);
  return t.db;
}
afterEach(() => {
  for (const t of extraDbs.splice(0)) t.cleanup();
});
