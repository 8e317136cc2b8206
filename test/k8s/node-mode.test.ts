// Node mode end to end: the collector CLI, configured only through SHIPWATCH_K8S_* variables as the
// DaemonSet configures it, reads CRI pod logs from a pods directory and samples a loopback kubelet;
// the log lines come out of GET /api/v1/events?source=log with their pod identity, and the
// kubelet's containers as cAdvisor-named series with pod/namespace labels on /metrics.
/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk event and manifest JSON by path */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeKubelet, type FakeKubelet } from '../../backend/src/sources/kubelet-stats/testdata.js';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';

const UID = '3e1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b';
const POD_DIR = `shop_api-6c8d9f7b4-q7w8e_${UID}`;

describe('node mode (pod logs + kubelet stats) through the collector CLI', () => {
  let dir: string;
  let kubelet: FakeKubelet;
  let c: RunningCollector;
  let log0: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-node-'));
    const cdir = path.join(dir, 'pods', POD_DIR, 'api');
    fs.mkdirSync(cdir, { recursive: true });
    log0 = path.join(cdir, '0.log');
    fs.writeFileSync(log0, [
      '2024-05-01T10:00:00.000000001Z stdout F {"level":"info","msg":"listening on :8080"}',
      '2024-05-01T10:00:00.000000002Z stderr P first half, ',
      '2024-05-01T10:00:00.000000003Z stderr F second half',
      'not a CRI line',
      '',
    ].join('\n'));
    const token = path.join(dir, 'token');
    fs.writeFileSync(token, 'node-sa-token');
    kubelet = await fakeKubelet({ tls: true });
    c = await startCollector({
      env: {
        SHIPWATCH_DOCKER_ENABLED: 'false',
        SHIPWATCH_K8S_NODE_NAME: 'node-1',
        SHIPWATCH_K8S_NODE_LOGS_ENABLED: 'true',
        SHIPWATCH_K8S_POD_LOGS_DIR: path.join(dir, 'pods'),
        SHIPWATCH_K8S_POD_LOGS_INITIAL_POSITION: 'beginning',
        SHIPWATCH_K8S_POD_LOGS_POLL: '50ms',
        SHIPWATCH_K8S_KUBELET_STATS_ENABLED: 'true',
        SHIPWATCH_K8S_KUBELET_URL: kubelet.url,
        SHIPWATCH_K8S_KUBELET_TOKEN_FILE: token,
        SHIPWATCH_K8S_KUBELET_CA_FILE: kubelet.caFile,
        SHIPWATCH_K8S_KUBELET_INTERVAL: '1s',
      },
    });
  });

  after(async () => {
    await c?.stop();
    await kubelet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the pod log lines as log events with the pod identity', async () => {
    fs.appendFileSync(log0, '2024-05-01T10:00:01.000000000Z stdout F 10.0.0.7 - - [01/May/2024:10:00:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.28"\n');
    type Ev = Record<string, any>;
    const events = await eventually(async () => {
      const r = await c.get<{ events: Ev[] }>('/api/v1/events?source=log&limit=100');
      return r.status === 200 && r.body.events.length >= 3 ? r.body.events : undefined;
    }, 'pod log events');
    const byMessage = new Map(events.map((e) => [e.log.message as string, e]));
    const json = byMessage.get('{"level":"info","msg":"listening on :8080"}')!;
    assert.ok(json, JSON.stringify(events.map((e) => e.log.message)));
    assert.equal(json.event.source, 'log');
    assert.equal(json.log.format, 'json');
    assert.equal(json.k8s.namespace, 'shop');
    assert.equal(json.k8s.pod, 'api-6c8d9f7b4-q7w8e');
    assert.equal(json.k8s.pod_uid, UID);
    assert.equal(json.container.name, 'api');
    assert.equal(json.event.time, '2024-05-01T10:00:00.000000001Z');
    assert.equal(byMessage.get('first half, second half')?.log.stream, 'stderr');
    assert.equal(byMessage.get('10.0.0.7 - - [01/May/2024:10:00:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.28"')?.http.response.status_code, 200);
    const health = await c.get<{ sources: Record<string, any> }>('/api/v1/health');
    assert.equal(health.body.sources.k8s_pod_logs.files, 1);
    assert.equal(health.body.sources.k8s_pod_logs.bad_lines, 1);
  });

  it('serves the kubelet containers as cAdvisor series with pod and namespace labels', async () => {
    const text = await eventually(async () => {
      const res = await fetch(`${c.url}/metrics`);
      const t = await res.text();
      return /container_cpu_usage_seconds_total\{[^}]*container="nginx"/.test(t) ? t : undefined;
    }, 'container series on /metrics');
    assert.match(text, /container_cpu_usage_seconds_total\{cpu="total",[^}]*container="nginx",namespace="shop",pod="web-7d9f8c6b5-x2x4q"\}/);
    assert.match(text, /container_memory_working_set_bytes\{[^}]*container="coredns",namespace="kube-system",pod="coredns-5d78c9869d-abcde"\}/);
    assert.match(text, /shipwatch_source_connected\{source="kubelet_stats"\} 1/);
    assert.ok(kubelet.auth.every((a) => a === 'Bearer node-sa-token'), 'the token is sent');
    const health = await c.get<{ sources: Record<string, any> }>('/api/v1/health');
    assert.equal(health.body.sources.kubelet_stats.connected, true);
  });
});
