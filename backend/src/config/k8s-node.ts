import os from 'node:os';
import { z } from 'zod';
import { duration } from './units.js';

// Keys of the `k8s` config section for node mode (the DaemonSet: one collector per node reads the
// node's pod logs and its kubelet's resource summary). Spread into the section in schema.ts. Every
// key can also come from SHIPWATCH_K8S_<KEY>; the loader turns `true`/numbers into booleans and
// numbers and leaves `250ms` / `10s` as strings, both accepted here.

const bool = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
const count = (min: number) => z.union([z.number(), z.string().regex(/^\s*\d+\s*$/, 'a whole number')]).transform(Number).pipe(z.number().int().min(min));

export const k8sNodeConfigShape = {
  /** This node's name (the DaemonSet sets NODE_NAME from the downward API `spec.nodeName`): `k8s.node` of the events. */
  node_name: z.string().min(1).default(() => process.env.NODE_NAME || os.hostname()),
  /** Follow the pod logs of this node (CRI files under pod_logs_dir). */
  node_logs_enabled: bool.default(false),
  /** The kubelet's pod log directory: `<namespace>_<pod>_<uid>/<container>/<restart>.log`. */
  pod_logs_dir: z.string().min(1).default('/var/log/pods'),
  /** Time between two looks at every followed log file. */
  pod_logs_poll: duration.pipe(z.number().min(10, 'at least 10ms').max(60_000)).default(250),
  /** Time between two scans for new pods and containers (a change of the directory also triggers one). */
  pod_logs_rescan: duration.pipe(z.number().min(100, 'at least 100ms').max(600_000)).default(5_000),
  /**
   * Where to start in files already there on the very first start (no stored state yet): `end`
   * reads only what is logged from now on, `beginning` all of it. Later starts resume from the
   * stored positions, and files that appear later are read from their start.
   */
  pod_logs_initial_position: z.enum(['end', 'beginning']).default('end'),
  /** Log files followed at once; more are counted (status `files_over_limit`) and left alone. */
  pod_logs_max_files: count(1).default(2_000),
  /** Sample the kubelet's /stats/summary (container CPU, memory; pod network). */
  kubelet_stats_enabled: bool.default(false),
  /** The summary endpoint; default `https://<node_name>:10250/stats/summary`. */
  kubelet_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  /** Bearer token sent to the kubelet (RBAC: `get` on `nodes/stats`). Read again at each poll (projected tokens rotate). */
  kubelet_token_file: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
  /** CA that signed the kubelet's serving certificate. */
  kubelet_ca_file: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
  /** Skip verifying the kubelet's certificate (self-signed kubelet serving certificates are common). */
  kubelet_insecure: bool.default(false),
  /** Time between two summary polls. */
  kubelet_interval: duration.pipe(z.number().min(1000, 'at least 1s')).default(10_000),
  /** Deadline of one summary request. */
  kubelet_timeout: duration.pipe(z.number().min(100)).default(5_000),
};
