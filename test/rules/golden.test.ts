import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DetectionEngine } from '../../backend/src/transforms/detect/index.js';
import { coverage, loadGoldenCases, runCase } from '../../backend/src/transforms/detect/golden.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULES = path.join(ROOT, 'rules');

/** Every detection tag of DESIGN.md §5: each must be carried by at least one shipped rule. */
const TAGS = [
  'container_lifecycle', 'container_exec', 'shell', 'privileged', 'host_namespace', 'sensitive_mount', 'capabilities', 'file_copy', 'image',
  'untrusted_registry', 'crash', 'oom', 'unhealthy', 'restart_loop', 'network', 'volume', 'secret', 'config', 'plugin', 'service', 'node',
  'web_attack', 'sqli', 'xss', 'path_traversal', 'shellshock', 'web_scan', 'server_error_burst', 'auth_failure', 'brute_force',
  'resource_cpu', 'resource_memory', 'resource_network', 'k8s_audit', 'k8s_exec', 'k8s_privileged_pod', 'k8s_host_network',
  'k8s_sensitive_mount', 'k8s_rbac', 'k8s_cluster_admin', 'k8s_anonymous', 'k8s_secret', 'k8s_configmap_credentials', 'k8s_nodeport',
  'k8s_kube_namespace', 'k8s_service_account', 'k8s_resource_change',
];

describe('shipped rules', () => {
  const engine = DetectionEngine.fromDirs({ shippedDir: RULES });
  const cases = loadGoldenCases(path.join(RULES, 'tests'));

  it('load without errors', () => {
    const errors = engine.loadErrors().filter((e) => e.severity === 'error');
    assert.deepEqual(errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`), []);
  });

  it('carry every detection tag of the design', () => {
    const tags = new Set(engine.rules().flatMap((r) => r.groups));
    assert.deepEqual(TAGS.filter((t) => !tags.has(t)), [], 'tags without a rule');
  });

  it('each have a positive and a negative golden case', () => {
    const cov = coverage(engine, cases);
    const lines = cov.map((c) => `${c.id} (level ${c.level}): ${c.positive} positive, ${c.negative} negative`);
    const covered = cov.filter((c) => c.positive > 0 && c.negative > 0).length;
    console.log(`rule coverage: ${covered}/${cov.length} alerting rules have positive and negative cases; ${cases.length} cases`);
    assert.deepEqual(lines.filter((_, i) => cov[i]!.positive === 0 || cov[i]!.negative === 0), [], 'rules without both kinds of case');
  });

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, () => {
      const r = runCase(engine.fork(), c);
      assert.deepEqual(r.failures, [], JSON.stringify(r.alerts.map((a) => ({ id: a.rule.id, level: a.rule.level, d: a.rule.description }))));
    });
  }
});
