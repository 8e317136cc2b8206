import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { CollectorMetrics } from '../../metrics/registry.js';
import { countersOf, sampleValues, type DockerStats } from '../../sources/docker-stats/compute.js';
import type { StatsContainer } from '../../sources/docker-stats/source.js';
import { fixture, HOST_MEMORY } from '../../sources/docker-stats/testing/fixtures.js';
import { containerLabelName, registerContainerMetrics } from './containers.js';

function container(id: string, name: string, labels: Record<string, string>, prev: DockerStats | undefined, cur: DockerStats, hostMemory = HOST_MEMORY): StatsContainer {
  const counters = countersOf(cur)!;
  return {
    identity: { id, name, image: 'swtest/busybox:1', image_id: 'sha256:abc', labels },
    startedAt: 1_764_201_600.25,
    cpuSpec: { shares: 1024, period: 100_000, quota: 50_000 },
    counters,
    values: sampleValues(prev ? countersOf(prev) : undefined, counters, hostMemory),
  };
}

/** `name{labels} value` lines into a list of {name, labels, value}. */
function parse(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const ID1 = '8dee0758f63d4cdbfdf0521e38755c3e07dd740df922e5575642734653a85967';
const ID2 = '2f4e0f6d0c7c47b8a5d1f4f0a9b3e1c2d6e7f8091a2b3c4d5e6f708192a3b4c5';

describe('Prometheus exposition with cAdvisor names', () => {
  const busy = fixture('v1-busy-cpus-0.5.jsonl');
  const v2 = fixture('v2-docs-shape.jsonl');
  const compose = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.version': '2.20', 'team.name': 'a"b' };
  const containers = [
    container(ID1, 'busy', compose, busy[0], busy[1]!),
    container(ID2, 'web', {}, v2[0], v2[1]!, 8 * 1024 ** 3),
  ];
  const source = { containers: () => containers };

  test('the series, names and labels dashboards expect', async () => {
    const metrics = new CollectorMetrics();
    registerContainerMetrics(metrics.registry, source);
    const text = await metrics.registry.metrics();
    const series = parse(text);
    const get = (name: string, id: string, extra: Record<string, string> = {}) => series.filter((s) => s.name === name && s.labels.id === `/docker/${id}` && Object.entries(extra).every(([k, v]) => s.labels[k] === v));

    const cpu = get('container_cpu_usage_seconds_total', ID1);
    assert.equal(cpu.length, 1);
    assert.deepEqual(cpu[0]!.labels, {
      cpu: 'total', container_label_com_docker_compose_project: 'shop', container_label_com_docker_compose_service: 'web',
      id: `/docker/${ID1}`, image: 'swtest/busybox:1', name: 'busy',
    }, 'only the selected (compose) labels by default');
    assert.equal(cpu[0]!.value, busy[1]!.cpu_stats!.cpu_usage!.total_usage! / 1e9);
    assert.match(text, /# TYPE container_cpu_usage_seconds_total counter/);
    assert.match(text, /# TYPE container_memory_working_set_bytes gauge/);

    assert.equal(get('container_memory_usage_bytes', ID1)[0]!.value, 331_776);
    assert.equal(get('container_memory_working_set_bytes', ID1)[0]!.value, 331_776);
    assert.equal(get('container_spec_memory_limit_bytes', ID1)[0]!.value, 0, 'unlimited: 0');
    assert.equal(get('container_spec_memory_limit_bytes', ID2)[0]!.value, 536_870_912);
    assert.equal(get('container_memory_working_set_bytes', ID2)[0]!.value, 262_144_000);
    assert.equal(get('container_memory_rss', ID2)[0]!.value, 209_715_200);
    assert.equal(get('container_network_receive_bytes_total', ID2, { interface: 'eth0' })[0]!.value, 12_000_000);
    assert.equal(get('container_network_transmit_bytes_total', ID2, { interface: 'eth0' })[0]!.value, 5_400_000);
    assert.equal(get('container_network_receive_bytes_total', ID2, { interface: 'eth1' })[0]!.value, 1_200_000);
    assert.equal(get('container_network_receive_bytes_total', ID1).length, 0, '--network none: no interface');
    const reads = get('container_fs_reads_bytes_total', ID2);
    assert.equal(reads.length, 2, 'one series per block device');
    assert.ok(reads.every((r) => r.labels.device), 'device label');
    assert.equal(reads.reduce((a, r) => a + r.value, 0), 109 * 1024 * 1024);
    assert.equal(get('container_fs_writes_bytes_total', ID2).reduce((a, r) => a + r.value, 0), 21 * 1024 * 1024);
    assert.equal(get('container_last_seen', ID2)[0]!.value, Date.parse('2024-03-05T10:00:02Z') / 1000);
    assert.equal(get('container_start_time_seconds', ID1)[0]!.value, 1_764_201_600.25);
    assert.equal(get('container_spec_cpu_quota', ID1)[0]!.value, 50_000);
    assert.equal(get('container_threads', ID2)[0]!.value, 12);
    assert.equal(get('container_cpu_cfs_throttled_periods_total', ID1)[0]!.value, busy[1]!.cpu_stats!.throttling_data!.throttled_periods);
    // The collector's own metrics are still there.
    assert.match(text, /# TYPE shipwatch_events_total counter/);
  });

  test('all labels with `*`, sanitized as cAdvisor does; values escaped', async () => {
    const registry = new Registry();
    registerContainerMetrics(registry, source, { labels: ['*'] });
    const s = parse(await registry.metrics()).find((x) => x.name === 'container_memory_usage_bytes' && x.labels.name === 'busy')!;
    assert.equal(s.labels.container_label_com_docker_compose_version, '2.20');
    assert.equal(s.labels.container_label_team_name, 'a"b');
    assert.equal(containerLabelName('com.docker.compose.project'), 'container_label_com_docker_compose_project');
    assert.equal(containerLabelName('io.k8s/weird-name'), 'container_label_io_k8s_weird_name');
    const r2 = new Registry();
    registerContainerMetrics(r2, source, { labels: ['team.*'], idLabel: (id) => `/system.slice/docker-${id}.scope` });
    const s2 = parse(await r2.metrics()).find((x) => x.name === 'container_memory_usage_bytes' && x.labels.name === 'busy')!;
    assert.deepEqual(Object.keys(s2.labels).sort(), ['container_label_team_name', 'id', 'image', 'name']);
    assert.equal(s2.labels.id, `/system.slice/docker-${ID1}.scope`);
  });

  test('no containers, no series; unregister removes the families', async () => {
    const registry = new Registry();
    const list: StatsContainer[] = [];
    const reg = registerContainerMetrics(registry, { containers: () => list });
    assert.ok(reg.names.includes('container_cpu_usage_seconds_total'));
    assert.equal(parse(await registry.metrics()).length, 0);
    list.push(containers[0]!);
    assert.ok(parse(await registry.metrics()).length > 10);
    reg.unregister();
    assert.equal((await registry.metrics()).trim(), '');
  });

  test('100 containers render well within a scrape budget', async () => {
    const many = Array.from({ length: 100 }, (_, i) => container(i.toString(16).padStart(64, '0'), `svc-${i}`, compose, v2[0], v2[1]!));
    const registry = new Registry();
    registerContainerMetrics(registry, { containers: () => many });
    await registry.metrics();
    const t0 = performance.now();
    const text = await registry.metrics();
    const ms = performance.now() - t0;
    assert.equal(parse(text).filter((s) => s.name === 'container_cpu_usage_seconds_total').length, 100);
    assert.ok(ms < 200, `a scrape of 100 containers took ${ms.toFixed(1)} ms (bench target: 30 ms)`);
  });
});
