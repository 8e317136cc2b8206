import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockIO, countersOf, cpuPercent, isCounterReset, isZeroedSample, memoryWorkingSet, networkTotals, sampleValues, type Counters, type DockerStats } from './compute.js';
import { fixture, HOST_MEMORY } from './testing/fixtures.js';

const counters = (s: DockerStats): Counters => countersOf(s)!;
const close = (a: number | undefined, b: number, eps = 1e-9) => assert.ok(a !== undefined && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≈ ${b}`);

describe('docker stats math (as docker/cli stats_helpers.go)', () => {
  test('cgroup v1, a busy loop under --cpus 0.5: CPU % from consecutive samples equals what docker stats shows for them', () => {
    const [a, b, c] = fixture('v1-busy-cpus-0.5.jsonl') as [DockerStats, DockerStats, DockerStats];
    for (const [prev, cur] of [[a, b], [b, c]] as const) {
      const v = sampleValues(counters(prev), counters(cur), HOST_MEMORY);
      const expected = ((cur.cpu_stats!.cpu_usage!.total_usage! - prev.cpu_stats!.cpu_usage!.total_usage!) /
        (cur.cpu_stats!.system_cpu_usage! - prev.cpu_stats!.system_cpu_usage!)) * 2 * 100;
      close(v.cpu_percent, expected);
      // In stream mode the engine's precpu_stats is the previous sample: docker stats' own figure.
      close(v.cpu_percent, cpuPercent(cur.precpu_stats!.cpu_usage!.total_usage!, cur.precpu_stats!.system_cpu_usage!, cur.cpu_stats));
      assert.ok(v.cpu_percent! > 0 && v.cpu_percent! <= 55, `a 0.5 CPU quota caps it (${v.cpu_percent})`);
    }
    // 379,632,450 ns of CPU over 2,060,000,000 ns of host CPU time on 2 CPUs.
    close(sampleValues(counters(a), counters(b), HOST_MEMORY).cpu_percent, (379_632_450 / 2_060_000_000) * 2 * 100);
  });

  test('online_cpus falls back to the number of per-CPU counters', () => {
    const [, b] = fixture('v1-busy-cpus-0.5.jsonl') as [DockerStats, DockerStats];
    const withOnline = cpuPercent(b.precpu_stats!.cpu_usage!.total_usage!, b.precpu_stats!.system_cpu_usage!, b.cpu_stats);
    const noOnline = structuredClone(b.cpu_stats!);
    delete noOnline.online_cpus;
    assert.equal(noOnline.cpu_usage!.percpu_usage!.length, 2);
    close(cpuPercent(b.precpu_stats!.cpu_usage!.total_usage!, b.precpu_stats!.system_cpu_usage!, noOnline), withOnline);
    assert.equal(cpuPercent(100, 100, { cpu_usage: { total_usage: 50 }, system_cpu_usage: 200, online_cpus: 2 }), 0, 'a negative CPU delta gives 0, as docker/cli');
    assert.equal(cpuPercent(100, 100, { cpu_usage: { total_usage: 150 }, system_cpu_usage: 100, online_cpus: 2 }), 0, 'no host CPU time elapsed gives 0');
  });

  test('cgroup v1 working set excludes total_inactive_file (page cache of a 30 MB file)', () => {
    const [s] = fixture('v1-page-cache.jsonl') as [DockerStats];
    assert.equal(s.memory_stats!.stats!.total_inactive_file, 31_457_280);
    assert.equal(memoryWorkingSet(s.memory_stats), 33_050_624 - 31_457_280); // docker stats showed 1.52MiB
    const v = sampleValues(undefined, counters(s), HOST_MEMORY);
    assert.equal(v.memory_working_set_bytes, 1_593_344);
    assert.equal(v.memory_usage_bytes, 33_050_624);
    assert.equal(v.memory_limit_bytes, 0, 'no memory limit: the engine reports the host memory; 0 as cAdvisor');
    assert.equal(v.memory_percent, undefined, 'no % of a limit that does not exist');
    assert.equal(v.cpu_percent, undefined, 'first sample: no rates yet');
    assert.equal(v.network_rx_bytes_per_second, undefined);
    assert.equal(v.pids, 1);
  });

  test('cgroup v1 memory % of a 256 MiB limit (40 MB in a tmpfs counts: it cannot be reclaimed)', () => {
    const [a, b] = fixture('v1-tmpfs-40m-limit-256m.jsonl') as [DockerStats, DockerStats];
    const v = sampleValues(counters(a), counters(b), HOST_MEMORY);
    assert.equal(v.memory_limit_bytes, 268_435_456);
    assert.equal(v.memory_working_set_bytes, 42_373_120);
    close(v.memory_percent, (42_373_120 / 268_435_456) * 100); // docker stats showed 15.79%
    assert.equal(v.cpu_percent, 0, 'an idle container reads 0%');
  });

  test('network rates from the per-interface counters', () => {
    const [a, b] = fixture('v1-network-ping.jsonl') as [DockerStats, DockerStats];
    const seconds = (Date.parse('2026-11-27T00:33:20.382Z') - Date.parse('2026-11-27T00:33:19.376Z')) / 1000;
    const v = sampleValues(counters(a), counters(b), HOST_MEMORY);
    const dt = (382_731_968 - 376_841_992) / 1e9 + 1;
    assert.ok(Math.abs(dt - seconds) < 0.01);
    close(v.network_rx_bytes_per_second, (246_806 - 241_596) / dt);
    close(v.network_tx_bytes_per_second, (246_080 - 240_870) / dt);
    assert.deepEqual(networkTotals(b.networks), { rx: 246_806, tx: 246_080 });
  });

  test('cgroup v2 (the API documentation\'s shape): inactive_file, lowercase block I/O ops, no per-CPU counters', () => {
    const [a, b] = fixture('v2-docs-shape.jsonl') as [DockerStats, DockerStats];
    const v = sampleValues(counters(a), counters(b), 8 * 1024 ** 3);
    close(v.cpu_percent, 150, 1e-12); // 3 s of CPU in 2 s on 4 CPUs: one and a half cores
    assert.equal(v.memory_working_set_bytes, 314_572_800 - 52_428_800);
    assert.equal(v.memory_limit_bytes, 536_870_912);
    close(v.memory_percent, 48.828125);
    close(v.network_rx_bytes_per_second, (2_000_000 + 200_000) / 2);
    close(v.network_tx_bytes_per_second, 400_000 / 2);
    close(v.blkio_read_bytes_per_second, (4 * 1024 * 1024) / 2);
    close(v.blkio_write_bytes_per_second, (1024 * 1024) / 2);
    assert.equal(v.pids, 12);
    const c = counters(b);
    assert.equal(c.memRss, 209_715_200, 'anon');
    assert.equal(c.memCache, 73_400_320, 'file');
    assert.equal(c.memMaxUsage, undefined, 'cgroup v2 has no max_usage');
    assert.deepEqual([...c.blkio.entries()], [['8:0', { read: 104 * 1024 * 1024, write: 21 * 1024 * 1024 }], ['8:16', { read: 5 * 1024 * 1024, write: 0 }]]);
  });

  test('block I/O: Read/Write in any case, other ops (Sync, Async, Total, Discard) ignored', () => {
    const v1 = [
      { major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 8192 },
      { major: 8, minor: 0, op: 'Sync', value: 12288 }, { major: 8, minor: 0, op: 'Async', value: 0 },
      { major: 8, minor: 0, op: 'Discard', value: 0 }, { major: 8, minor: 0, op: 'Total', value: 12288 },
      { major: 8, minor: 16, op: 'READ', value: 100 },
    ];
    const b = blockIO(v1);
    assert.equal(b.read, 4196);
    assert.equal(b.write, 8192);
    assert.deepEqual(blockIO(null), { read: 0, write: 0, byDevice: new Map() });
  });

  test('a stopped container\'s zeroed sample is recognized and never a value', () => {
    const [z] = fixture('v1-stopped-zeroed.json') as [DockerStats];
    assert.equal(isZeroedSample(z), true);
    assert.equal(isZeroedSample({ ...z, read: '2026-11-27T00:00:00Z' }), true, 'all counters zero');
    for (const f of ['v1-busy-cpus-0.5.jsonl', 'v1-page-cache.jsonl', 'v1-network-ping.jsonl', 'v2-docs-shape.jsonl']) {
      for (const s of fixture(f)) assert.equal(isZeroedSample(s), false, f);
    }
  });

  test('a restart (the counters start again from zero) is a reset: no negative rates', () => {
    const [before, after] = fixture('v1-restart.jsonl') as [DockerStats, DockerStats];
    const p = counters(before);
    const c = counters(after);
    assert.ok(c.cpuTotalNs < p.cpuTotalNs);
    assert.equal(isCounterReset(p, c), true);
    assert.equal(isCounterReset(c, c), false);
    const [a, b] = fixture('v1-busy-cpus-0.5.jsonl') as [DockerStats, DockerStats];
    assert.equal(isCounterReset(counters(a), counters(b)), false);
  });

  test('an interface whose counters went back (reconnected) counts from its new value, never negative', () => {
    const [a, b] = fixture('v2-docs-shape.jsonl') as [DockerStats, DockerStats];
    const b2 = structuredClone(b);
    b2.networks!.eth0!.rx_bytes = 1000;
    b2.networks!.eth0!.tx_bytes = 0;
    b2.networks!.eth2 = { rx_bytes: 500, tx_bytes: 500 };
    const v = sampleValues(counters(a), counters(b2), 0);
    close(v.network_rx_bytes_per_second, (1000 + 200_000 + 500) / 2);
    close(v.network_tx_bytes_per_second, 500 / 2);
    // The same sample twice (or one older): no time elapsed, no rates.
    assert.equal(sampleValues(counters(b), counters(a), 0).cpu_percent, undefined);
  });

  test('working set when inactive_file exceeds usage (a race in the kernel counters): usage', () => {
    assert.equal(memoryWorkingSet({ usage: 100, stats: { total_inactive_file: 200 } }), 100);
    assert.equal(memoryWorkingSet({ usage: 100, stats: { inactive_file: 200 } }), 100);
    assert.equal(memoryWorkingSet({ usage: 100 }), 100);
  });
});
