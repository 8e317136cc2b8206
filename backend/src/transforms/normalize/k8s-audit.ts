// Kubernetes audit events (audit.k8s.io/v1 and v1beta1 `Event`) → ShipEvent (DESIGN.md §3).
//
// Fields produced:
//   event.source = k8s_audit, event.id = new, event.time = stageTimestamp (else
//   requestReceivedTimestamp, else v1beta1 `timestamp`), canonical RFC 3339 with nine digits.
//   event.action = the audit verb (create, get, list, watch, update, patch, delete,
//     deletecollection, ...), EXCEPT for the pod subresources that open a session into a container:
//     `exec`, `attach` and `portforward` (audited as verb create/get on pods/<subresource>) give
//     event.action = the subresource, so `event.action in (exec, attach)` finds them whatever the
//     verb. `k8s.verb` always keeps the raw verb and `k8s.subresource` the subresource.
//   event.outcome = success | failure from responseStatus.code (< 400 / >= 400) when present.
//   k8s.audit = the audit event under its own JSON names (verb, user.username, user.groups,
//     objectRef.*, requestObject, responseObject, responseStatus.code, stage, auditID, sourceIPs,
//     userAgent, impersonatedUser, annotations, ...). requestObject and responseObject are copied
//     with bounds (BoundOptions: depth, string length, total size; `metadata.managedFields` is
//     dropped); what was cut is listed in k8s.audit_truncated.
//   k8s.namespace, k8s.resource, k8s.subresource, k8s.name, k8s.api_group, k8s.verb, k8s.pod (pods),
//   k8s.labels (the object's metadata.labels, strings, at most 64),
//   k8s.write (verb is create/update/patch/delete/deletecollection),
//   k8s.user.{anonymous, service_account, system, impersonated},
//   k8s.authorization.{decision, reason} (from the annotations),
//   k8s.exec.{command, container, tty, stdin} (exec/attach: from the request URI),
//   user.name (user.username), source.ip (first sourceIP), user_agent.original (userAgent).
// Precomputed for rules (see the helpers below for the exact definitions):
//   k8s.pod_spec.*  for pods and the pod templates of deployments, replicasets, statefulsets,
//                   daemonsets, jobs, cronjobs, replicationcontrollers, podtemplates
//   k8s.rbac.*      for roles/clusterroles (rules flattened) and rolebindings/clusterrolebindings
//   k8s.configmap.* for configmaps (keys, credential-looking content)
//   k8s.service.*   for services (type, node ports)
//   k8s.secret.*    for secrets (type, service-account-token)
// These come from requestObject when it holds the object (create/update, or a patch carrying the
// field), else from responseObject; with audit level Metadata neither is there and only the
// objectRef-based fields exist.

import { newEventId, type ShipEvent } from '../../event/event.js';
import { rememberJsonText } from '../../event/json.js';
import { normalizeRfc3339 } from '../../event/time.js';

// ---------------------------------------------------------------------------------------------
// Payloads

export interface AuditPayloadError {
  /** Position of the item in the array / EventList.items / JSON-lines text (0-based line). */
  index: number;
  message: string;
}

/**
 * Splits a webhook or file payload into audit events: an `EventList` (`{kind: 'EventList', items}`),
 * a single `Event`, an array of events, or text (a JSON document, else JSON lines, one event per
 * line as in an audit log file). Items that are not audit events are reported in `errors` with their
 * index; the others are returned in order. Never throws.
 */
export function parseAuditPayload(body: unknown): { events: unknown[]; errors: AuditPayloadError[] } {
  const events: unknown[] = [];
  const errors: AuditPayloadError[] = [];
  const take = (item: unknown, index: number): void => {
    const err = validateAuditEvent(item);
    if (err) errors.push({ index, message: err });
    else events.push(item);
  };
  try {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
      let doc: unknown;
      let whole = true;
      try {
        doc = JSON.parse(text);
      } catch {
        whole = false;
      }
      if (whole) return parseAuditPayload(doc);
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i += 1) {
        const l = lines[i]!.trim();
        if (!l) continue;
        let item: unknown;
        try {
          item = JSON.parse(l);
        } catch (e) {
          errors.push({ index: i, message: `line ${i + 1}: invalid JSON: ${(e as Error).message}` });
          continue;
        }
        take(item, i);
      }
      return { events, errors };
    }
    if (Array.isArray(body)) {
      body.forEach((item, i) => take(item, i));
      return { events, errors };
    }
    if (isObj(body) && body.kind === 'EventList') {
      if (!Array.isArray(body.items)) {
        if (body.items === null || body.items === undefined) return { events, errors };
        errors.push({ index: 0, message: 'EventList.items is not an array' });
        return { events, errors };
      }
      body.items.forEach((item, i) => take(item, i));
      return { events, errors };
    }
    take(body, 0);
  } catch (e) {
    errors.push({ index: -1, message: `payload could not be read: ${(e as Error).message}` });
  }
  return { events, errors };
}

