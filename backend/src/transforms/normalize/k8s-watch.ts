// Kubernetes objects seen through list + watch (the `kubernetes` source) → ShipEvent (DESIGN.md §3).
//
// Fields produced for every object:
//   event.source = kubernetes; event.action = create | update | delete; event.reconciled = true when
//   a relist (not a watch event) found the change; event.time = the object's own time when it has
//   one (creationTimestamp for a create, deletionTimestamp for a delete), else the time it was seen.
//   k8s.resource (plural), k8s.kind, k8s.api_group, k8s.name, k8s.namespace, k8s.uid, k8s.labels.*,
//   k8s.verb (= event.action), k8s.resource_version, k8s.owner.{kind, name} (first ownerReference),
//   k8s.workload (`Kind/name` of the owner, else of the object: the suppression key of posture rules),
//   k8s.changed[] for updates (which aspects changed: labels, spec, phase, node, ready, ...),
//   k8s.watch.type (ADDED, MODIFIED, DELETED, or RELIST).
// Per resource:
//   pods: k8s.pod, k8s.node, k8s.phase, k8s.pod_spec.* (same summary as the audit source:
//     privileged, host_network, host_pid, host_ipc, host_namespace, host_paths, sensitive_host_paths,
//     sensitive_mount, images, capabilities_add, run_as_root, ...), k8s.containers[] with the Docker
//     posture names per container (name, image, privileged, cap_add, user, read_only_rootfs), and
//     k8s.posture[] = the ids of posture findings (privileged, host_namespace, sensitive_mount,
//     capabilities, root_user) as in event/posture.ts.
//   deployments, daemonsets, statefulsets: k8s.pod_spec.* of the template, k8s.replicas.
//   services: k8s.service.*; roles/clusterroles: k8s.rbac.* (rules); bindings: k8s.rbac.* (roleRef,
//   subjects, cluster_admin); serviceaccounts: k8s.service_account.automount_token;
//   namespaces: k8s.phase; nodes: k8s.node, k8s.ready, k8s.unschedulable, k8s.node_info.*;
//   configmaps: metadata only (k8s.configmap.key_count): data and binaryData never appear.
// Core Events (resource `events`) are occurrences, not objects: event.action = the reason in lower
// case (`backoff`, `oomkilling`, `failedmount`, ...; `event` without a reason), event.time = when it
// last happened, k8s.event.{reason, message, type, count, component, first_time, last_time},
// k8s.involved_object.{kind, name, namespace, uid, field_path}, k8s.pod / k8s.container (from the
// field path) / k8s.node when the object is a pod or a node.

import { DANGEROUS_CAPABILITIES } from '../../event/posture.js';
import { newEventId, type ShipEvent } from '../../event/event.js';
import { normalizeRfc3339, nowRfc3339 } from '../../event/time.js';
import { metadataLabels, podSpecOf, summarizeBinding, summarizePodSpec, summarizeRules, summarizeService } from './k8s-audit.js';

export type WatchAction = 'create' | 'update' | 'delete';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RELIST';

export interface NormalizeWatchOptions {
  hostName?: string;
  /** Resource kind and API group (from the resource table); else taken from the object. */
  kind?: string;
  apiGroup?: string;
  /** Aspects that changed (updates). */
  changed?: string[];
  watchType?: WatchEventType;
  /** Found by a relist after a gap rather than by a watch event. */
  reconciled?: boolean;
  /** When the collector saw the change (RFC 3339); default now. */
  seenAt?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);


function timeOf(v: unknown): string | undefined {
  return typeof v === 'string' ? normalizeRfc3339(v) : undefined;
}

/** Why a watched object cannot be normalized, or undefined. */
export function watchObjectError(obj: unknown): string | undefined {
  if (!isObj(obj)) return 'object is not a JSON object';
  if (!isObj(obj.metadata)) return 'object has no metadata';
  if (!str(obj.metadata.name)) return 'metadata.name missing';
  return undefined;
}

