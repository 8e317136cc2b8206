/**
 * Container resource usage from this node's kubelet (node mode, the DaemonSet).
 *
 *     const kubelet = new KubeletStatsSource({ client: new KubeletClient({ url, tokenFile, caFile, insecure, timeoutMs }), url, emitter: pipeline,
 *                                              metrics, log, hostName, nodeName, intervalMs, stats: cfg.stats });
 *     registerContainerMetrics(metrics.registry, [dockerStats, kubelet].filter(Boolean), ...);  // sinks/prometheus: one registration
 *     kubelet.start();
 *     ...
 *     await kubelet.stop();
 *
 * `status()` is for `GET /api/v1/health` (`sources.kubelet_stats`).
 */
export { KubeletStatsSource, type KubeletStatsSourceOptions, type KubeletStatsStatus } from './source.js';
export { KubeletClient, KubeletError, MAX_SUMMARY_BYTES, type KubeletClientOptions } from './client.js';
export { parseSummary, type Summary, type SummarySample, type ParsedSummary } from './summary.js';
