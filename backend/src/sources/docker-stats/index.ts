/**
 * Container resource usage (issue "Container logs and resource metrics", part 2).
 *
 *     const stats = new DockerStatsSource({ client: new DockerClient(endpoint), emitter: pipeline, metrics, log, hostName, cfg: config.stats });
 *     registerContainerMetrics(metrics.registry, stats, { labels: config.stats.prometheus_labels });  // sinks/prometheus
 *     stats.start();
 *     ...
 *     await stats.stop();   // closes its client: give it a DockerClient of its own
 *
 * `latest(id)` gives the API's container list its `metrics`; `status()` is for /api/v1/health.
 */
export { DockerStatsSource, type DockerStatsSourceOptions, type DockerStatsStatus, type LatestMetrics, type StatsContainer, type StatsClient, type CpuSpec } from './source.js';
export { statsConfigSchema, parseStatsConfig, DEFAULT_PROMETHEUS_LABELS, type StatsConfig, type StatsConfigInput } from './config.js';
export { cpuPercent, memoryWorkingSet, memoryPercent, blockIO, networkTotals, isZeroedSample, type DockerStats, type Counters, type SampleValues } from './compute.js';
