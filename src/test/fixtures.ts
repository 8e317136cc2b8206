// Collector answers for tests, in the shapes of backend/src/api/routes/*.ts.
import type { Alert, AlertStats, Container, Health, Rule } from '../api/types';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    time: '2026-01-02T03:04:05.123456789Z',
    rule: {
      id: 100100,
      level: 12,
      description: 'Shell started in container web: bash -i',
      groups: ['container_exec', 'shell'],
      mitre: ['T1609', 'T1059.004'],
    },
    severity: 'critical',
    count: 1,
    event: {
      event: { id: 'e1', time: '2026-01-02T03:04:05.123456789Z', source: 'docker', action: 'exec_start' },
      host: { name: 'node-1' },
      container: { id: 'c0ffee', name: 'web', image: 'nginx:1.27' },
      docker: { action: 'exec_start', exec: { command: 'bash -i' } },
    },
    ...overrides,
  };
}

export function makeStats(overrides: Partial<AlertStats> = {}): AlertStats {
  return {
    total: 3,
    by_severity: { low: 1, medium: 0, high: 0, critical: 2 },
    by_rule: [
      { rule_id: 100100, count: 2 },
      { rule_id: 100200, count: 1 },
    ],
    by_group: [
      { group: 'shell', count: 2 },
      { group: 'container_lifecycle', count: 1 },
    ],
    by_container: [
      { container: 'web', count: 2 },
      { container: 'db', count: 1 },
    ],
    ...overrides,
  };
}

export const EMPTY_STATS: AlertStats = {
  total: 0,
  by_severity: { low: 0, medium: 0, high: 0, critical: 0 },
  by_rule: [],
  by_group: [],
  by_container: [],
};

export function makeRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: 100100,
    level: 12,
    description: 'Interactive shell in a container',
    groups: ['container_exec', 'shell'],
    mitre: ['T1609'],
    enabled: true,
    file: 'rules/docker.yaml',
    line: 10,
    overridden: false,
    runtimeErrors: 0,
    source: 'shipped',
    ...overrides,
  };
}

/** A low-level shipped rule without MITRE ids, the base of the rule list tests. */
export function makeLowRule(overrides: Partial<Rule> = {}): Rule {
  return makeRule({
    level: 3,
    description: 'exec in {container.name}',
    groups: ['container_exec'],
    mitre: [],
    file: '/opt/shipwatch/rules/docker.yaml',
    line: 12,
    ...overrides,
  });
}

export function makeContainer(overrides: Partial<Container> = {}): Container {
  return {
    id: 'c0ffee0000000000000000000000000000000000000000000000000000000000',
    name: 'web',
    image: 'nginx:1.27',
    image_id: 'sha256:abc',
    state: 'running',
    health: null,
    exit_code: null,
    created_at: '2026-01-02T03:00:00.000000000Z',
    started_at: '2026-01-02T03:00:01.000000000Z',
    finished_at: null,
    labels: {},
    compose: { project: 'shop', service: 'web' },
    config: { privileged: true },
    posture: [
      {
        id: 'privileged',
        severity: 'critical',
        message: 'runs privileged: full access to the host devices and kernel',
      },
    ],
    metrics: {
      cpu_percent: 12.5,
      memory_working_set_bytes: 64 * 1024 * 1024,
      memory_limit_bytes: 256 * 1024 * 1024,
      memory_percent: 25,
    },
    ...overrides,
  };
}

export function makeHealth(overrides: Partial<Health> = {}): Health {
  return {
    status: 'ok',
    version: '0.1.0',
    sources: {
      docker: { connected: true, endpoint: 'unix:///var/run/docker.sock' },
      docker_stats: {
        enabled: true,
        connected: false,
        endpoint: 'unix:///var/run/docker.sock',
        last_error: 'connect ENOENT',
      },
      k8s_audit: { webhook: { enabled: false }, file: { enabled: false } },
    },
    sinks: {
      loki: {
        enabled: false,
        queued_entries: 0,
        queued_bytes: 0,
        last_success: null,
        last_error: null,
        retrying: false,
      },
    },
    ...overrides,
  };
}
