import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rfc3339ToNanos } from '../../backend/src/event/time.js';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { storedEvents } from '../support/events.js';
import { startLokiReceiver, type LokiReceiver } from '../support/loki-receiver.js';

describe('collector → Loki push contract (loopback receiver)', () => {
  let d: Dockerd;
  let loki: LokiReceiver;
  let c: RunningCollector;
  /** Entries whose line is JSON: every source but container logs, whose line is the log line itself. */
  const jsonEntries = () => loki.entries().filter((e) => e.labels.source !== 'log');
  /** Event ids among the pushed lines (alerts carry theirs one level down and are left out). */
  const pushedIds = () => new Set(jsonEntries().map((e) => (JSON.parse(e.line) as { event: { id?: string } }).event.id).filter(Boolean));
  before(async () => {
    d = await startDockerd();
    loki = await startLokiReceiver();
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host, SHIPWATCH_LOKI_URL: loki.url, SHIPWATCH_LOKI_BATCH_WAIT_MS: '100', SHIPWATCH_LOKI_MIN_BACKOFF_MS: '100', SHIPWATCH_LOKI_MAX_BACKOFF_MS: '500' } });
    await c.waitForLog((l) => l.msg === 'docker engine connected');
  });
  after(async () => {
    await c?.stop();
    await loki?.close();
    await d?.destroy();
  });

  it('pushes every stored event with low-cardinality labels and the source timestamp', async () => {
    await d.docker('run', '--name', 'pushed', '--network', 'none', '--label', 'com.docker.compose.service=api', TEST_IMAGE, 'true');
    const stored = await eventually(async () => {
      const evs = (await storedEvents(c)).filter((e) => e.container?.name === 'pushed');
      return evs.some((e) => e.event.action === 'die') ? evs : undefined;
    }, 'events of the container');
    await eventually(async () => (stored.every((ev) => pushedIds().has(ev.event.id)) ? true : undefined), 'every stored event pushed');
    for (const ev of stored) {
      const entry = jsonEntries().find((e) => (JSON.parse(e.line) as { event: { id: string } }).event.id === ev.event.id);
      assert.ok(entry, `event ${ev.event.action} pushed`);
      assert.equal(entry.ts, rfc3339ToNanos(ev.event.time)!.toString(), 'the source time, in nanoseconds, as a string');
      assert.equal(entry.labels.job, 'shipwatch');
      assert.equal(entry.labels.source, 'docker');
      assert.equal(entry.labels.container, 'pushed');
      assert.equal(entry.labels.compose_service, 'api');
      assert.ok(entry.labels.host);
      assert.equal(entry.labels.container_id, undefined, 'ids stay in the line');
      assert.deepEqual(JSON.parse(entry.line), ev);
    }
    assert.ok(loki.requests().every((r) => r.contentType === 'application/json' && r.contentEncoding === 'gzip'));
  });

  it('keeps what Loki refuses with 5xx and delivers it once Loki is back, none twice', async () => {
    const before = loki.count();
    await loki.setMode({ kind: 'status', status: 503 });
    for (let i = 0; i < 3; i += 1) await d.docker('run', '--rm', '--network', 'none', TEST_IMAGE, 'true');
    const degraded = await eventually(async () => {
      const h = await c.get<{ status: string; sinks: { loki: { retrying: boolean; queued_entries: number } } }>('/api/v1/health');
      return h.body.sinks.loki.retrying ? h.body : undefined;
    }, 'health showing Loki retrying');
    assert.equal(degraded.status, 'degraded');
    assert.ok(degraded.sinks.loki.queued_entries > 0);
    await loki.setMode({ kind: 'ok' });
    const stored = await storedEvents(c);
    await eventually(async () => (stored.every((ev) => pushedIds().has(ev.event.id)) ? true : undefined), 'every stored event pushed after Loki came back', 20_000);
    assert.ok(loki.count() > before);
    assert.equal(loki.duplicateCount(), 0);
  });
});
