import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rfc3339ToNanos } from '../../backend/src/event/time.js';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { startLokiReceiver, type LokiReceiver, type ReceivedEntry } from '../support/loki-receiver.js';
import { engineLines } from '../logs/harness.js';

/**
 * The whole path, through the running collector: a container logging 100 lines/s, Loki down for
 * 60 s, then the collector killed with -9 mid-stream and restarted on the same store. Every line
 * the engine has must reach the receiver, each with one timestamp (a re-sent batch is an exact
 * duplicate, which Loki drops).
 */
describe('container logs → Loki through an outage and a kill -9', () => {
  let d: Dockerd;
  let loki: LokiReceiver;
  let c: RunningCollector;
  const env = (lokiUrl: string) => ({
    SHIPWATCH_LOKI_URL: lokiUrl, SHIPWATCH_LOKI_BATCH_WAIT_MS: '200', SHIPWATCH_LOKI_MIN_BACKOFF_MS: '200', SHIPWATCH_LOKI_MAX_BACKOFF_MS: '2000',
    SHIPWATCH_STATS_ENABLED: 'false',
  });
  const logEntries = (name: string): ReceivedEntry[] => loki.entries().filter((e) => e.labels.source === 'log' && e.labels.container === name);
  const message = (e: ReceivedEntry) => e.line;

  before(async () => {
    d = await startDockerd();
    loki = await startLokiReceiver();
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host, ...env(loki.url) } });
    await c.waitForLog((l) => l.msg === 'docker engine connected');
  });
  after(async () => {
    await c?.stop();
    await loki?.close();
    await d?.destroy();
  });

  it('delivers every line once Loki is back, and again after kill -9, each with its one timestamp', { timeout: 240_000 }, async () => {
    // A 20,000-character line first, then numbered lines, ten every 100 ms (one sleep per line
    // forks too often to reach 100 lines/s on a busy machine).
    await d.docker('run', '-d', '--name', 'chatty', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      'printf "%020000d\\n" 7; i=0; while true; do for j in 0 1 2 3 4 5 6 7 8 9; do i=$((i+1)); echo "seq $i"; done; sleep 0.1; done');
    await eventually(() => (logEntries('chatty').length >= 100 ? true : undefined), '100 lines pushed', 30_000);

    await loki.setMode({ kind: 'down' });
    const downAt = Date.now();
    const during = await eventually(async () => {
      const h = await c.get<{ sinks: { loki: { retrying: boolean; queued_entries: number } } }>('/api/v1/health');
      return h.body.sinks.loki.retrying ? h.body.sinks.loki : undefined;
    }, 'health showing Loki retrying', 15_000);
    assert.ok(during.queued_entries > 0);
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - downAt))));
    const queued = (await c.get<{ sinks: { loki: { queued_entries: number } } }>('/api/v1/health')).body.sinks.loki.queued_entries;
    assert.ok(queued >= 4_500, `about 6,000 lines queued during 60 s at 100 lines/s, saw ${queued}`);
    await loki.setMode({ kind: 'ok' });
    const before = logEntries('chatty').length;
    await eventually(() => (logEntries('chatty').length >= before + queued * 0.9 ? true : undefined), 'the queued lines delivered', 60_000);

    // Mid-stream: the container keeps logging while the collector dies without any shutdown.
    await c.kill9();
    await new Promise((r) => setTimeout(r, 2_000));
    c = await startCollector({ storeDir: c.storeDir, env: { SHIPWATCH_DOCKER_SOCKET: d.host, ...env(loki.url) } });
    await new Promise((r) => setTimeout(r, 3_000));
    await d.docker('stop', '-t', '0', 'chatty');

    const truth = await engineLines(d, 'chatty');
    assert.ok(truth.length > 5_000, `the engine holds ${truth.length} lines`);
    const want = new Map(truth.map((l) => [`${rfc3339ToNanos(l.time)}|${l.message}`, l]));
    const got = await eventually(() => {
      const entries = logEntries('chatty');
      return entries.length >= want.size ? entries : undefined;
    }, `all ${want.size} engine lines at the receiver`, 60_000).catch(() => logEntries('chatty'));

    const seen = new Map<string, number>();
    for (const e of got) {
      const key = `${e.ts}|${message(e)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const short = (k: string) => (k.length > 80 ? `${k.slice(0, 60)}… (${k.length} chars)` : k);
    const missing = [...want.keys()].filter((k) => !seen.has(k)).map(short);
    const extra = [...seen.keys()].filter((k) => !want.has(k)).map(short);
    assert.deepEqual({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { missing: [], extra: [] },
      `${missing.length} engine lines never arrived; ${extra.length} arrived with a timestamp or text the engine does not have`);
    // The receiver keeps unique entries only; a line sent twice with another timestamp would be two.
    const bySeq = new Map<string, number>();
    for (const e of got) bySeq.set(message(e), (bySeq.get(message(e)) ?? 0) + 1);
    assert.deepEqual([...bySeq].filter(([, n]) => n > 1).slice(0, 5), [], 'no line arrives twice as two different entries');
    assert.ok(got.some((e) => message(e) === '0'.repeat(19_999) + '7'), 'the 20,000-character line arrived whole');
    // Re-sent after the kill: only exact duplicates, which Loki ignores.
    for (const dup of loki.duplicates()) assert.ok(want.has(`${dup.ts}|${message(dup)}`) || dup.labels.source !== 'log');
  });
});
