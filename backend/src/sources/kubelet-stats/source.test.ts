/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk event and manifest JSON by path */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Checkpoint, ShipEvent } from '../../event/event.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import { registerContainerMetrics } from '../../sinks/prometheus/index.js';
import { silentLogger } from '../../util/log.js';
import { parseStatsConfig } from '../docker-stats/config.js';
import { KubeletClient } from './client.js';
import { KubeletStatsSource } from './source.js';
import { parseSummary } from './summary.js';
import { fakeKubelet, summary, WEB_UID } from './testdata.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tokenFile(token = 'sa-token-abc'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-token-'));
  dirs.push(d);
  const f = path.join(d, 'token');
  fs.writeFileSync(f, `${token}\n`);
  return f;
}

function source(url: string, client: { tokenFile: string; caFile: string; insecure?: boolean }) {
  const metrics = new CollectorMetrics();
  const events: ShipEvent[] = [];
  const emitter = { emit: (ev: ShipEvent, _c?: Checkpoint) => void events.push(ev), flush: async () => undefined };
  const src = new KubeletStatsSource({
    client: new KubeletClient({ url, tokenFile: client.tokenFile, caFile: client.caFile, insecure: client.insecure ?? false, timeoutMs: 2000 }),
    url, emitter, metrics, log: silentLogger(), hostName: 'node-1', nodeName: 'node-1', intervalMs: 10_000,
    stats: parseStatsConfig({ baseline_min_samples: 1 }), selfPod: { namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde' },
  });
  return { src, events, metrics };
}

type Ev = Record<string, any>;

describe('kubelet summary', () => {
  it('maps containers, the pod cgroup and its network; lists entries without numbers', () => {
    const p = parseSummary(summary(0));
    assert.equal(p.nodeName, 'node-1');
    const keys = p.samples.map((s) => `${s.namespace}/${s.pod}/${s.container}`);
    assert.deepEqual(keys, ['shop/web-7d9f8c6b5-x2x4q/', 'shop/web-7d9f8c6b5-x2x4q/nginx', 'shop/web-7d9f8c6b5-x2x4q/sidecar',
      'kube-system/coredns-5d78c9869d-abcde/', 'kube-system/coredns-5d78c9869d-abcde/coredns']);
    const nginx = p.samples[1]!.counters;
    assert.equal(nginx.cpuTotalNs, 60e9);
    assert.equal(nginx.memWorkingSet, 56 * 1024 * 1024);
    assert.equal(nginx.memLimitRaw, 256 * 1024 * 1024, 'available + working set');
    assert.equal(p.samples[2]!.counters.memLimitRaw, 0, 'no availableBytes: no limit');
    assert.equal(p.samples[0]!.counters.networks.get('eth0')!.rx_bytes, 1_000_000);
    assert.equal(p.skipped, 1);
    assert.match(p.problems[0]!, /init-wait/);
  });

  it('refuses what is not a summary, with the reason', () => {
    assert.throws(() => parseSummary([]), /not a JSON object/);
    assert.throws(() => parseSummary({ pods: 'x' }), /"pods" is not a list/);
    assert.throws(() => parseSummary({ items: [] }), /neither "node" nor "pods"/);
  });
});

describe('KubeletStatsSource', () => {
  it('polls over HTTPS with the CA and the token; emits docker-stats-like metric events and cAdvisor series with pod labels', async () => {
    const k = await fakeKubelet({ tls: true });
    try {
      const { src, events, metrics } = source(k.url, { tokenFile: tokenFile(), caFile: k.caFile });
      registerContainerMetrics(metrics.registry, src);
      await src.poll();
      await src.poll(); // 10 s later: rates
      assert.deepEqual(k.auth, ['Bearer sa-token-abc', 'Bearer sa-token-abc']);
      const st = src.status();
      assert.equal(st.connected, true);
      assert.equal(st.pods, 2);
      assert.equal(st.containers, 3);
      assert.equal(st.incomplete, 2);
      const nginx = events.filter((e) => (e as Ev).container.name === 'nginx') as Ev[];
      assert.equal(nginx.length, 2);
      const last = nginx[1]!;
      assert.equal(last.event.source, 'metric');
      assert.equal(last.event.action, 'sample');
      assert.equal(last.event.time, '2024-05-01T10:00:10.000000000Z');
      assert.equal(last.container.id, `${WEB_UID}/nginx`);
      assert.deepEqual(last.k8s, { namespace: 'shop', pod: 'web-7d9f8c6b5-x2x4q', pod_uid: WEB_UID, node: 'node-1' });
      assert.ok(Math.abs(last.metric.cpu.percent - 50) < 1e-6, `cpu ${last.metric.cpu.percent}`);
      assert.equal(last.metric.memory.working_set_bytes, 56 * 1024 * 1024);
      assert.ok(Math.abs(last.metric.memory.percent - (56 / 256) * 100) < 1e-9);
      assert.equal(last.metric.network, undefined, 'a container has no network of its own');
      assert.equal(last.metric.scope, 'container');
      const pod = events.filter((e) => (e as Ev).metric.scope === 'pod' && (e as Ev).k8s.pod === 'web-7d9f8c6b5-x2x4q') as Ev[];
      assert.equal(pod.length, 1, 'the first sample has no rate yet: no network event');
      assert.equal(pod[0]!.metric.network.rx_bytes_per_second, 2000);
      assert.equal(pod[0]!.metric.network.tx_bytes_per_second, 1000);
      assert.equal(pod[0]!.metric.cpu, undefined);
      assert.equal(pod[0]!.container.id, WEB_UID);
      const dns = events.find((e) => (e as Ev).container.name === 'coredns') as Ev;
      assert.equal(dns.container.is_collector, true, 'POD_NAMESPACE/POD_NAME: the collector itself');

      const text = await metrics.registry.metrics();
      assert.match(text, /container_cpu_usage_seconds_total\{cpu="total",id="\/kubepods\/pod6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\/nginx",image="",name="nginx",container="nginx",namespace="shop",pod="web-7d9f8c6b5-x2x4q"\} 65/);
      assert.match(text, /container_memory_working_set_bytes\{[^}]*container="nginx",namespace="shop",pod="web-7d9f8c6b5-x2x4q"\} 58720256/);
      assert.match(text, /container_spec_memory_limit_bytes\{[^}]*container="sidecar"[^}]*\} 0/);
      assert.match(text, /container_network_receive_bytes_total\{interface="eth0",[^}]*container="",namespace="shop",pod="web-7d9f8c6b5-x2x4q"\} 1020000/);
      assert.doesNotMatch(text, /container_cpu_user_seconds_total\{/, 'not in the summary: not invented');
      assert.doesNotMatch(text, /container_network_receive_packets_total\{/);
      await src.stop();
    } finally {
      await k.close();
    }
  });

  it('works over plain HTTP without a token file, and with k8s.kubelet_insecure without the CA', async () => {
    const plain = await fakeKubelet({ tls: false });
    const tls = await fakeKubelet({ tls: true });
    try {
      const a = source(plain.url, { tokenFile: '/nonexistent/token', caFile: '/nonexistent/ca.crt' });
      await a.src.poll();
      assert.equal(a.src.status().connected, true);
      assert.deepEqual(plain.auth, [undefined]);
      await a.src.stop();

      const b = source(tls.url, { tokenFile: tokenFile(), caFile: '/nonexistent/ca.crt' });
      await b.src.poll();
      assert.equal(b.src.status().connected, false);
      assert.match(b.src.status().last_error ?? '', /k8s\.kubelet_ca_file .*cannot read it.*kubelet_insecure/);
      await b.src.stop();

      const c = source(tls.url, { tokenFile: tokenFile(), caFile: '/nonexistent/ca.crt', insecure: true });
      await c.src.poll();
      assert.equal(c.src.status().connected, true);
      await c.src.stop();
    } finally {
      await plain.close();
      await tls.close();
    }
  });

  it('reports malformed summaries and refused tokens, and goes on at the next poll', async () => {
    const k = await fakeKubelet({ tls: false });
    try {
      const { src, events, metrics } = source(k.url, { tokenFile: tokenFile(), caFile: '' });
      await src.poll();
      const before = events.length;
      k.answer({ text: '{"pods": [ truncated' });
      await src.poll();
      assert.match(src.status().last_error ?? '', /not JSON/);
      k.answer({ doc: { kind: 'Status', items: [] } });
      await src.poll();
      assert.match(src.status().last_error ?? '', /neither "node" nor "pods"/);
      assert.equal(src.status().malformed, 1);
      const malformed = (await metrics.malformedTotal.get()).values.find((v) => v.labels.source === 'kubelet_stats');
      assert.equal(malformed?.value, 1);
      k.answer({ status: 401 });
      await src.poll();
      assert.match(src.status().last_error ?? '', /401 Unauthorized \(the token of .* was refused\)/);
      k.answer({ status: 403 });
      await src.poll();
      assert.match(src.status().last_error ?? '', /403 Forbidden \(the service account needs "get" on "nodes\/stats"\)/);
      assert.equal(src.status().connected, false);
      assert.equal(events.length, before, 'nothing emitted from bad answers');
      k.answer({});
      await src.poll();
      assert.equal(src.status().connected, true);
      assert.ok(events.length > before);
      await src.stop();
    } finally {
      await k.close();
    }
  });
});
