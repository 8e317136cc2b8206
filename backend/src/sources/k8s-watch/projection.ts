import { createHash } from 'node:crypto';
import { metadataLabels } from '../../transforms/normalize/k8s-audit.js';

// What the cache keeps per object: identity, labels and a digest per "meaningful" aspect, never the
// object itself. An update is reported only when one of these aspects changed, so a node's status
// heartbeat (every 10 s), a pod's container restart counters or a deployment's replica status do
// not each become an event, while a label, a spec (generation), a pod phase or a node's readiness
// change does. 10,000 pods take about 4 MB this way.

/** One cached object. A class, so every instance shares one hidden class (smaller than ad-hoc objects). */
export class Projection {
  constructor(
    readonly uid: string,
    readonly name: string,
    readonly namespace: string | undefined,
    readonly resourceVersion: string,
    readonly labels: Readonly<Record<string, string>> | undefined,
    /** Aspect digests joined by \u0001, in the order of aspectNames(resource). */
    readonly aspects: string,
    /** Pods: the node; nodes/namespaces/pods: the phase or readiness. Kept for delete events found by a relist. */
    readonly node: string | undefined,
    readonly phase: string | undefined,
  ) {}
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A short digest: 72 bits of SHA-1 in base64url (12 characters), enough to tell versions apart. */
export function digest(v: unknown): string {
  if (v === undefined) return '-';
  return createHash('sha1').update(typeof v === 'string' ? v : JSON.stringify(v)).digest('base64url').slice(0, 12);
}

// Namespaces and node names repeat across thousands of objects; one string each.
const interned = new Map<string, string>();
function intern(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size < 100_000) interned.set(s, s);
  return s;
}


