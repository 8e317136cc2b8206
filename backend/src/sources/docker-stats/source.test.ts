import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MetricsLookup } from '../../api/routes/containers.js';
import type { ShipEvent } from '../../event/event.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import { silentLogger } from '../../util/log.js';
import { DockerApiError } from '../docker/client.js';
import type { DockerStats } from './compute.js';
import { parseStatsConfig, statsConfigSchema, type StatsConfigInput } from './config.js';
import { DockerStatsSource, type StatsClient } from './source.js';
import { fixture, HOST_MEMORY } from './testing/fixtures.js';

const ID = 'a'.repeat(64);
const GIB = 1024 ** 3;

/** A stats document: `cpuPct` of 2 CPUs since the previous one `seconds` earlier is reached by the caller's totals. */
function doc(o: { t: number; cpu: number; system: number; usage?: number; inactive?: number; limit?: number; rx?: number; tx?: number; pids?: number }): DockerStats {
  return {
    read: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + o.t * 1000).toISOString().replace('Z', '123456Z'),
    cpu_stats: { cpu_usage: { total_usage: o.cpu, percpu_usage: [o.cpu / 2, o.cpu / 2] }, system_cpu_usage: o.system, online_cpus: 2, throttling_data: { periods: 0 } },
    memory_stats: { usage: o.usage ?? 100 * 1024 * 1024, max_usage: 200 * 1024 * 1024, limit: o.limit ?? HOST_MEMORY, stats: { total_inactive_file: o.inactive ?? 0, total_rss: 1, total_cache: 2 } },
    networks: { eth0: { rx_bytes: o.rx ?? 0, tx_bytes: o.tx ?? 0 } },
    pids_stats: { current: o.pids ?? 3 },
    blkio_stats: { io_service_bytes_recursive: [] },
  };
}

/** CPU series of 10 s samples on 2 CPUs: cumulative totals for the given percents. */
function cpuSeries(percents: number[], extra: (i: number) => Partial<Parameters<typeof doc>[0]> = () => ({})): DockerStats[] {
  let cpu = 1e9;
  const out = [doc({ t: 0, cpu, system: 1e12, ...extra(0) })];
  percents.forEach((p, i) => {
    cpu += (p / 100 / 2) * 20e9;
    out.push(doc({ t: 10 * (i + 1), cpu, system: 1e12 + 20e9 * (i + 1), ...extra(i + 1) }));
  });
  return out;
}

class FakeEngine implements StatsClient {
  readonly endpoint = { socketPath: '/nowhere' };
  containers: { Id: string; Names: string[]; Image: string; ImageID: string; Labels: Record<string, string>; State: string }[] = [];
  queue = new Map<string, (DockerStats | Error)[]>();
  requests: string[] = [];
  closed = false;

  run(id: string, name: string, labels: Record<string, string> = {}, samples: (DockerStats | Error)[] = []): void {
    this.containers.push({ Id: id, Names: [`/${name}`], Image: 'swtest/busybox:1', ImageID: 'sha256:abc', Labels: labels, State: 'running' });
    this.queue.set(id, samples);
  }

  async getJson<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    this.requests.push(`${path}?${new URLSearchParams(query).toString()}`);
    if (path === '/info') return { MemTotal: HOST_MEMORY } as T;
    if (path === '/containers/json') return structuredClone(this.containers) as T;
    const m = /^\/containers\/([^/]+)\/(json|stats)$/.exec(path);
    if (!m) throw new DockerApiError(`GET ${path}: HTTP 404`, 404, undefined);
    const id = decodeURIComponent(m[1]!);
    if (!this.containers.some((c) => c.Id === id)) throw new DockerApiError(`GET ${path}: HTTP 404: no such container`, 404, undefined);
    if (m[2] === 'json') return { State: { StartedAt: '2026-01-01T00:00:00.5Z', Running: true }, HostConfig: { NanoCpus: 500_000_000, CpuShares: 0 } } as T;
    const next = this.queue.get(id)!.shift();
    if (!next) throw new DockerApiError(`GET ${path}: HTTP 500: no more samples`, 500, undefined);
    if (next instanceof Error) throw next;
    return next as T;
  }

  close(): void {
    this.closed = true;
  }
}