const AUDIT_TIME_FIELDS = ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp'] as const;

function auditTime(o: Record<string, unknown>): string | undefined {
  for (const f of AUDIT_TIME_FIELDS) {
    const v = o[f];
    if (typeof v === 'string') {
      const t = normalizeRfc3339(v);
      if (t) return t;
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Why an object is not a usable audit Event, or undefined when it is one. */
export function validateAuditEvent(obj: unknown): string | undefined {
  if (!isObj(obj)) return `audit event must be a JSON object, got ${describe(obj)}`;
  if (obj.kind !== undefined && obj.kind !== 'Event') return `not an audit Event: kind must be "Event", got ${describe(obj.kind)}`;
  if (obj.apiVersion !== undefined && (typeof obj.apiVersion !== 'string' || !obj.apiVersion.startsWith('audit.k8s.io/'))) {
    return `not an audit Event: apiVersion must be audit.k8s.io/v1 or v1beta1, got ${describe(obj.apiVersion)}`;
  }
  if (typeof obj.verb !== 'string' || obj.verb.length === 0 || obj.verb.length > 64) return 'audit event has no verb';
  if (!auditTime(obj)) return 'audit event has no valid stageTimestamp or requestReceivedTimestamp (RFC 3339)';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Bounded copies of untrusted objects

export interface BoundOptions {
  /** Total characters (keys + scalar text) copied from one object. */
  maxChars: number;
  /** Nesting depth copied; deeper values become the string "[truncated]". */
  maxDepth: number;
  /** Longest string copied (longer ones are cut). */
  maxString: number;
}

export const REQUEST_OBJECT_BOUNDS: BoundOptions = { maxChars: 256 * 1024, maxDepth: 32, maxString: 64 * 1024 };
export const RESPONSE_OBJECT_BOUNDS: BoundOptions = { maxChars: 64 * 1024, maxDepth: 32, maxString: 16 * 1024 };
const SMALL_BOUNDS: BoundOptions = { maxChars: 32 * 1024, maxDepth: 8, maxString: 4 * 1024 };

/**
 * A JSON-safe copy within the bounds; `cut` is set when something was left out or shortened.
 * Copy on write: a part the bounds leave as it is (the usual case) is returned itself, and only
 * the objects above a change are copied. Building a whole copy cost more than the rest of
 * normalizing an audit event, and parsed request bodies are not shared.
 */
export function boundedCopy(v: unknown, b: BoundOptions, dropManagedFields = false): { value: unknown; cut: boolean } {
  const state = { left: b.maxChars, cut: false };
  const rec = (x: unknown, depth: number, key: string | undefined): unknown => {
    if (x === null || typeof x === 'boolean') return x;
    if (typeof x === 'number') return Number.isFinite(x) ? x : null;
    if (typeof x === 'string') {
      let s = x;
      if (s.length > b.maxString) {
        s = s.slice(0, b.maxString);
        state.cut = true;
      }
      if (s.length > state.left) {
        s = s.slice(0, Math.max(0, state.left));
        state.cut = true;
      }
      state.left -= s.length;
      return s;
    }
    if (typeof x !== 'object') return null;
    if (depth >= b.maxDepth) {
      state.cut = true;
      return '[truncated]';
    }
    if (Array.isArray(x)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < x.length; i += 1) {
        if (state.left <= 0) {
          state.cut = true;
          out ??= x.slice(0, i);
          break;
        }
        state.left -= 1;
        const item: unknown = x[i];
        const r = rec(item, depth + 1, undefined);
        if (out) out.push(r);
        else if (r !== item) out = [...x.slice(0, i), r];
      }
      return out ?? x;
    }
    // Anything but a plain object (a Date, a class instance) becomes one.
    let out: Record<string, unknown> | undefined = Object.getPrototypeOf(x) === Object.prototype ? undefined : {};
    const keys = Object.keys(x);
    const copyUpTo = (n: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let j = 0; j < n; j += 1) o[keys[j]!] = (x as Record<string, unknown>)[keys[j]!];
      return o;
    };
    for (let i = 0; i < keys.length; i += 1) {
      const k = keys[i]!;
      if (k === '__proto__' || (dropManagedFields && k === 'managedFields' && key === 'metadata')) {
        out ??= copyUpTo(i);
        continue;
      }
      if (state.left <= 0) {
        state.cut = true;
        out ??= copyUpTo(i);
        break;
      }
      state.left -= k.length + 1;
      const val = (x as Record<string, unknown>)[k];
      const r = rec(val, depth + 1, k);
      if (out) out[k] = r;
      else if (r !== val) {
        out = copyUpTo(i);
        out[k] = r;
      }
    }
    return out ?? x;
  };
  const value = rec(v, 0, undefined);
  return { value, cut: state.cut };
}

// ---------------------------------------------------------------------------------------------
// Pod specs

/** Resources whose objects carry a pod spec or a pod template. */
export const WORKLOAD_RESOURCES = new Set([
  'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'podtemplates',
]);

/**
 * Host paths that give a pod the node: exactly `/`, or equal to / under one of these. Falco's
 * sensitive_mount list plus the runtime sockets and state directories it implies. Not included
 * (too common for log shippers and dev clusters): /var/log, /home, /tmp, /mnt, /opt, /usr.
 */
export const SENSITIVE_HOST_PATH_PREFIXES = [
  '/etc', '/proc', '/sys', '/root', '/boot', '/dev', '/var/run', '/run', '/var/lib/kubelet', '/var/lib/docker',
  '/var/lib/containerd', '/var/lib/crio', '/var/lib/etcd', '/etc/kubernetes', '/home/admin',
];

export function isSensitiveHostPath(path: string): boolean {
  let p = path.trim();
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  // Collapse `//` and resolve `.` / `..` so `/var/../etc` counts as `/etc`.
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const norm = `/${parts.join('/')}`;
  if (norm === '/') return true;
  return SENSITIVE_HOST_PATH_PREFIXES.some((pre) => norm === pre || norm.startsWith(`${pre}/`));
}

/** An object's `metadata.labels`: strings only, at most 64, values cut at 256 characters. */
export function metadataLabels(meta: unknown): Record<string, string> | undefined {
  if (!isObj(meta) || !isObj(meta.labels)) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(meta.labels)) {
    if (typeof v !== 'string' || k === '__proto__') continue;
    if ((n += 1) > 64) break;
    out[k] = v.length > 256 ? v.slice(0, 256) : v;
  }
  return n > 0 ? out : undefined;
}

/** The pod spec inside a workload object (pod, template, job template), or undefined. */
export function podSpecOf(obj: unknown): Record<string, unknown> | undefined {
  if (!isObj(obj)) return undefined;
  const spec = obj.spec;
  if (isObj(spec)) {
    if (hasPodFields(spec)) return spec;
    const tpl = spec.template;
    if (isObj(tpl) && isObj(tpl.spec) && hasPodFields(tpl.spec)) return tpl.spec;
    const jt = spec.jobTemplate;
    if (isObj(jt) && isObj(jt.spec) && isObj(jt.spec.template) && isObj(jt.spec.template.spec) && hasPodFields(jt.spec.template.spec)) {
      return jt.spec.template.spec;
    }
  }
  const tpl = obj.template; // PodTemplate
  if (isObj(tpl) && isObj(tpl.spec) && hasPodFields(tpl.spec)) return tpl.spec;
  return undefined;
}

function hasPodFields(s: Record<string, unknown>): boolean {
  return Array.isArray(s.containers) || Array.isArray(s.initContainers) || Array.isArray(s.ephemeralContainers) ||
    Array.isArray(s.volumes) || s.hostNetwork !== undefined || s.hostPID !== undefined || s.hostIPC !== undefined ||
    isObj(s.securityContext);
}

export interface PodSpecSummary {
  /** Any container (init, ephemeral included) with securityContext.privileged: true. */
  privileged: boolean;
  privileged_containers: string[];
  host_network: boolean;
  host_pid: boolean;
  host_ipc: boolean;
  /** host_network or host_pid or host_ipc. */
  host_namespace: boolean;
  /** hostPath volume paths. */
  host_paths: string[];
  /** The host_paths that isSensitiveHostPath() flags. */
  sensitive_host_paths: string[];
  /** sensitive_host_paths is not empty. */
  sensitive_mount: boolean;
  images: string[];
  /** Added capabilities of all containers, upper case, without the CAP_ prefix. */
  capabilities_add: string[];
  /** Some container runs with an effective runAsUser of 0 (explicit). */
  run_as_root: boolean;
  /** Some container is not forced to a non-root user (no effective runAsNonRoot: true nor runAsUser > 0). */
  may_run_as_root: boolean;
  /** Some container sets allowPrivilegeEscalation: true explicitly. */
  allow_privilege_escalation: boolean;
  /** Some container (or the pod) has seccompProfile.type Unconfined. */
  seccomp_unconfined: boolean;
  host_ports: number[];
  service_account?: string;
  automount_service_account_token?: boolean;
  container_count: number;
  /** Where the spec was read: the request or the response object. */
  from: 'request' | 'response';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function uniq<T>(a: T[]): T[] {
  return [...new Set(a)];
}

export function summarizePodSpec(spec: Record<string, unknown>, from: 'request' | 'response'): PodSpecSummary {
  const containers: Record<string, unknown>[] = [];
  for (const f of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[f];
    if (Array.isArray(list)) for (const c of list) if (isObj(c)) containers.push(c);
  }
  const podSc = isObj(spec.securityContext) ? spec.securityContext : {};
  const s: PodSpecSummary = {
    privileged: false,
    privileged_containers: [],
    host_network: spec.hostNetwork === true,
    host_pid: spec.hostPID === true,
    host_ipc: spec.hostIPC === true,
    host_namespace: spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true,
    host_paths: [],
    sensitive_host_paths: [],
    sensitive_mount: false,
    images: [],
    capabilities_add: [],
    run_as_root: false,
    may_run_as_root: false,
    allow_privilege_escalation: false,
    seccomp_unconfined: isObj(podSc.seccompProfile) && podSc.seccompProfile.type === 'Unconfined',
    host_ports: [],
    container_count: containers.length,
    from,
  };
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (isObj(v) && isObj(v.hostPath) && typeof v.hostPath.path === 'string') s.host_paths.push(v.hostPath.path);
    }
  }
  s.host_paths = uniq(s.host_paths);
  s.sensitive_host_paths = s.host_paths.filter(isSensitiveHostPath);
  s.sensitive_mount = s.sensitive_host_paths.length > 0;
  for (const c of containers) {
    const sc = isObj(c.securityContext) ? c.securityContext : {};
    if (sc.privileged === true) {
      s.privileged = true;
      s.privileged_containers.push(typeof c.name === 'string' ? c.name : '');
    }
    if (typeof c.image === 'string') s.images.push(c.image);
    if (isObj(sc.capabilities)) {
      for (const cap of strings(sc.capabilities.add)) {
        const u = cap.toUpperCase();
        s.capabilities_add.push(u.startsWith('CAP_') ? u.slice(4) : u);
      }
    }
    const uid = typeof sc.runAsUser === 'number' ? sc.runAsUser : typeof podSc.runAsUser === 'number' ? podSc.runAsUser : undefined;
    const nonRoot = typeof sc.runAsNonRoot === 'boolean' ? sc.runAsNonRoot : podSc.runAsNonRoot === true;
    if (uid === 0) s.run_as_root = true;
    if (uid === 0 || (!nonRoot && (uid === undefined || uid <= 0))) s.may_run_as_root = true;
    if (sc.allowPrivilegeEscalation === true) s.allow_privilege_escalation = true;
    if (isObj(sc.seccompProfile) && sc.seccompProfile.type === 'Unconfined') s.seccomp_unconfined = true;
    if (Array.isArray(c.ports)) {
      for (const p of c.ports) if (isObj(p) && typeof p.hostPort === 'number' && p.hostPort > 0) s.host_ports.push(p.hostPort);
    }
  }
  s.images = uniq(s.images);
  s.capabilities_add = uniq(s.capabilities_add);
  s.host_ports = uniq(s.host_ports);
  const sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : spec.serviceAccount;
  if (typeof sa === 'string' && sa) s.service_account = sa;
  if (typeof spec.automountServiceAccountToken === 'boolean') s.automount_service_account_token = spec.automountServiceAccountToken;
  return s;
}