/** A watched object (anything but a core Event) → one normalized event. */
export function normalizeWatchedObject(resource: string, action: WatchAction, obj: Obj, opts: NormalizeWatchOptions = {}): ShipEvent {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = str(meta.name) ?? '';
  const namespace = str(meta.namespace);
  const k8s: Obj = { resource, kind: opts.kind ?? str(obj.kind) ?? '', name, verb: action };
  if (opts.apiGroup) k8s.api_group = opts.apiGroup;
  if (namespace) k8s.namespace = namespace;
  const uid = str(meta.uid);
  if (uid) k8s.uid = uid;
  const labels = metadataLabels(meta);
  if (labels) k8s.labels = labels;
  const rv = str(meta.resourceVersion);
  if (rv) k8s.resource_version = rv;
  if (Array.isArray(meta.ownerReferences) && isObj(meta.ownerReferences[0])) {
    const o = meta.ownerReferences[0];
    k8s.owner = { kind: str(o.kind) ?? '', name: str(o.name) ?? '' };
  }
  // What a person deploys: the owner (a pod's ReplicaSet / DaemonSet / StatefulSet / Job), else the
  // object itself. Rules suppress per workload, so 50 replicas of one bad template alert once.
  const owner = k8s.owner as { kind: string; name: string } | undefined;
  k8s.workload = owner?.name ? `${owner.kind}/${owner.name}` : `${String(k8s.kind)}/${name}`;
  if (opts.changed) k8s.changed = opts.changed;
  if (opts.watchType) k8s.watch = { type: opts.watchType };
  addResourceFields(resource, obj, k8s);

  const time = (action === 'create' ? timeOf(meta.creationTimestamp) : action === 'delete' ? timeOf(meta.deletionTimestamp) : undefined)
    ?? opts.seenAt ?? nowRfc3339();
  const ev: ShipEvent = { event: { id: newEventId(), time, source: 'kubernetes', action }, k8s };
  if (opts.reconciled) ev.event.reconciled = true;
  if (opts.hostName) ev.host = { name: opts.hostName };
  return ev;
}

function addResourceFields(resource: string, obj: Obj, k8s: Obj): void {
  const status = isObj(obj.status) ? obj.status : {};
  const spec = isObj(obj.spec) ? obj.spec : {};
  switch (resource) {
    case 'pods': {
      k8s.pod = k8s.name;
      if (str(spec.nodeName)) k8s.node = spec.nodeName;
      if (str(status.phase)) k8s.phase = status.phase;
      // A delete found by a relist carries only what the cache kept: no spec to judge posture by.
      if (Array.isArray(spec.containers)) podFields(spec, k8s, true);
      break;
    }
    case 'deployments':
    case 'daemonsets':
    case 'statefulsets': {
      const ps = podSpecOf(obj);
      if (ps) podFields(ps, k8s, false);
      if (typeof spec.replicas === 'number') k8s.replicas = spec.replicas;
      break;
    }
    case 'services': {
      const s = summarizeService(obj);
      if (s) k8s.service = s;
      break;
    }
    case 'roles':
    case 'clusterroles':
      k8s.rbac = summarizeRules(obj.rules);
      break;
    case 'rolebindings':
    case 'clusterrolebindings':
      k8s.rbac = summarizeBinding(obj);
      break;
    case 'serviceaccounts':
      if (typeof obj.automountServiceAccountToken === 'boolean') k8s.service_account = { automount_token: obj.automountServiceAccountToken };
      break;
    case 'namespaces':
      if (str(status.phase)) k8s.phase = status.phase;
      break;
    case 'nodes': {
      k8s.node = k8s.name;
      const ready = Array.isArray(status.conditions) ? status.conditions.find((c) => isObj(c) && c.type === 'Ready') : undefined;
      if (isObj(ready) && typeof ready.status === 'string') k8s.ready = ready.status === 'True';
      k8s.unschedulable = spec.unschedulable === true;
      if (isObj(status.nodeInfo)) {
        const ni = status.nodeInfo;
        k8s.node_info = {
          kubelet_version: str(ni.kubeletVersion), os_image: str(ni.osImage), container_runtime: str(ni.containerRuntimeVersion),
          kernel_version: str(ni.kernelVersion), architecture: str(ni.architecture),
        };
      }
      break;
    }
    case 'configmaps':
      // Only what stripConfigMapData left: never a key or a value of the content.
      if (typeof obj.dataKeys === 'number') k8s.configmap = { key_count: obj.dataKeys };
      break;
  }
}

