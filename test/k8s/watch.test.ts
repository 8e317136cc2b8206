// The Kubernetes watch source end to end: the collector CLI, configured only through SHIPWATCH_K8S_*
// variables and a kubeconfig file, lists and watches a loopback fake API server; its events come
// out of GET /api/v1/events?source=kubernetes, a privileged pod raises the shipped rule's alert, and
// the health status follows the connection.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../../backend/src/sources/k8s-watch/testing/fake-apiserver.js';
import { makeClusterRoleBinding, makePod } from '../../backend/src/sources/k8s-watch/testing/objects.js';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';

interface Ev { event: { source: string; action: string }; k8s: Record<string, unknown> }
interface Alert { rule: { id: number; groups: string[] }; event: Ev }
interface Health { status: string; sources: { kubernetes: { connected: boolean; synced: boolean; resources: Record<string, { connected: boolean; objects: number; restarts: number; last_event_action?: string }> } } }

describe('kubernetes watch source in the collector', () => {
  let fake: FakeApiServer;
  let c: RunningCollector;
  let dir: string;

  before(async () => {
    fake = await FakeApiServer.start();
    fake.add('pods', makePod('existing-7d9f8c6b5d-a1'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swk8s-it-'));
    c = await startCollector({
      env: {
        SHIPWATCH_DOCKER_ENABLED: 'false',
        SHIPWATCH_K8S_WATCH_ENABLED: 'true',
        SHIPWATCH_K8S_KUBECONFIG: fake.writeKubeconfig(dir),
        SHIPWATCH_K8S_WATCH_STALE_AFTER: '5s',
        SHIPWATCH_K8S_WATCH_BACKOFF_MAX: '500ms',
      },
    });
  });

  after(async () => {
    await c?.stop();
    await fake?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports synced resources in the health status', async () => {
    const h = await eventually(async () => {
      const r = await c.get<Health>('/api/v1/health', null);
      return r.body.sources.kubernetes?.synced && r.body.sources.kubernetes.connected ? r.body : undefined;
    }, 'kubernetes synced');
    assert.equal(h.status, 'ok');
    assert.equal(h.sources.kubernetes.resources.pods!.objects, 1);
    assert.ok('clusterrolebindings' in h.sources.kubernetes.resources);
    assert.ok(!('secrets' in h.sources.kubernetes.resources));
  });

  it('stores watched changes and alerts on a privileged pod and a cluster-admin binding', async () => {
    await eventually(() => (fake.openWatches('pods') === 1 && fake.openWatches('clusterrolebindings') === 1) || undefined, 'watches open');
    fake.add('pods', makePod('miner-5c9d8-x1', { privileged: true, namespace: 'web' }));
    fake.add('clusterrolebindings', makeClusterRoleBinding('backdoor', 'cluster-admin', { kind: 'User', name: 'mallory' }));
    const events = await eventually(async () => {
      const r = await c.get<{ events: Ev[] }>('/api/v1/events?source=kubernetes');
      return r.body.events.length >= 2 ? r.body.events : undefined;
    }, 'kubernetes events');
    const pod = events.find((e) => e.k8s.name === 'miner-5c9d8-x1')!;
    assert.equal(pod.event.source, 'kubernetes');
    assert.equal(pod.event.action, 'create');
    assert.equal(pod.k8s.namespace, 'web');
    assert.deepEqual(pod.k8s.posture, ['privileged']);
    assert.ok(!events.some((e) => e.k8s.name === 'existing-7d9f8c6b5d-a1'), 'the first list is recorded silently');
    const alerts = await eventually(async () => {
      const r = await c.get<{ alerts: Alert[] }>('/api/v1/alerts?group=k8s_privileged_pod');
      return r.body.alerts.length > 0 ? r.body.alerts : undefined;
    }, 'privileged pod alert');
    assert.equal(alerts[0]!.rule.id, 125000);
    assert.equal(alerts[0]!.event.k8s.name, 'miner-5c9d8-x1');
    const admin = await c.get<{ alerts: Alert[] }>('/api/v1/alerts?rule_id=125100');
    assert.equal(admin.body.alerts.length, 1);
  });

  it('survives a TCP reset and reports degraded while the API server is gone', async () => {
    fake.failNext('pods', { kind: 'reset' });
    fake.endWatches('pods');
    await eventually(() => (fake.watchRequests('pods').length >= 3 && fake.openWatches('pods') === 1) || undefined, 'pods watch back');
    fake.add('pods', makePod('after-reset-1'));
    await eventually(async () => {
      const r = await c.get<{ events: Ev[] }>('/api/v1/events?source=kubernetes');
      return r.body.events.find((e) => e.k8s.name === 'after-reset-1');
    }, 'event after the reset');
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(metrics, /shipwatch_k8s_watch_restarts_total\{resource="pods",reason="(closed|error)"\} [1-9]/);
    assert.match(metrics, /shipwatch_k8s_watch_events_total\{resource="pods",action="create"\} [2-9]/);
    await fake.close();
    const h = await eventually(async () => {
      const r = await c.get<Health>('/api/v1/health', null);
      return r.body.status === 'degraded' ? r.body : undefined;
    }, 'degraded health');
    assert.equal(h.sources.kubernetes.connected, false);
  });
});