// ---------------------------------------------------------------------------------------------
// RBAC

export const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);
export const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export interface RbacRoleSummary {
  /** Verbs of all rules, flattened, unique. */
  verbs: string[];
  /** Resources of all rules (with subresources, `pods/exec`), flattened, unique. */
  resources: string[];
  api_groups: string[];
  non_resource_urls: string[];
  resource_names: string[];
  rule_count: number;
  wildcard_verbs: boolean;
  wildcard_resources: boolean;
  /** Some rule grants create/update/patch/delete/deletecollection or `*`. */
  write_verbs: boolean;
  /** Some rule reaches pods/exec or pods/attach (or `*` resources). */
  pod_exec: boolean;
  /** Some rule reaches secrets (or `*` resources) with get/list/watch/`*`. */
  read_secrets: boolean;
  /** Some rule grants bind, escalate or impersonate. */
  escalation_verbs: boolean;
}

export function summarizeRules(rules: unknown): RbacRoleSummary {
  const s: RbacRoleSummary = {
    verbs: [], resources: [], api_groups: [], non_resource_urls: [], resource_names: [], rule_count: 0,
    wildcard_verbs: false, wildcard_resources: false, write_verbs: false, pod_exec: false, read_secrets: false, escalation_verbs: false,
  };
  if (!Array.isArray(rules)) return s;
  for (const r of rules) {
    if (!isObj(r)) continue;
    s.rule_count += 1;
    const verbs = strings(r.verbs);
    const res = strings(r.resources);
    s.verbs.push(...verbs);
    s.resources.push(...res);
    s.api_groups.push(...strings(r.apiGroups));
    s.non_resource_urls.push(...strings(r.nonResourceURLs));
    s.resource_names.push(...strings(r.resourceNames));
    const anyVerb = verbs.includes('*');
    const anyRes = res.includes('*');
    if (anyVerb) s.wildcard_verbs = true;
    if (anyRes) s.wildcard_resources = true;
    if (anyVerb || verbs.some((v) => WRITE_VERBS.has(v))) s.write_verbs = true;
    if (verbs.some((v) => v === 'bind' || v === 'escalate' || v === 'impersonate')) s.escalation_verbs = true;
    if (res.length > 0 && (anyRes || res.some((x) => x === 'pods/exec' || x === 'pods/attach' || x === 'pods/*'))) s.pod_exec = true;
    if ((anyRes || res.includes('secrets')) && (anyVerb || verbs.some((v) => v === 'get' || v === 'list' || v === 'watch'))) s.read_secrets = true;
  }
  s.verbs = uniq(s.verbs);
  s.resources = uniq(s.resources);
  s.api_groups = uniq(s.api_groups);
  s.non_resource_urls = uniq(s.non_resource_urls);
  s.resource_names = uniq(s.resource_names);
  return s;
}

