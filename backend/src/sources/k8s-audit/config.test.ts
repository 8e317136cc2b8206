import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { k8sAuditConfigShape, parseK8sAuditConfig } from './config.js';

describe('k8s audit config', () => {
  it('has defaults for every key', () => {
    assert.deepEqual(parseK8sAuditConfig({}), {
      audit_max_body: 16 * 1024 * 1024,
      audit_rate: 20_000,
      audit_dedup_size: 100_000,
      audit_commit_timeout: 10_000,
      audit_client_cert: false,
      audit_client_cns: [],
      audit_log_poll: 250,
      audit_log_start_at: 'beginning',
      audit_log_max_line: 16 * 1024 * 1024,
    });
  });

  it('takes the string forms that environment variables give', () => {
    const c = parseK8sAuditConfig({
      audit_token: 'x'.repeat(16), audit_max_body: '4MiB', audit_rate: '5000', audit_burst: 12_000, audit_dedup_size: 0,
      audit_commit_timeout: '30s', audit_client_cert: 'true', audit_client_cns: 'kube-apiserver, kube-apiserver-2',
      audit_log_path: '/var/log/kubernetes/audit/audit.log', audit_log_poll: '1s', audit_log_start_at: 'end', audit_log_max_line: '1MiB',
    });
    assert.equal(c.audit_max_body, 4 * 1024 * 1024);
    assert.equal(c.audit_rate, 5000);
    assert.equal(c.audit_burst, 12_000);
    assert.equal(c.audit_commit_timeout, 30_000);
    assert.equal(c.audit_client_cert, true);
    assert.deepEqual(c.audit_client_cns, ['kube-apiserver', 'kube-apiserver-2']);
    assert.equal(c.audit_log_poll, 1000);
    assert.equal(c.audit_log_max_line, 1024 * 1024);
  });

  it('refuses bad values and unknown keys with the key named', () => {
    for (const bad of [{ audit_rate: -1 }, { audit_max_body: '12 parsecs' }, { audit_log_start_at: 'middle' }, { audit_log_poll: '5ms' }, { audit_token: 'short' }, { audit_colour: 'red' }]) {
      const r = z.strictObject({ audit_token: z.string().min(16).optional(), ...k8sAuditConfigShape }).safeParse(bad);
      assert.equal(r.success, false, JSON.stringify(bad));
    }
  });

  it('merges into a k8s section beside other keys', () => {
    const section = z.strictObject({ audit_token: z.string().min(16).optional(), kubeconfig: z.string().optional(), ...k8sAuditConfigShape });
    const c = section.parse({ kubeconfig: '/etc/kube', audit_rate: 1 });
    assert.equal(c.kubeconfig, '/etc/kube');
    assert.equal(c.audit_rate, 1);
  });
});
