import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config/load.js';
import { WATCH_RESOURCE_NAMES } from './resources.js';

describe('k8s watch config', () => {
  it('is off by default, with every resource but secrets', () => {
    const k = loadConfig({ env: {} }).k8s;
    assert.equal(k.watch_enabled, false);
    assert.equal(k.in_cluster, 'auto');
    assert.deepEqual(k.watch_resources, [...WATCH_RESOURCE_NAMES]);
    assert.ok(!k.watch_resources.includes('secrets'));
    assert.equal(k.watch_stale_after, 300_000);
    assert.equal(k.watch_timeout, 240_000);
  });

  it('takes SHIPWATCH_K8S_* variables, lists as comma-separated text', () => {
    const k = loadConfig({ env: {
      SHIPWATCH_K8S_WATCH_ENABLED: 'true', SHIPWATCH_K8S_KUBECONFIG: '/etc/kube/config', SHIPWATCH_K8S_WATCH_RESOURCES: 'pods, events',
      SHIPWATCH_K8S_WATCH_NAMESPACES: 'web,db', SHIPWATCH_K8S_WATCH_STALE_AFTER: '90s', SHIPWATCH_K8S_IN_CLUSTER: 'false',
    } }).k8s;
    assert.equal(k.watch_enabled, true);
    assert.equal(k.kubeconfig, '/etc/kube/config');
    assert.deepEqual(k.watch_resources, ['pods', 'events']);
    assert.deepEqual(k.watch_namespaces, ['web', 'db']);
    assert.equal(k.watch_stale_after, 90_000);
    assert.equal(k.in_cluster, 'false');
  });

  it('refuses secrets and unknown resources, saying why', () => {
    assert.throws(() => loadConfig({ env: { SHIPWATCH_K8S_WATCH_RESOURCES: 'pods,secrets' } }), /k8s.watch_resources.1: secrets are never watched/);
    assert.throws(() => loadConfig({ env: { SHIPWATCH_K8S_WATCH_RESOURCES: 'pods,widgets' } }), /unknown resource "widgets"/);
    assert.throws(() => loadConfig({ env: { SHIPWATCH_K8S_WATCH_STALE_AFTER: '10ms' } }), /at least 100ms/);
  });
});