export interface RbacBindingSummary {
  role_ref: { kind?: string; name?: string; api_group?: string };
  subjects: Array<{ kind?: string; name?: string; namespace?: string }>;
  /** `Kind:name` or `ServiceAccount:namespace/name`, for `contains` / `intersects` conditions. */
  subject_names: string[];
  /** roleRef is the ClusterRole cluster-admin. */
  cluster_admin: boolean;
  /** A subject is system:anonymous, system:unauthenticated or system:authenticated (everyone). */
  binds_anonymous: boolean;
}

export function summarizeBinding(obj: Record<string, unknown>): RbacBindingSummary {
  const rr = isObj(obj.roleRef) ? obj.roleRef : {};
  const role_ref: RbacBindingSummary['role_ref'] = {};
  if (typeof rr.kind === 'string') role_ref.kind = rr.kind;
  if (typeof rr.name === 'string') role_ref.name = rr.name;
  if (typeof rr.apiGroup === 'string') role_ref.api_group = rr.apiGroup;
  const subjects: RbacBindingSummary['subjects'] = [];
  const subject_names: string[] = [];
  let anon = false;
  if (Array.isArray(obj.subjects)) {
    for (const sj of obj.subjects) {
      if (!isObj(sj)) continue;
      const e: { kind?: string; name?: string; namespace?: string } = {};
      if (typeof sj.kind === 'string') e.kind = sj.kind;
      if (typeof sj.name === 'string') e.name = sj.name;
      if (typeof sj.namespace === 'string') e.namespace = sj.namespace;
      subjects.push(e);
      subject_names.push(e.kind === 'ServiceAccount' ? `ServiceAccount:${e.namespace ?? ''}/${e.name ?? ''}` : `${e.kind ?? ''}:${e.name ?? ''}`);
      if (e.name === 'system:anonymous' || e.name === 'system:unauthenticated' || e.name === 'system:authenticated') anon = true;
    }
  }
  return {
    role_ref, subjects, subject_names,
    cluster_admin: role_ref.name === 'cluster-admin' && (role_ref.kind === undefined || role_ref.kind === 'ClusterRole'),
    binds_anonymous: anon,
  };
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps: credential-looking content

/**
 * Whether a key name looks like it names a credential. The name is split at `_`, `-`, `.`, spaces
 * and camelCase humps, and lower-cased; it matches when a word is password, passwd, pwd, passphrase, secret,
 * secrets, token, apikey, credential(s), privatekey; or the joined name contains access_key,
 * secret_key, private_key, api_key, client_secret, auth_token, access_token, refresh_token,
 * session_token (so aws_access_key_id, aws-s3-access-key-id, AWS_SECRET_ACCESS_KEY match). Names
 * that only point at a credential or describe it are not credentials: a last word of name, file,
 * path, ref, policy, length, min, max, ttl, timeout, expiry, enabled, required, url, uri, endpoint,
 * header, type, mode, field, key_ref.
 */
export function isCredentialName(name: string): boolean {
  if (name.length < 3 || name.length > 128) return false;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[_\-. ]+/).filter(Boolean);
  if (words.length === 0) return false;
  if (NOT_CREDENTIAL_LAST.has(words[words.length - 1]!)) return false;
  if (words.some((w) => CREDENTIAL_WORDS.has(w))) return true;
  const joined = words.join('_');
  return CREDENTIAL_PARTS.some((p) => joined.includes(p));
}

