import { randomUUID } from 'node:crypto';

// Kubernetes objects shaped like what a real API server returns (managedFields, owner references,
// probes, env, statuses), for tests and the memory benchmark. A realistic pod is 5-7 KB of JSON.

type Obj = Record<string, unknown>;

const TS = '2026-01-01T00:00:00Z';

export interface PodOptions {
  namespace?: string;
  node?: string;
  labels?: Record<string, string>;
  privileged?: boolean;
  hostNetwork?: boolean;
  hostPath?: string;
  capAdd?: string[];
  runAsUser?: number;
  phase?: string;
  image?: string;
}

export function makePod(name: string, o: PodOptions = {}): Obj {
  const ns = o.namespace ?? 'default';
  const app = name.split('-')[0]!;
  const labels = o.labels ?? { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop', 'pod-template-hash': '7d9f8c6b5d' };
  const sc: Obj = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], ...(o.capAdd ? { add: o.capAdd } : {}) } };
  if (o.privileged) sc.privileged = true;
  if (o.runAsUser !== undefined) sc.runAsUser = o.runAsUser;
  const container = (cname: string, image: string) => ({
    name: cname,
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
    ],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ...(o.hostPath ? [{ name: 'host', mountPath: '/host' }] : []),
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: sc,
  });
  const image = o.image ?? `registry.example.com/shop/${app}:1.42.0`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, namespace: ns, uid: randomUUID(), resourceVersion: '1', creationTimestamp: TS, generateName: `${app}-7d9f8c6b5d-`, labels,
      annotations: { 'kubectl.kubernetes.io/restartedAt': TS, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5d`, uid: randomUUID(), controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: TS, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:env': {}, 'f:image': {}, 'f:livenessProbe': {}, 'f:ports': {}, 'f:readinessProbe': {}, 'f:resources': {} } } } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: TS, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': {}, 'f:startTime': {} } } },
      ],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: 'kube-api-access-x7k2p', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }], defaultMode: 420 } },
        ...(o.hostPath ? [{ name: 'host', hostPath: { path: o.hostPath, type: '' } }] : []),
      ],
      containers: [container('app', image), container('sidecar', 'registry.example.com/platform/envoy:1.30.2')],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: o.node ?? 'node-1',
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      securityContext: { runAsNonRoot: o.runAsUser === 0 ? false : true, seccompProfile: { type: 'RuntimeDefault' } },
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: TS })),
      hostIP: '10.0.0.11', hostIPs: [{ ip: '10.0.0.11' }], podIP: '10.244.1.23', podIPs: [{ ip: '10.244.1.23' }], startTime: TS,
      containerStatuses: ['app', 'sidecar'].map((cname) => ({
        name: cname, state: { running: { startedAt: TS } }, lastState: {}, ready: true, restartCount: 0,
        image, imageID: `${image}@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0`,
        containerID: `containerd://${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`, started: true,
      })),
      qosClass: 'Burstable',
    },
  };
}

export function makeConfigMap(name: string, namespace = 'default', data: Record<string, string> = { 'app.yaml': 'password: hunter2\nport: 8080\n' }): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: name } }, data, binaryData: { 'blob.bin': 'c2VjcmV0LWJ5dGVz' } };
}

export function makeCoreEvent(name: string, o: { reason: string; type?: string; message?: string; pod?: string; namespace?: string; count?: number; container?: string; node?: string }): Obj {
  const ns = o.namespace ?? 'default';
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name, namespace: ns, creationTimestamp: TS },
    involvedObject: { kind: 'Pod', namespace: ns, name: o.pod ?? 'web-1', uid: randomUUID(), apiVersion: 'v1', fieldPath: `spec.containers{${o.container ?? 'app'}}` },
    reason: o.reason, message: o.message ?? `${o.reason} happened`, source: { component: 'kubelet', host: o.node ?? 'node-1' },
    firstTimestamp: TS, lastTimestamp: TS, count: o.count ?? 1, type: o.type ?? 'Warning', reportingComponent: 'kubelet', reportingInstance: o.node ?? 'node-1',
  };
}

export function makeNode(name: string, ready = true, heartbeat = TS): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: { podCIDR: '10.244.1.0/24' },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: TS, reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: ready ? 'True' : 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: TS, reason: 'KubeletReady' },
      ],
      nodeInfo: { kubeletVersion: 'v1.31.2', osImage: 'Ubuntu 24.04 LTS', containerRuntimeVersion: 'containerd://1.7.22', kernelVersion: '6.8.0', architecture: 'amd64' },
    },
  };
}

export function makeClusterRoleBinding(name: string, role: string, subject: { kind: string; name: string; namespace?: string }): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [subject],
  };
}