function setup(cfg: StatsConfigInput = {}) {
  const engine = new FakeEngine();
  const events: ShipEvent[] = [];
  const metrics = new CollectorMetrics();
  const source = new DockerStatsSource({
    client: engine, metrics, log: silentLogger(), hostName: 'h1', cfg: parseStatsConfig(cfg), getStats: (p, q) => engine.getJson(p, q),
    emitter: { emit: (e) => void events.push(e), flush: async () => undefined },
  });
  const metric = (i: number) => events[i]!.metric as Record<string, Record<string, unknown> | number | boolean>;
  return { engine, events, metrics, source, metric };
}

describe('DockerStatsSource', () => {
  test('each sample is a metric event: time from the engine, container identity, values; no rates on the first', async () => {
    const { engine, events, source, metric } = setup();
    const labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', other: 'x' };
    engine.run(ID, 'web1', labels, fixture('v1-network-ping.jsonl'));
    await source.poll();
    await source.poll();
    assert.equal(events.length, 2);
    const [first, second] = events as [ShipEvent, ShipEvent];
    assert.equal(first.event.source, 'metric');
    assert.equal(first.event.action, 'sample');
    assert.equal(first.event.time, '2026-11-27T00:33:19.376841992Z', 'the sample\'s read time, with nanoseconds');
    assert.equal(second.event.time, '2026-11-27T00:33:20.382731968Z');
    assert.deepEqual(first.host, { name: 'h1' });
    assert.deepEqual(first.container, { id: ID, name: 'web1', image: 'swtest/busybox:1', image_id: 'sha256:abc', labels, compose: { project: 'shop', service: 'web' } });
    const m0 = metric(0);
    assert.equal(m0.cpu, undefined, 'first sample: no CPU % yet');
    assert.equal(m0.network, undefined, 'first sample: no network rate yet');
    assert.deepEqual(m0.memory, { working_set_bytes: 352_256, usage_bytes: 352_256, limit_bytes: 0, threshold: 90, over_threshold: false });
    assert.equal(m0.pids, 1);
    assert.equal(m0.baseline_ready, false);
    const m1 = metric(1);
    const cpu = m1.cpu as Record<string, number | boolean>;
    assert.ok((cpu.percent as number) > 0 && (cpu.percent as number) < 1, `a ping container is nearly idle (${cpu.percent})`);
    assert.equal(cpu.threshold, 90);
    assert.equal(cpu.over_threshold, false);
    assert.equal(cpu.baseline, undefined, 'no earlier CPU % to compare with');
    const net = m1.network as Record<string, number | boolean>;
    const dt = 1.005889976;
    assert.ok(Math.abs((net.rx_bytes_per_second as number) - 5210 / dt) < 1e-6);
    assert.ok(Math.abs((net.tx_bytes_per_second as number) - 5210 / dt) < 1e-6);
    assert.ok(Math.abs((net.bytes_per_second as number) - 10420 / dt) < 1e-6);
    assert.equal(net.threshold, 50 * 1024 * 1024);
    assert.deepEqual(m1.blkio, { read_bytes_per_second: 0, write_bytes_per_second: 0 });
    const mem = m1.memory as Record<string, number>;
    assert.equal(mem.baseline, 352_256, 'the memory baseline is the previous sample');
    assert.equal(mem.baseline_ratio, 352_256 / (32 * 1024 * 1024), 'divided by the floor for a small container');
    assert.ok(engine.requests.includes(`/containers/${ID}/stats?stream=0&one-shot=1`), 'one-shot sampler');
  });

  test('latest(): the numbers for the API; absent for unknown containers', async () => {
    const { engine, source } = setup();
    engine.run(ID, 'm', {}, fixture('v1-tmpfs-40m-limit-256m.jsonl'));
    assert.equal(source.latest(ID), undefined);
    await source.poll();
    assert.deepEqual(source.latest(ID), { memory_working_set_bytes: 42_373_120, memory_limit_bytes: 268_435_456, memory_percent: (42_373_120 / 268_435_456) * 100, pids: 1 });
    await source.poll();
    const l = source.latest(ID)!;
    assert.equal(l.cpu_percent, 0);
    assert.equal(l.network_rx_bytes_per_second, 0);
    const lookup: MetricsLookup = (id) => source.latest(id); // what the API's container list takes
    assert.equal(lookup('nope'), undefined);
    assert.equal(source.status().containers, 1);
    assert.equal(source.status().samples, 2);
  });

  test('memory over a threshold of its limit; an unlimited container is never over and has no %', async () => {
    const { engine, events, source } = setup({ memory_threshold: 10 });
    engine.run(ID, 'limited', {}, fixture('v1-tmpfs-40m-limit-256m.jsonl'));
    engine.run('b'.repeat(64), 'unlimited', {}, fixture('v1-page-cache.jsonl'));
    await source.poll();
    const by = (n: string) => (events.find((e) => (e.container as { name: string }).name === n)!.metric as Record<string, Record<string, unknown>>).memory!;
    assert.equal(by('limited').over_threshold, true, '15.8% > 10%');
    assert.equal(by('limited').threshold, 10);
    assert.equal(by('unlimited').over_threshold, false);
    assert.equal(by('unlimited').percent, undefined);
    assert.equal(by('unlimited').limit_bytes, 0);
  });

  test('thresholds per container from its shipwatch.threshold.<resource> labels', async () => {
    const { engine, events, source, metric } = setup({ cpu_threshold: 90 });
    engine.run(ID, 'tight', { 'shipwatch.threshold.cpu': '20', 'shipwatch.threshold.network': '1KiB', 'shipwatch.threshold.memory': 'lots' }, cpuSeries([30, 10]));
    await source.poll();
    await source.poll();
    await source.poll();
    assert.equal(events.length, 3);
    const cpu1 = metric(1).cpu as Record<string, unknown>;
    assert.ok(Math.abs((cpu1.percent as number) - 30) < 1e-9);
    assert.equal(cpu1.threshold, 20);
    assert.equal(cpu1.over_threshold, true);
    assert.equal((metric(2).cpu as Record<string, unknown>).over_threshold, false, '10% < 20%');
    assert.equal((metric(1).network as Record<string, unknown>).threshold, 1024);
    assert.equal((metric(1).memory as Record<string, unknown>).threshold, 90, 'not a number: the configured default');
  });

  test('baseline: rolling mean of the previous baseline_window samples, current one excluded; ratio over a floor; ready after N', async () => {
    const { engine, source, metric } = setup({ baseline_window: 3, baseline_min_samples: 3, cpu_baseline_floor: 5 });
    engine.run(ID, 'b', {}, cpuSeries([10, 20, 30, 40, 200, 1]));
    for (let i = 0; i < 7; i++) await source.poll();
    const cpu = (i: number) => metric(i).cpu as { baseline: number; baseline_ratio: number };
    assert.equal(cpu(1).baseline, undefined);
    assert.ok(Math.abs(cpu(2).baseline - 10) < 1e-9);
    assert.ok(Math.abs(cpu(3).baseline - 15) < 1e-9);
    assert.ok(Math.abs(cpu(4).baseline - 20) < 1e-9, 'mean of 10, 20, 30');
    assert.ok(Math.abs(cpu(5).baseline - 30) < 1e-9, 'window of 3: 20, 30, 40');
    assert.ok(Math.abs(cpu(5).baseline_ratio - 200 / 30) < 1e-9);
    assert.ok(Math.abs(cpu(6).baseline - 90) < 1e-9, '30, 40, 200');
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => metric(i).baseline_ready), [false, false, false, false, true, true, true], 'ready once the CPU baseline holds 3 samples');
  });

  test('the floor keeps an idle container\'s blip from being a huge ratio', async () => {
    const { engine, source, metric } = setup({ cpu_baseline_floor: 5 });
    engine.run(ID, 'idle', {}, cpuSeries([0.01, 0.01, 2]));
    for (let i = 0; i < 4; i++) await source.poll();
    const cpu = metric(3).cpu as { baseline: number; baseline_ratio: number };
    assert.ok(Math.abs(cpu.baseline - 0.01) < 1e-9);
    assert.ok(Math.abs(cpu.baseline_ratio - 2 / 5) < 1e-9);
  });

  test('a zeroed sample (the container stopped meanwhile) is skipped: no event, values unchanged', async () => {
    const { engine, events, source } = setup();
    const [z] = fixture('v1-stopped-zeroed.json');
    const [a, b] = fixture('v1-busy-cpus-0.5.jsonl');
    engine.run(ID, 'flappy', {}, [a!, z!, b!]);
    await source.poll();
    const before = source.latest(ID);
    await source.poll();
    assert.equal(events.length, 1);
    assert.deepEqual(source.latest(ID), before);
    assert.equal(source.status().zeroed_skipped, 1);
    await source.poll();
    assert.equal(events.length, 2);
    assert.ok((source.latest(ID)!.cpu_percent ?? 0) > 30, 'the rate is taken against the last real sample');
  });

  test('a restart (counters back to zero): no rates from across it, never negative; the baseline is kept', async () => {
    const { engine, events, source, metric } = setup();
    const restart = fixture('v1-restart.jsonl');
    const busy = fixture('v1-busy-cpus-0.5.jsonl');
    // busy[1], busy[2] have large totals; the restart's second sample has a smaller one, later.
    const after = { ...restart[1]!, read: '2026-11-27T00:40:00.000000000Z' };
    engine.run(ID, 'r', {}, [busy[0]!, busy[1]!, after]);
    await source.poll();
    await source.poll();
    await source.poll();
    assert.equal(events.length, 3);
    assert.ok(typeof (metric(1).cpu as Record<string, number>).percent === 'number');
    assert.equal(metric(2).cpu, undefined, 'no CPU % across the restart');
    assert.equal(metric(2).network, undefined);
    assert.equal(source.status().restarts_seen, 1);
    assert.equal(engine.requests.filter((r) => r === `/containers/${ID}/json?`).length, 2, 'inspected again for the new start time');
    assert.ok(((metric(2).memory as Record<string, number>).baseline ?? 0) > 0, 'memory baseline kept');
  });

  test('containers that stop leave; errors for one container do not stop the others', async () => {
    const { engine, events, source } = setup();
    engine.run(ID, 'one', {}, fixture('v1-busy-cpus-0.5.jsonl'));
    engine.run('c'.repeat(64), 'two', {}, [new DockerApiError('GET x: HTTP 409: is not running', 409, undefined), ...fixture('v1-page-cache.jsonl')]);
    await source.poll();
    assert.equal(events.length, 1);
    assert.equal([...source.containers()].length, 1);
    await source.poll();
    assert.equal(events.length, 3);
    assert.equal([...source.containers()].length, 2);
    const c = [...source.containers()].find((x) => x.identity.name === 'one')!;
    assert.equal(c.startedAt, Date.parse('2026-01-01T00:00:00.5Z') / 1000);
    assert.deepEqual(c.cpuSpec, { shares: 1024, period: 100_000, quota: 50_000 });
    engine.containers = engine.containers.filter((x) => x.Id !== ID);
    await source.poll();
    assert.deepEqual([...source.containers()].map((x) => x.identity.name), ['two']);
    assert.equal(source.latest(ID), undefined);
  });

  test('one container failing (a timeout) does not stop the round; numbers that stop coming are not shown for long', async (t) => {
    const { engine, events, source } = setup({ interval: 10_000, request_timeout: 5000 });
    engine.run(ID, 'ok', {}, fixture('v1-busy-cpus-0.5.jsonl'));
    engine.run('d'.repeat(64), 'slow', {}, [new DockerApiError('GET x: no answer within 5000 ms', undefined, 'ETIMEDOUT'), ...fixture('v1-page-cache.jsonl')]);
    await source.poll();
    assert.equal(events.length, 1);
    assert.equal(source.status().errors, 1);
    await source.poll();
    assert.equal(events.length, 3);
    assert.equal([...source.containers()].length, 2);
    const now = Date.now();
    t.mock.method(Date, 'now', () => now + 34_000);
    assert.equal([...source.containers()].length, 2, 'within 3 intervals + a request timeout');
    t.mock.method(Date, 'now', () => now + 36_000);
    assert.equal([...source.containers()].length, 0, 'stale: the engine stopped answering');
    assert.equal(source.latest(ID), undefined);
  });

  test('emit_events: false keeps the numbers but emits nothing', async () => {
    const { engine, events, source } = setup({ emit_events: false });
    engine.run(ID, 'quiet', {}, fixture('v1-busy-cpus-0.5.jsonl'));
    await source.poll();
    assert.equal(events.length, 0);
    assert.ok(source.latest(ID));
  });

  test('an engine that does not answer: status says so, start/stop are clean', async () => {
    const { engine, source, metrics } = setup({ interval: 1000 });
    engine.getJson = async () => {
      throw new DockerApiError('GET /info: ECONNREFUSED', undefined, 'ECONNREFUSED');
    };
    source.start();
    await new Promise((r) => setTimeout(r, 50));
    const s = source.status();
    assert.equal(s.connected, false);
    assert.match(s.last_error ?? '', /ECONNREFUSED/);
    assert.match(await metrics.registry.metrics(), /shipwatch_source_connected\{source="docker_stats"\} 0/);
    await source.stop();
    assert.equal(engine.closed, true);
  });
});