const CREDENTIAL_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'apikey', 'credential', 'credentials', 'privatekey',
]);
const CREDENTIAL_PARTS = [
  'access_key', 'secret_key', 'private_key', 'api_key', 'client_secret', 'auth_token', 'access_token', 'refresh_token', 'session_token',
];
const NOT_CREDENTIAL_LAST = new Set([
  'name', 'file', 'path', 'ref', 'policy', 'length', 'min', 'max', 'ttl', 'timeout', 'expiry', 'enabled', 'required', 'url', 'uri',
  'endpoint', 'header', 'type', 'mode', 'field',
]);

/** `name = value` / `name: value` / `"name": "value"` assignments inside a text value. */
const ASSIGNMENT = /["']?([A-Za-z_][A-Za-z0-9_.-]{1,63})["']?[ \t]*[:=][ \t]*["']?([^\s"',;}]+)/g;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY-----/;
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
const MAX_SCAN = 64 * 1024;

/** Credential names found in one configmap value (assignments, PEM private keys, AWS key ids). */
export function credentialsInText(text: string): string[] {
  const t = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const found: string[] = [];
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(t); m !== null; m = ASSIGNMENT.exec(t)) {
    if (isCredentialName(m[1]!)) found.push(m[1]!);
    if (found.length >= 32) break;
  }
  if (PRIVATE_KEY.test(t)) found.push('<private key>');
  if (AWS_KEY_ID.test(t)) found.push('<aws access key id>');
  return uniq(found);
}

export interface ConfigMapSummary {
  /** Keys of data and binaryData. */
  keys: string[];
  /**
   * A data key with a non-empty value is a credential name (isCredentialName), or a value holds a
   * credential assignment (`password = x`, `"token": "x"`), a PEM private key or an AWS key id.
   */
  has_credentials: boolean;
  /** What matched: key names, assignment names, `<private key>`, `<aws access key id>`. */
  credential_keys: string[];
}

export function summarizeConfigMap(obj: Record<string, unknown>): ConfigMapSummary {
  const keys: string[] = [];
  const cred: string[] = [];
  let scanned = 0;
  if (isObj(obj.data)) {
    for (const [k, v] of Object.entries(obj.data)) {
      keys.push(k);
      if (typeof v !== 'string') continue;
      if (v.trim().length > 0 && isCredentialName(k)) cred.push(k);
      if (scanned < 1024 * 1024) {
        scanned += Math.min(v.length, MAX_SCAN);
        cred.push(...credentialsInText(v));
      }
    }
  }
  if (isObj(obj.binaryData)) keys.push(...Object.keys(obj.binaryData));
  const credential_keys = uniq(cred);
  return { keys: uniq(keys), has_credentials: credential_keys.length > 0, credential_keys };
}

// ---------------------------------------------------------------------------------------------
// Services, secrets

export interface ServiceSummary {
  type: string;
  /** nodePort values written in the spec (or allocated, in a response object). */
  node_ports: number[];
  ports: number[];
  /** type NodePort, or LoadBalancer without allocateLoadBalancerNodePorts: false. */
  exposes_node_ports: boolean;
  external_ips: string[];
}

export function summarizeService(obj: Record<string, unknown>): ServiceSummary | undefined {
  const spec = obj.spec;
  if (!isObj(spec)) return undefined;
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const node_ports: number[] = [];
  const ports: number[] = [];
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p)) continue;
      if (typeof p.nodePort === 'number' && p.nodePort > 0) node_ports.push(p.nodePort);
      if (typeof p.port === 'number') ports.push(p.port);
    }
  }
  return {
    type,
    node_ports: uniq(node_ports),
    ports: uniq(ports),
    exposes_node_ports: type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false),
    external_ips: strings(spec.externalIPs),
  };
}

