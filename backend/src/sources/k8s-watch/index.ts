// Kubernetes resource watch source (DESIGN.md §1, §3): list + watch with our own restart, backoff,
// relist-and-diff and staleness watchdog around @kubernetes/client-node 1.4.
export { createKubeApi, ApiError, GoneError } from './api.js';
export type { KubeApi, ListPage, WatchEnd, WatchRequest } from './api.js';
export { k8sWatchConfigSchema, k8sWatchConfigShape, parseK8sWatchConfig, DEFAULT_EVENT_REASONS } from './config.js';
export type { K8sWatchConfig, K8sWatchConfigInput } from './config.js';
export { loadKubeConfig } from './kubeconfig.js';
export { WATCH_RESOURCES, WATCH_RESOURCE_NAMES, collectionPath, watchResource } from './resources.js';
export type { WatchResource } from './resources.js';
export { K8sWatchSource } from './source.js';
export type { K8sWatchSourceOptions, K8sWatchSourceStatus } from './source.js';
export { ResourceWatcher } from './watcher.js';
export type { ResourceWatcherStatus } from './watcher.js';

import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import type { Logger } from '../../util/log.js';
import { createKubeApi } from './api.js';
import type { K8sWatchConfig } from './config.js';
import { loadKubeConfig } from './kubeconfig.js';
import { K8sWatchSource } from './source.js';

/** Loads the connection (kubeconfig or in-cluster) and builds the source; throws a clear error when the connection cannot be set up. */
export async function createK8sWatchSource(o: { cfg: K8sWatchConfig; emitter: Emitter; metrics: CollectorMetrics; log: Logger; hostName: string }): Promise<K8sWatchSource> {
  const { kc, origin } = await loadKubeConfig(o.cfg);
  const api = await createKubeApi(kc);
  return new K8sWatchSource({ ...o, api, origin });
}
