/**
 * Prometheus exposition of container resource usage with cAdvisor's names and labels (DESIGN.md §7).
 *
 *     registerContainerMetrics(metrics.registry, statsSource, { labels: config.stats.prometheus_labels });
 *
 * The families render on each scrape of `metrics.registry.metrics()` (GET /metrics) from the stats
 * source's latest sample of every running container.
 */
export { registerContainerMetrics, containerLabelName, sysDeviceName, type ContainerMetricsOptions, type ContainerMetricsSource } from './containers.js';