// ---------------------------------------------------------------------------------------------
// The normalizer

export interface NormalizeAuditOptions {
  /** host.name of the collector that received the event. */
  hostName?: string;
  /** Keep responseObject in k8s.audit (bounded). Default true. */
  keepResponseObject?: boolean;
  requestObjectBounds?: BoundOptions;
  responseObjectBounds?: BoundOptions;
}

/** Session-opening pod subresources that become event.action (see the module comment). */
const SESSION_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/**
 * A ShipEvent for one audit Event, or `{error}` when it is not one. Never throws. `text`, when
 * given, is the JSON text `obj` was parsed from: if the event keeps `obj` unchanged as k8s.audit,
 * that text is what the store and Loki write for it (event/json.ts).
 */
export function normalizeAuditEvent(obj: unknown, opts: NormalizeAuditOptions = {}, text?: string): ShipEvent | { error: string } {
  try {
    const err = validateAuditEvent(obj);
    if (err) return { error: err };
    return build(obj as Record<string, unknown>, opts, text);
  } catch (e) {
    return { error: `audit event could not be normalized: ${(e as Error).message}` };
  }
}

/** One member of k8s.audit within its bounds (undefined: left out), noting what was cut. */
function boundedMember(k: string, v: unknown, opts: NormalizeAuditOptions, truncated: string[]): unknown {
  // Most members are short strings: nothing to bound, nothing to allocate.
  if (typeof v === 'string' && v.length <= SMALL_BOUNDS.maxString) return v;
  let c: { value: unknown; cut: boolean };
  if (k === 'requestObject') {
    c = boundedCopy(v, opts.requestObjectBounds ?? REQUEST_OBJECT_BOUNDS, true);
  } else if (k === 'responseObject') {
    if (opts.keepResponseObject === false) {
      truncated.push(k);
      return undefined;
    }
    c = boundedCopy(v, opts.responseObjectBounds ?? RESPONSE_OBJECT_BOUNDS, true);
  } else {
    c = boundedCopy(v, SMALL_BOUNDS);
  }
  if (c.cut) truncated.push(k);
  return c.value;
}

