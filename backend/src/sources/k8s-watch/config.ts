import { z } from 'zod';
import { duration } from '../../config/units.js';
import { WATCH_RESOURCE_NAMES } from './resources.js';

// Keys of the `k8s` config section used by the resource watch source (spread into the section by
// config/schema.ts). Every key can also come from SHIPWATCH_K8S_<KEY>; lists are YAML lists in the
// file and comma-separated text in the environment.

const bool = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
const list = z.union([z.array(z.string().min(1)), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v));
const count = (min: number) => z.union([z.number(), z.string().regex(/^\s*\d+\s*$/, 'a whole number')]).transform(Number).pipe(z.number().int().min(min));

/** Core Event reasons reported even when their type is Normal (every Warning event is reported). */
export const DEFAULT_EVENT_REASONS = [
  'BackOff', 'OOMKilling', 'OOMKilled', 'Evicted', 'Killing', 'Unhealthy', 'Failed*', 'NodeNotReady', 'Preempted', 'SystemOOM',
  'ContainerGCFailed', 'ImageGCFailed', 'Rebooted', 'NodeHasDiskPressure', 'NodeHasInsufficientMemory',
];

export const k8sWatchConfigShape = {
  /** Follow Kubernetes objects through list + watch (the cluster-scoped collector instance turns it on). */
  watch_enabled: bool.default(false),
  /** A kubeconfig file; unset: in-cluster service account when running in a pod, else $KUBECONFIG / ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** Kubeconfig context to use; unset: the file's current-context. */
  kubeconfig_context: z.string().min(1).optional(),
  /** `auto`: the pod's service account when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given. */
  in_cluster: z.union([z.enum(['auto', 'true', 'false']), z.boolean().transform((b) => (b ? 'true' : 'false'))]).default('auto'),
  /** Resources to watch (plural names); default all of them. Secrets are never watched. */
  watch_resources: list.pipe(z.array(z.string().refine((r) => WATCH_RESOURCE_NAMES.includes(r), {
    error: (iss) => (iss.input === 'secrets'
      ? 'secrets are never watched (their content must not reach the collector); use the audit webhook for secret access'
      : `unknown resource ${JSON.stringify(iss.input)} (known: ${WATCH_RESOURCE_NAMES.join(', ')})`),
  })).min(1)).default([...WATCH_RESOURCE_NAMES]),
  /** Namespaces to watch namespaced resources in; empty: all namespaces (one watch per resource). */
  watch_namespaces: list.default([]),
  /** Server-side length of one watch request (timeoutSeconds), jittered down to half of it so watches do not end together. */
  watch_timeout: duration.pipe(z.number().min(1000, 'at least 1s').max(3_600_000)).default(240_000),
  /** A watch that delivered nothing (no event, no bookmark) for this long is torn down and restarted. */
  watch_stale_after: duration.pipe(z.number().min(100, 'at least 100ms')).default(300_000),
  /** Longest wait between two attempts after errors (capped exponential backoff with jitter). */
  watch_backoff_max: duration.pipe(z.number().min(10, 'at least 10ms')).default(30_000),
  /** Objects per list page; lists are paginated so that a 10,000-pod list never sits in memory whole. */
  watch_page_size: count(1).pipe(z.number().max(10_000)).default(500),
  /** Normal-type core Event reasons to report besides all Warning events; `Prefix*` matches by prefix. */
  watch_event_reasons: list.default([...DEFAULT_EVENT_REASONS]),
  /** Emit `create` events for the objects found by the first list (default: record them silently). */
  watch_emit_existing: bool.default(false),
};

export const k8sWatchConfigSchema = z.strictObject(k8sWatchConfigShape);
export type K8sWatchConfig = z.output<typeof k8sWatchConfigSchema>;
export type K8sWatchConfigInput = z.input<typeof k8sWatchConfigSchema>;

export function parseK8sWatchConfig(input: K8sWatchConfigInput = {}): K8sWatchConfig {
  return k8sWatchConfigSchema.parse(input);
}
