import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { ShipEvent } from '../../backend/src/event/event.js';
import { CollectorMetrics } from '../../backend/src/metrics/registry.js';
import { DockerClient, parseDockerEndpoint } from '../../backend/src/sources/docker/client.js';
import { DockerStatsSource, parseStatsConfig } from '../../backend/src/sources/docker-stats/index.js';
import { silentLogger } from '../../backend/src/util/log.js';
import { eventually } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { dockerStatsMemory, meanOfWindow, startMetricContainers } from './containers.js';

type Metric = Record<string, Record<string, number | boolean | undefined> | number | boolean | undefined>;

describe('container resource samples from a real dockerd', () => {
  let d: Dockerd;
  let source: DockerStatsSource;
  const events: ShipEvent[] = [];
  const samplesOf = (name: string) => events.filter((e) => (e.container as { name: string }).name === name);
  let ids: { busy: string; mem: string };

  before(async () => {
    d = await startDockerd();
    ids = await startMetricContainers(d);
    source = new DockerStatsSource({
      client: new DockerClient(parseDockerEndpoint(d.host)), metrics: new CollectorMetrics(), log: silentLogger(), hostName: 'test-host',
      cfg: parseStatsConfig({ interval: 1000, baseline_window: 5, baseline_min_samples: 3 }),
      emitter: { emit: (e) => void events.push(e), flush: async () => undefined },
    });
    source.start();
  });
  after(async () => {
    await source?.stop();
    await d?.destroy();
  });

  it('a busy loop under --cpus 0.5 reads 50% ± 10% (docker stats\' CPU %)', async () => {
    const mean = await eventually(async () => {
      const cpu = samplesOf('busy').map((e) => ((e.metric as Metric).cpu as { percent?: number } | undefined)?.percent).filter((x): x is number => x !== undefined);
      const m = meanOfWindow(cpu, 3);
      // A window of three consecutive 1 s samples; on a host saturated by other work the loop
      // gets less than its quota, so the first window within the band counts.
      return m !== undefined && Math.abs(m - 50) <= 5 ? m : undefined;
    }, `3 consecutive CPU samples of the busy container averaging 50% ± 10% (host load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs; saw ${JSON.stringify(samplesOf('busy').slice(-8).map((e) => ((e.metric as Metric).cpu as { percent?: number } | undefined)?.percent?.toFixed(1)))})`, 40_000);
    assert.ok(mean >= 45 && mean <= 55);
    for (const e of samplesOf('busy')) {
      const cpu = (e.metric as Metric).cpu as { percent?: number } | undefined;
      if (cpu?.percent !== undefined) assert.ok(cpu.percent >= 0 && cpu.percent <= 60, `never above the quota by much (${cpu.percent})`);
    }
  });

  it('the working set of a container holding 40 MB in a tmpfs agrees with docker stats within 5%', async () => {
    await eventually(async () => (samplesOf('mem').length >= 2 ? true : undefined), 'two samples of the memory container');
    const docker = await dockerStatsMemory(d, 'mem');
    const ours = source.latest(ids.mem)!;
    assert.ok(docker.usage > 40e6, `docker stats shows the 40 MB (${docker.usage})`);
    assert.ok(Math.abs(ours.memory_working_set_bytes - docker.usage) / docker.usage <= 0.05, `ours ${ours.memory_working_set_bytes} vs docker stats ${docker.usage}`);
    assert.equal(ours.memory_limit_bytes, 256 * 1024 * 1024);
    assert.equal(docker.limit, 256 * 1024 * 1024);
    assert.ok(Math.abs(ours.memory_percent! - docker.percent) <= 0.05 * docker.percent, `memory % ${ours.memory_percent} vs ${docker.percent}`);
    assert.equal(ours.pids, 1);
  });

  it('metric events carry the fields the resource rules use', async () => {
    const e = await eventually(async () => samplesOf('busy').find((x) => (x.metric as Metric).baseline_ready === true), 'a busy sample with a ready baseline');
    assert.equal(e.event.source, 'metric');
    assert.equal(e.event.action, 'sample');
    assert.match(e.event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.deepEqual(e.host, { name: 'test-host' });
    const c = e.container as { id: string; name: string; image: string; labels: Record<string, string>; compose: unknown };
    assert.equal(c.id, ids.busy);
    assert.equal(c.image, TEST_IMAGE);
    assert.deepEqual(c.compose, { project: 'metrics', service: 'busy' });
    const m = e.metric as Metric;
    const cpu = m.cpu as Record<string, number | boolean>;
    assert.equal(cpu.threshold, 20, 'from the shipwatch.threshold.cpu label');
    assert.equal(cpu.over_threshold, true);
    assert.equal(typeof cpu.baseline, 'number');
    assert.equal(cpu.baseline_ratio, (cpu.percent as number) / Math.max(cpu.baseline as number, 5));
    const mem = m.memory as Record<string, number | boolean | undefined>;
    assert.equal(typeof mem.working_set_bytes, 'number');
    assert.equal(mem.limit_bytes, 0, 'no memory limit');
    assert.equal(mem.percent, undefined);
    assert.equal(mem.over_threshold, false);
    assert.equal(mem.threshold, 90);
    const netw = m.network as Record<string, number | boolean>;
    assert.equal(netw.rx_bytes_per_second, 0, '--network none');
    assert.equal(netw.tx_bytes_per_second, 0);
    assert.equal(netw.threshold, 50 * 1024 * 1024);
    assert.equal(netw.over_threshold, false);
    assert.deepEqual(m.blkio, { read_bytes_per_second: 0, write_bytes_per_second: 0 });
    assert.equal(m.pids, 1);
    // Samples come at the interval, each at the engine's own read time.
    const times = samplesOf('busy').map((x) => Date.parse(x.event.time));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, 'sample times increase');
  });

  it('stream mode (one stats stream per container) gives the same numbers', async () => {
    const streamed: ShipEvent[] = [];
    const s = new DockerStatsSource({
      client: new DockerClient(parseDockerEndpoint(d.host)), metrics: new CollectorMetrics(), log: silentLogger(), hostName: 'test-host',
      cfg: parseStatsConfig({ interval: 1000, mode: 'stream' }),
      emitter: { emit: (e) => void streamed.push(e), flush: async () => undefined },
    });
    s.start();
    try {
      const cpuOf = (e: ShipEvent) => ((e.metric as Metric).cpu as { percent?: number } | undefined)?.percent;
      await eventually(async () => {
        const cpu = streamed.filter((e) => (e.container as { name: string }).name === 'busy').map(cpuOf).filter((x): x is number => x !== undefined);
        const m = meanOfWindow(cpu, 3);
        return m !== undefined && Math.abs(m - 50) <= 5 ? m : undefined;
      }, 'streamed CPU samples of the busy container averaging 50% ± 10%', 40_000);
      const ours = s.latest(ids.mem)!;
      const sampled = source.latest(ids.mem)!;
      assert.ok(Math.abs(ours.memory_working_set_bytes - sampled.memory_working_set_bytes) / sampled.memory_working_set_bytes <= 0.05);
      assert.equal(ours.memory_limit_bytes, 256 * 1024 * 1024);
    } finally {
      await s.stop();
    }
  });

  it('a restart: no negative rates, the counters start again; a stopped container leaves', async () => {
    const before = samplesOf('idle').length;
    await eventually(async () => (samplesOf('idle').length >= before + 2 ? true : undefined), 'idle samples');
    await d.docker('restart', '-t', '0', 'idle');
    const n = samplesOf('idle').length;
    await eventually(async () => (samplesOf('idle').length >= n + 3 ? true : undefined), 'samples after the restart');
    for (const e of samplesOf('idle')) {
      const m = e.metric as Metric;
      for (const v of [(m.cpu as { percent?: number } | undefined)?.percent, (m.network as { rx_bytes_per_second?: number } | undefined)?.rx_bytes_per_second]) {
        if (v !== undefined) assert.ok(v >= 0, `no negative rate (${v})`);
      }
    }
    const idle = [...source.containers()].find((c) => c.identity.name === 'idle')!;
    assert.ok(idle.startedAt !== undefined && idle.startedAt * 1000 > Date.now() - 60_000, 'the new start time');
    await d.docker('stop', '-t', '0', 'idle');
    await eventually(async () => ([...source.containers()].some((c) => c.identity.name === 'idle') ? undefined : true), 'the stopped container gone');
    const last = samplesOf('idle').length;
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(samplesOf('idle').length, last, 'no samples (zeros) for a stopped container');
    assert.equal(source.status().connected, true);
  });
});