function build(a: Record<string, unknown>, opts: NormalizeAuditOptions, text: string | undefined): ShipEvent {
  const verb = a.verb as string;
  const objectRef = isObj(a.objectRef) ? a.objectRef : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const resource = str(objectRef.resource);
  const subresource = str(objectRef.subresource);
  const namespace = str(objectRef.namespace);
  const reqObj = isObj(a.requestObject) ? a.requestObject : undefined;
  const respObj = isObj(a.responseObject) ? a.responseObject : undefined;
  const metaName = (o: Record<string, unknown> | undefined): string | undefined =>
    o && isObj(o.metadata) && o.kind !== 'DeleteOptions' && o.kind !== 'Status' ? str(o.metadata.name) : undefined;
  const name = str(objectRef.name) ?? metaName(reqObj) ?? metaName(respObj);

  // k8s.audit: the audit event under its own names, bounded. When the bounds change nothing (the
  // usual case), it is the received object itself, and its received text can stand for it;
  // otherwise a copy, made at the first key that changes.
  const truncated: string[] = [];
  const keys = Object.keys(a);
  let copy: Record<string, unknown> | undefined = Object.getPrototypeOf(a) === Object.prototype ? undefined : {};
  for (let i = 0; i < keys.length; i += 1) {
    const k = keys[i]!;
    const v = a[k];
    const out = k === '__proto__' || v === undefined ? undefined : boundedMember(k, v, opts, truncated);
    if (out !== v && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j += 1) copy[keys[j]!] = a[keys[j]!];
    }
    if (copy !== undefined && out !== undefined) copy[k] = out;
  }
  const audit = copy ?? a;
  if (copy === undefined && text !== undefined) rememberJsonText(a, text);

  const k8s: Record<string, unknown> = { audit, verb };
  if (truncated.length) k8s.audit_truncated = truncated;
  if (namespace) k8s.namespace = namespace;
  if (resource) k8s.resource = resource;
  if (subresource) k8s.subresource = subresource;
  if (name) k8s.name = name;
  if (resource === 'pods' && name) k8s.pod = name;
  // The object's labels: the request's, else the response's.
  const labels = metadataLabels(reqObj?.metadata) ?? metadataLabels(respObj?.metadata);
  if (labels) k8s.labels = labels;
  const apiGroup = str(objectRef.apiGroup);
  if (apiGroup) k8s.api_group = apiGroup;
  k8s.write = WRITE_VERBS.has(verb);

  // user
  const user = isObj(a.user) ? a.user : {};
  const username = str(user.username);
  const groups = strings(user.groups);
  const imp = isObj(a.impersonatedUser) ? str(a.impersonatedUser.username) : undefined;
  const k8sUser: Record<string, unknown> = {
    anonymous: username === 'system:anonymous' || groups.includes('system:unauthenticated'),
    service_account: username?.startsWith('system:serviceaccount:') ?? false,
    system: username !== undefined && username.startsWith('system:') && !username.startsWith('system:serviceaccount:') && username !== 'system:anonymous',
  };
  if (imp) k8sUser.impersonated = imp;
  k8s.user = k8sUser;

  const ann = isObj(a.annotations) ? a.annotations : {};
  const decision = str(ann['authorization.k8s.io/decision']);
  if (decision) {
    const authz: Record<string, unknown> = { decision };
    const reason = str(ann['authorization.k8s.io/reason']);
    if (reason) authz.reason = reason.length > 1024 ? reason.slice(0, 1024) : reason;
    k8s.authorization = authz;
  }

  // exec / attach: command and container from the request URI.
  if (resource === 'pods' && (subresource === 'exec' || subresource === 'attach') && typeof a.requestURI === 'string') {
    const q = a.requestURI.indexOf('?');
    if (q >= 0) {
      const params = new URLSearchParams(a.requestURI.slice(q + 1, q + 1 + 8192));
      const exec: Record<string, unknown> = {};
      const cmd = params.getAll('command');
      if (cmd.length) exec.command = cmd.join(' ');
      const container = params.get('container');
      if (container) exec.container = container;
      if (params.has('tty')) exec.tty = params.get('tty') === 'true';
      if (params.has('stdin')) exec.stdin = params.get('stdin') === 'true';
      k8s.exec = exec;
    }
  }

  // Convenience fields from the object.
  const pick = <T>(f: (o: Record<string, unknown>) => T | undefined): [T, 'request' | 'response'] | undefined => {
    const r = reqObj && reqObj.kind !== 'DeleteOptions' ? f(reqObj) : undefined;
    if (r !== undefined) return [r, 'request'];
    const s = respObj && respObj.kind !== 'Status' ? f(respObj) : undefined;
    return s !== undefined ? [s, 'response'] : undefined;
  };
  if (resource && WORKLOAD_RESOURCES.has(resource) && (!subresource || subresource === 'ephemeralcontainers')) {
    const p = pick(podSpecOf);
    if (p) k8s.pod_spec = summarizePodSpec(p[0], p[1]);
  }
  if (resource === 'roles' || resource === 'clusterroles') {
    const p = pick((o) => (Array.isArray(o.rules) ? summarizeRules(o.rules) : undefined));
    if (p) k8s.rbac = p[0];
  } else if (resource === 'rolebindings' || resource === 'clusterrolebindings') {
    // roleRef is immutable, so a patch that only changes subjects still binds the role the stored
    // object names: take each part from the request when it has it, else from the response.
    const req = reqObj && reqObj.kind !== 'DeleteOptions' ? reqObj : undefined;
    const resp = respObj && respObj.kind !== 'Status' ? respObj : undefined;
    const roleRef = isObj(req?.roleRef) ? req.roleRef : resp?.roleRef;
    const subjects = Array.isArray(req?.subjects) ? req.subjects : resp?.subjects;
    if (isObj(roleRef) || Array.isArray(subjects)) k8s.rbac = summarizeBinding({ roleRef, subjects });
  } else if (resource === 'configmaps') {
    const p = pick((o) => (isObj(o.data) || isObj(o.binaryData) ? summarizeConfigMap(o) : undefined));
    if (p) k8s.configmap = p[0];
  } else if (resource === 'services' && !subresource) {
    const p = pick(summarizeService);
    if (p) k8s.service = p[0];
  } else if (resource === 'secrets') {
    const p = pick((o) => (typeof o.type === 'string' ? o.type : undefined));
    const secret: Record<string, unknown> = {};
    if (p) secret.type = p[0];
    // The token controller writes `<serviceaccount>-token-xxxxx` secrets; with audit level Metadata
    // the type is not visible, so the name and the writer stand in for it.
    secret.service_account_token = p
      ? p[0] === 'kubernetes.io/service-account-token'
      : username === 'system:kube-controller-manager' && /-token-[a-z0-9]{5}$/.test(name ?? '');
    k8s.secret = secret;
  }

  const ev: ShipEvent = {
    event: {
      id: newEventId(),
      time: auditTime(a)!,
      source: 'k8s_audit',
      action: resource === 'pods' && subresource && SESSION_SUBRESOURCES.has(subresource) ? subresource : verb,
    },
    k8s,
  };
  const rs = isObj(a.responseStatus) ? a.responseStatus : undefined;
  if (rs && typeof rs.code === 'number') ev.event.outcome = rs.code < 400 ? 'success' : 'failure';
  if (opts.hostName) ev.host = { name: opts.hostName };
  if (username) ev.user = { name: username };
  const ips = strings(a.sourceIPs);
  if (ips[0]) ev.source = { ip: ips[0] };
  const ua = str(a.userAgent);
  if (ua) ev.user_agent = { original: ua.length > 8192 ? ua.slice(0, 8192) : ua };
  return ev;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