function labelsDigest(labels: Record<string, string> | undefined): string {
  if (!labels) return '-';
  return digest(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** Leader-election records that old controllers keep in annotations and renew every few seconds. */
const CHURNING_ANNOTATIONS = new Set(['control-plane.alpha.kubernetes.io/leader']);

function annotationsDigest(meta: Obj): string {
  if (!isObj(meta.annotations)) return '-';
  const keys = Object.keys(meta.annotations).filter((k) => !CHURNING_ANNOTATIONS.has(k)).sort();
  return digest(keys.map((k) => [k, (meta.annotations as Obj)[k]]));
}

function generationOr(obj: Obj, meta: Obj): string {
  return typeof meta.generation === 'number' ? `g${meta.generation}` : digest(obj.spec);
}

function nodeReady(status: unknown): string {
  if (!isObj(status) || !Array.isArray(status.conditions)) return 'Unknown';
  for (const c of status.conditions) if (isObj(c) && c.type === 'Ready' && typeof c.status === 'string') return c.status;
  return 'Unknown';
}

/**
 * The aspects compared for each resource; their names are what `k8s.changed` lists. Anything not
 * named here (status counters, heartbeats, managedFields, resourceVersion) never makes an update.
 */
const ASPECTS: Record<string, { names: string[]; of: (obj: Obj, meta: Obj) => string[] }> = {
  pods: {
    names: ['labels', 'spec', 'node', 'phase'],
    of: (o, m) => {
      const spec = isObj(o.spec) ? o.spec : {};
      const { nodeName, ...rest } = spec;
      return [labelsDigest(metadataLabels(m)), digest(rest), typeof nodeName === 'string' ? nodeName : '', podPhase(o) ?? ''];
    },
  },
  deployments: { names: ['labels', 'spec'], of: (o, m) => [labelsDigest(metadataLabels(m)), generationOr(o, m)] },
  daemonsets: { names: ['labels', 'spec'], of: (o, m) => [labelsDigest(metadataLabels(m)), generationOr(o, m)] },
  statefulsets: { names: ['labels', 'spec'], of: (o, m) => [labelsDigest(metadataLabels(m)), generationOr(o, m)] },
  services: { names: ['labels', 'spec'], of: (o, m) => [labelsDigest(metadataLabels(m)), digest(o.spec)] },
  // `data` is the digest taken on receipt (stripConfigMapData): the content itself is never kept.
  configmaps: { names: ['labels', 'annotations', 'data'], of: (o, m) => [labelsDigest(metadataLabels(m)), annotationsDigest(m), typeof o.dataDigest === 'string' ? o.dataDigest : '-'] },
  namespaces: { names: ['labels', 'phase'], of: (o, m) => [labelsDigest(metadataLabels(m)), isObj(o.status) && typeof o.status.phase === 'string' ? o.status.phase : ''] },
  serviceaccounts: {
    names: ['labels', 'spec'],
    of: (o, m) => [labelsDigest(metadataLabels(m)), digest([o.automountServiceAccountToken, o.secrets, o.imagePullSecrets])],
  },
  roles: { names: ['labels', 'rules'], of: (o, m) => [labelsDigest(metadataLabels(m)), digest([o.rules, o.aggregationRule])] },
  clusterroles: { names: ['labels', 'rules'], of: (o, m) => [labelsDigest(metadataLabels(m)), digest([o.rules, o.aggregationRule])] },
  rolebindings: { names: ['labels', 'binding'], of: (o, m) => [labelsDigest(metadataLabels(m)), digest([o.roleRef, o.subjects])] },
  clusterrolebindings: { names: ['labels', 'binding'], of: (o, m) => [labelsDigest(metadataLabels(m)), digest([o.roleRef, o.subjects])] },
  nodes: {
    names: ['labels', 'spec', 'ready', 'version'],
    of: (o, m) => [
      labelsDigest(metadataLabels(m)), digest(o.spec), nodeReady(o.status),
      isObj(o.status) && isObj(o.status.nodeInfo) && typeof o.status.nodeInfo.kubeletVersion === 'string' ? o.status.nodeInfo.kubeletVersion : '',
    ],
  },
  // A core Event changes meaningfully when it happened again: its count or last time moved.
  events: {
    names: ['occurrence'],
    of: (o) => [`${typeof o.count === 'number' ? o.count : ''}|${String(o.lastTimestamp ?? '')}|${isObj(o.series) ? String(o.series.count ?? '') + String(o.series.lastObservedTime ?? '') : ''}`],
  },
};

export function aspectNames(resource: string): string[] {
  return ASPECTS[resource]?.names ?? ['object'];
}

export function podPhase(o: Obj): string | undefined {
  return isObj(o.status) && typeof o.status.phase === 'string' ? o.status.phase : undefined;
}

/** Why an object cannot be cached: undefined when it has the identity every object has. */
export function malformedReason(obj: unknown): string | undefined {
  if (!isObj(obj)) return 'object is not a JSON object';
  if (!isObj(obj.metadata)) return 'object has no metadata';
  const m = obj.metadata;
  if (typeof m.name !== 'string' || m.name === '') return 'metadata.name missing';
  if (typeof m.uid !== 'string' || m.uid === '') return 'metadata.uid missing';
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return 'metadata.namespace is not a string';
  if (m.labels !== undefined && !isObj(m.labels)) return 'metadata.labels is not an object';
  return undefined;
}

/** The compact projection of a well-formed object (check malformedReason first). */
export function project(resource: string, obj: Obj): Projection {
  const m = obj.metadata as Obj;
  const def = ASPECTS[resource];
  const aspects = def ? def.of(obj, m).join('\u0001') : digest({ ...obj, metadata: { labels: m.labels } });
  let node: string | undefined;
  let phase: string | undefined;
  if (resource === 'pods') {
    node = isObj(obj.spec) && typeof obj.spec.nodeName === 'string' ? obj.spec.nodeName : undefined;
    phase = podPhase(obj);
  }
  return new Projection(
    m.uid as string, m.name as string, intern(typeof m.namespace === 'string' && m.namespace ? m.namespace : undefined),
    typeof m.resourceVersion === 'string' ? m.resourceVersion : '', metadataLabels(m), aspects, intern(node), intern(phase),
  );
}

/** Names of the aspects that differ between two projections of one object. */
export function changedAspects(resource: string, before: Projection, after: Projection): string[] {
  if (before.aspects === after.aspects) return [];
  const names = aspectNames(resource);
  const a = before.aspects.split('\u0001');
  const b = after.aspects.split('\u0001');
  return names.filter((_, i) => a[i] !== b[i]);
}

/**
 * ConfigMaps are metadata-only here: `data` and `binaryData` are replaced, on receipt and before
 * anything else looks at the object, by a digest (to notice content changes) and a key count.
 */
export function stripConfigMapData(obj: Obj): Obj {
  if (!('data' in obj) && !('binaryData' in obj)) return obj;
  const { data, binaryData, ...rest } = obj;
  const keys = (isObj(data) ? Object.keys(data).length : 0) + (isObj(binaryData) ? Object.keys(binaryData).length : 0);
  return { ...rest, dataDigest: digest([data, binaryData]), dataKeys: keys };
}