describe('statsConfigSchema', () => {
  test('defaults', () => {
    assert.deepEqual(parseStatsConfig({}), {
      enabled: true, interval: 10_000, mode: 'oneshot', concurrency: 64, request_timeout: 5000,
      cpu_threshold: 90, memory_threshold: 90, network_threshold: 50 * 1024 * 1024,
      baseline_window: 60, baseline_min_samples: 10, cpu_baseline_floor: 5, memory_baseline_floor: 32 * 1024 * 1024, network_baseline_floor: 64 * 1024,
      emit_events: true, prometheus_labels: ['com.docker.compose.project', 'com.docker.compose.service'],
    });
  });

  test('environment-style strings', () => {
    const c = parseStatsConfig({ interval: '2s', network_threshold: '10MiB', cpu_threshold: '75.5', enabled: 'false', baseline_window: '30', prometheus_labels: 'com.docker.compose.*, team' });
    assert.equal(c.interval, 2000);
    assert.equal(c.network_threshold, 10 * 1024 * 1024);
    assert.equal(c.cpu_threshold, 75.5);
    assert.equal(c.enabled, false);
    assert.equal(c.baseline_window, 30);
    assert.deepEqual(c.prometheus_labels, ['com.docker.compose.*', 'team']);
    assert.equal(parseStatsConfig({ interval: 1500 }).interval, 1500);
    assert.equal(parseStatsConfig({ memory_baseline_floor: '1GiB' }).memory_baseline_floor, GIB);
  });

  test('refuses what cannot work', () => {
    for (const bad of [{ interval: 999 }, { interval: '500ms' }, { cpu_threshold: 0 }, { baseline_window: 1 }, { baseline_window: 5, baseline_min_samples: 6 }, { mode: 'poll' }, { unknown: 1 }, { network_threshold: 'fast' }]) {
      assert.equal(statsConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
