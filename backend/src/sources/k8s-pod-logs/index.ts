/**
 * Pod logs of this node (node mode, the DaemonSet): CRI log files under the kubelet's /var/log/pods.
 *
 *     const podLogs = new PodLogSource({ root: cfg.k8s.pod_logs_dir, store, emitter: pipeline, metrics, log, hostName, nodeName: cfg.k8s.node_name,
 *                                        maxLineBytes: cfg.logs.max_line_bytes, pollMs, rescanMs, initialPosition, maxFiles });
 *     podLogs.start();
 *     ...
 *     await podLogs.stop();   // before the pipeline's last flush and store.close()
 *
 * `status()` is for `GET /api/v1/health` (`sources.k8s_pod_logs`).
 */
export { PodLogSource, type PodLogSourceOptions, type PodLogSourceStatus } from './source.js';
export { CriAssembler, parseCriEntry, type CriLine, type CriResume } from './cri.js';
export { parsePodDir, podLogFile, type PodLogFile } from './path.js';