/** Pod spec posture: the audit source's summary, per-container Docker posture names, finding ids. */
function podFields(spec: Obj, k8s: Obj, perContainer: boolean): void {
  const { from: _from, ...summary } = summarizePodSpec(spec, 'response');
  k8s.pod_spec = summary;
  const posture: string[] = [];
  if (summary.privileged) posture.push('privileged');
  if (summary.host_namespace) posture.push('host_namespace');
  if (summary.sensitive_mount) posture.push('sensitive_mount');
  if (summary.capabilities_add.some((c) => DANGEROUS_CAPABILITIES.includes(c))) posture.push('capabilities');
  if (summary.run_as_root) posture.push('root_user');
  k8s.posture = posture;
  if (!perContainer) return;
  const podSc = isObj(spec.securityContext) ? spec.securityContext : {};
  const containers: Obj[] = [];
  for (const f of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[f];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isObj(c) || containers.length >= 64) continue;
      const sc = isObj(c.securityContext) ? c.securityContext : {};
      const out: Obj = { name: str(c.name) ?? '', image: str(c.image) ?? '', privileged: sc.privileged === true };
      const caps = isObj(sc.capabilities) && Array.isArray(sc.capabilities.add)
        ? sc.capabilities.add.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase().replace(/^CAP_/, ''))
        : [];
      out.cap_add = caps;
      const uid = typeof sc.runAsUser === 'number' ? sc.runAsUser : typeof podSc.runAsUser === 'number' ? podSc.runAsUser : undefined;
      if (uid !== undefined) out.user = String(uid);
      if (typeof sc.readOnlyRootFilesystem === 'boolean') out.read_only_rootfs = sc.readOnlyRootFilesystem;
      if (f !== 'containers') out.kind = f === 'initContainers' ? 'init' : 'ephemeral';
      containers.push(out);
    }
  }
  k8s.containers = containers;
}

/** `spec.containers{app}` → `app`. */
function containerOfFieldPath(fp: string | undefined): string | undefined {
  const m = fp ? /^spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]+)\}/.exec(fp) : null;
  return m?.[1];
}

/** A core v1 Event (or events.k8s.io/v1, whose names differ a little) → one normalized event. */
export function normalizeCoreEvent(obj: Obj, opts: NormalizeWatchOptions = {}): ShipEvent {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  // events.k8s.io/v1 names: regarding, note, deprecatedCount, reportingController.
  const involved = isObj(obj.involvedObject) ? obj.involvedObject : isObj(obj.regarding) ? obj.regarding : {};
  const reason = str(obj.reason) ?? '';
  const message = str(obj.message) ?? str(obj.note) ?? '';
  const series = isObj(obj.series) ? obj.series : {};
  const count = typeof series.count === 'number' ? series.count : typeof obj.count === 'number' ? obj.count : typeof obj.deprecatedCount === 'number' ? obj.deprecatedCount : 1;
  const last = timeOf(series.lastObservedTime) ?? timeOf(obj.lastTimestamp) ?? timeOf(obj.eventTime) ?? timeOf(obj.firstTimestamp) ?? timeOf(meta.creationTimestamp);
  const source = isObj(obj.source) ? obj.source : {};
  const kev: Obj = { reason, message: cut(message, 4096), type: str(obj.type) ?? 'Normal', count };
  const component = str(source.component) ?? str(obj.reportingController) ?? str(obj.reportingComponent);
  if (component) kev.component = component;
  const first = timeOf(obj.firstTimestamp) ?? timeOf(obj.eventTime);
  if (first) kev.first_time = first;
  if (last) kev.last_time = last;
  const io: Obj = {};
  for (const [k, out] of [['kind', 'kind'], ['name', 'name'], ['namespace', 'namespace'], ['uid', 'uid'], ['fieldPath', 'field_path']] as const) {
    const v = str(involved[k]);
    if (v) io[out] = v;
  }
  const k8s: Obj = { resource: 'events', kind: 'Event', name: str(meta.name) ?? '', verb: 'event', event: kev, involved_object: io };
  const namespace = str(meta.namespace) ?? str(io.namespace);
  if (namespace) k8s.namespace = namespace;
  if (str(meta.uid)) k8s.uid = meta.uid;
  if (io.kind === 'Pod' && io.name) {
    k8s.pod = io.name;
    const container = containerOfFieldPath(str(io.field_path));
    if (container) k8s.container = container;
  }
  const host = str(source.host) ?? str(obj.reportingInstance);
  if (io.kind === 'Node' && io.name) k8s.node = io.name;
  else if (host) k8s.node = host;
  if (opts.watchType) k8s.watch = { type: opts.watchType };
  const ev: ShipEvent = {
    event: { id: newEventId(), time: last ?? opts.seenAt ?? nowRfc3339(), source: 'kubernetes', action: reason ? reason.toLowerCase() : 'event' },
    k8s,
  };
  if (opts.reconciled) ev.event.reconciled = true;
  if (opts.hostName) ev.host = { name: opts.hostName };
  return ev;
}

/** Reason filter: every Warning event, plus Normal events whose reason is listed (`Failed*` = prefix). */
export function coreEventWanted(obj: Obj, reasons: readonly string[]): boolean {
  if (obj.type === 'Warning') return true;
  const reason = typeof obj.reason === 'string' ? obj.reason : '';
  return reasons.some((r) => (r.endsWith('*') ? reason.startsWith(r.slice(0, -1)) : reason === r));
}
