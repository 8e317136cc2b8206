// Realistic audit.k8s.io/v1 Events for tests and the benchmark (not used by the collector).
import { randomUUID } from 'node:crypto';

export type AuditKind = 'pod_create' | 'exec' | 'secret_get' | 'rbac_binding' | 'configmap_update' | 'pod_list' | 'lease_update' | 'node_status' | 'configmap_watch';

let clock = Date.UTC(2026, 0, 1, 12, 0, 0);

function times(): { requestReceivedTimestamp: string; stageTimestamp: string } {
  clock += 7;
  const t = new Date(clock).toISOString().replace('Z', '');
  return { requestReceivedTimestamp: `${t}123Z`, stageTimestamp: `${t}456Z` };
}

const base = (verb: string, uri: string, objectRef: Record<string, unknown>, user = 'alice@example.com', code = 200) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: randomUUID(),
  stage: 'ResponseComplete',
  requestURI: uri,
  verb,
  user: { username: user, groups: ['developers', 'system:authenticated'] },
  sourceIPs: ['10.20.30.40'],
  userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
  objectRef: { apiVersion: 'v1', ...objectRef },
  responseStatus: { metadata: {}, code },
  ...times(),
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "dev" of ClusterRole "edit" to Group "developers"' },
});

/** One audit Event of the given kind, with a fresh auditID. */
export function auditEvent(kind: AuditKind = 'pod_create', n = 0): Record<string, unknown> {
  switch (kind) {
    case 'pod_create': {
      const name = `web-${n}`;
      return {
        ...base('create', '/api/v1/namespaces/shop/pods?fieldManager=kubectl-client-side-apply', { resource: 'pods', namespace: 'shop', name }, 'alice@example.com', 201),
        requestObject: {
          kind: 'Pod', apiVersion: 'v1',
          metadata: { name, namespace: 'shop', labels: { app: 'web', tier: 'frontend' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Pod"}' } },
          spec: {
            containers: [{
              name: 'web', image: 'registry.example.com/shop/web:1.4.2', ports: [{ containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'MODE', value: 'production' }], resources: { limits: { cpu: '500m', memory: '256Mi' } },
              securityContext: n % 10 === 0 ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            }],
            volumes: [n % 7 === 0 ? { name: 'data', hostPath: { path: '/var/run/docker.sock' } } : { name: 'data', emptyDir: {} }],
            hostNetwork: n % 13 === 0,
            serviceAccountName: 'web',
          },
        },
        responseObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'shop', uid: randomUUID(), resourceVersion: '123456' }, status: { phase: 'Pending' } },
      };
    }
    case 'exec':
      return {
        ...base('create', `/api/v1/namespaces/shop/pods/web-${n}/exec?command=sh&command=-c&command=id&container=web&stdin=true&stdout=true&tty=true`,
          { resource: 'pods', namespace: 'shop', name: `web-${n}`, subresource: 'exec' }, 'bob@example.com', 101),
        level: 'Request', stage: 'ResponseStarted',
      };
    case 'secret_get':
      return { ...base('get', '/api/v1/namespaces/shop/secrets/db-password', { resource: 'secrets', namespace: 'shop', name: 'db-password' }, 'system:serviceaccount:shop:web'), level: 'Metadata' };
    case 'rbac_binding':
      return {
        ...base('create', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { resource: 'clusterrolebindings', name: `ops-${n}`, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, 'admin', 201),
        requestObject: {
          kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: `ops-${n}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: n % 5 === 0 ? 'cluster-admin' : 'view' },
          subjects: [{ kind: 'User', name: 'carol@example.com', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      };
    case 'configmap_update':
      return {
        ...base('update', '/api/v1/namespaces/shop/configmaps/web-config', { resource: 'configmaps', namespace: 'shop', name: 'web-config' }),
        requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'web-config', namespace: 'shop' }, data: { 'app.properties': 'log.level=info\ncache.size=128\n', FEATURE_X: 'on' } },
      };
    case 'pod_list':
      return { ...base('list', '/api/v1/namespaces/shop/pods?limit=500', { resource: 'pods', namespace: 'shop' }, 'system:serviceaccount:monitoring:prometheus'), level: 'Metadata' };
    case 'lease_update':
      return {
        ...base('update', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-${n % 50}?timeout=10s`,
          { resource: 'leases', namespace: 'kube-node-lease', name: `node-${n % 50}`, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, `system:node:node-${n % 50}`),
        level: 'Metadata', userAgent: 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819',
      };
    case 'node_status':
      return {
        ...base('patch', `/api/v1/nodes/node-${n % 50}/status?timeout=10s`, { resource: 'nodes', name: `node-${n % 50}`, subresource: 'status' }, `system:node:node-${n % 50}`),
        level: 'Request', userAgent: 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819',
        requestObject: { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T12:00:00Z', reason: 'KubeletReady' }] } },
      };
    case 'configmap_watch':
      return {
        ...base('watch', '/api/v1/configmaps?allowWatchBookmarks=true&resourceVersion=123&timeout=7m&watch=true', { resource: 'configmaps' }, 'system:kube-controller-manager'),
        level: 'Metadata', stage: 'ResponseStarted',
      };
  }
}

const MIXES: Record<'security' | 'cluster', AuditKind[]> = {
  /** Heavy on what rules look at: pod creates (some privileged, host network, docker.sock), execs, secret reads, RBAC bindings. */
  security: ['pod_list', 'pod_list', 'secret_get', 'pod_create', 'configmap_update', 'exec', 'pod_list', 'rbac_binding', 'secret_get', 'pod_create'],
  /** A cluster's background: mostly kubelet lease renewals, node status, controllers' lists and watches. */
  cluster: ['lease_update', 'lease_update', 'pod_list', 'lease_update', 'node_status', 'configmap_watch', 'lease_update', 'secret_get', 'pod_create',
    'lease_update', 'pod_list', 'lease_update', 'node_status', 'configmap_watch', 'lease_update', 'configmap_update', 'pod_list', 'exec', 'rbac_binding', 'pod_create'],
};

/** `count` events of a mix, in a fixed order, each with a fresh auditID. */
export function auditMix(count: number, mix: 'security' | 'cluster' = 'security'): Record<string, unknown>[] {
  const kinds = MIXES[mix];
  return Array.from({ length: count }, (_, i) => auditEvent(kinds[i % kinds.length]!, i));
}
