import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { CollectorMetrics } from '../../backend/src/metrics/registry.js';
import { registerContainerMetrics } from '../../backend/src/sinks/prometheus/index.js';
import { DockerClient, parseDockerEndpoint } from '../../backend/src/sources/docker/client.js';
import { DockerStatsSource, parseStatsConfig } from '../../backend/src/sources/docker-stats/index.js';
import { silentLogger } from '../../backend/src/util/log.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { dockerStatsMemory, startMetricContainers } from './containers.js';

describe('a real Prometheus scrapes the cAdvisor-named container series', () => {
  let d: Dockerd;
  let source: DockerStatsSource;
  let metrics: CollectorMetrics;
  let server: http.Server;
  let prom: RunningPrometheus;
  let ids: { busy: string; mem: string; idle: string };

  before(async () => {
    d = await startDockerd();
    ids = await startMetricContainers(d);
    metrics = new CollectorMetrics({ processMetrics: true });
    source = new DockerStatsSource({
      client: new DockerClient(parseDockerEndpoint(d.host)), metrics, log: silentLogger(), hostName: 'test-host',
      cfg: parseStatsConfig({ interval: 1000 }), emitter: { emit: () => undefined, flush: async () => undefined },
    });
    registerContainerMetrics(metrics.registry, source);
    source.start();
    // What the collector's GET /metrics does.
    server = http.createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void metrics.registry.metrics().then((text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    prom = await startPrometheus({ targets: [`127.0.0.1:${(server.address() as AddressInfo).port}`] });
  });
  after(async () => {
    await prom?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await source?.stop();
    await d?.destroy();
  });

  it('scrapes the target and every family has the labels dashboards select on', async () => {
    await prom.waitFor('up{job="shipwatch"}', (r) => r[0]?.value === 1, 30_000);
    const cpu = await prom.waitFor('container_cpu_usage_seconds_total{name="busy"}', (r) => r.length === 1, 30_000);
    assert.deepEqual(cpu[0]!.metric, {
      __name__: 'container_cpu_usage_seconds_total', cpu: 'total', id: `/docker/${ids.busy}`, image: TEST_IMAGE, name: 'busy',
      container_label_com_docker_compose_project: 'metrics', container_label_com_docker_compose_service: 'busy',
      instance: cpu[0]!.metric.instance!, job: 'shipwatch',
    });
    const limit = await prom.waitFor('container_spec_memory_limit_bytes', (r) => r.length >= 3);
    const byName = Object.fromEntries(limit.map((s) => [s.metric.name, s.value]));
    assert.equal(byName.mem, 256 * 1024 * 1024);
    assert.equal(byName.busy, 0, 'unlimited: 0');
    for (const name of ['container_memory_usage_bytes', 'container_memory_working_set_bytes', 'container_last_seen', 'container_start_time_seconds', 'container_spec_cpu_quota', 'container_threads']) {
      const r = await prom.waitFor(`${name}{name="busy"}`, (x) => x.length === 1, 20_000);
      assert.ok(r[0]!.value > 0, `${name} ${r[0]!.value}`);
    }
    const started = (await prom.query('container_start_time_seconds{name="busy"}'))[0]!.value;
    assert.ok(Math.abs(started * 1000 - Date.parse(await d.docker('inspect', '-f', '{{.State.StartedAt}}', 'busy'))) < 1000);
    const seen = (await prom.query('time() - container_last_seen{name="busy"}'))[0]!.value;
    assert.ok(seen >= -1 && seen < 10, `last seen ${seen} s ago`);
    // The exposition passes Prometheus' own linter.
    if (fs.existsSync('/usr/bin/promtool')) {
      const text = await metrics.registry.metrics();
      const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const problems = `${lint.stdout}${lint.stderr}`.split('\n').filter((l) => /^container_/.test(l));
      assert.deepEqual(problems, [], 'promtool check metrics on the container families');
    }
  });

  it('rate(container_cpu_usage_seconds_total[30s]) of the busy loop under --cpus 0.5 reads 0.5 ± 10%', async () => {
    // 30 s of 1 s scrapes of 1 s samples; then the rate over the window.
    await prom.waitFor('count_over_time(container_cpu_usage_seconds_total{name="busy"}[30s])', (r) => (r[0]?.value ?? 0) >= 25, 60_000);
    const r = await prom.waitFor('rate(container_cpu_usage_seconds_total{name="busy"}[30s])', (x) => x.length === 1 && Math.abs(x[0]!.value - 0.5) <= 0.05, 60_000)
      .catch((err: Error) => {
        throw new Error(`${err.message} (host load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)`);
      });
    assert.ok(Math.abs(r[0]!.value - 0.5) <= 0.05, `rate ${r[0]!.value}`);
    assert.deepEqual((await prom.query('rate(container_cpu_usage_seconds_total{name="idle"}[30s]) < 0.01')).length, 1, 'the idle container is idle');
  });

  it('container_memory_working_set_bytes agrees with docker stats within 5%', async () => {
    const ws = await prom.waitFor('container_memory_working_set_bytes{name="mem"}', (r) => r.length === 1);
    const docker = await dockerStatsMemory(d, 'mem');
    assert.ok(Math.abs(ws[0]!.value - docker.usage) / docker.usage <= 0.05, `prometheus ${ws[0]!.value} vs docker stats ${docker.usage}`);
    assert.ok(ws[0]!.value > 40e6);
    const usage = (await prom.query('container_memory_usage_bytes{name="mem"}'))[0]!.value;
    assert.ok(usage >= ws[0]!.value, 'usage includes the reclaimable cache');
  });
});
