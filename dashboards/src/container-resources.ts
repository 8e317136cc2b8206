import { dashboard, datasourceVariable, prom, promLabelVariable, promTable, row, stat, table, targets, timeseries, type PanelSpec } from './builder.js';
import type { Dashboard } from './model.js';

// Container resources from the cAdvisor-named series (DESIGN.md §7): the collector exposes them, and
// so does cAdvisor itself, so this dashboard reads either. A Docker container's name is cAdvisor's
// `name` label; compose labels come as `container_label_com_docker_compose_*`; `pod`/`namespace`
// exist on the kubelet's cAdvisor series only, so their matchers accept an absent label (`.*`).

const SERVICE = 'container_label_com_docker_compose_service';
/** Every query's selector: the dashboard's variables. */
const SEL = `instance=~"$instance", ${SERVICE}=~"$compose_service", pod=~"$pod", name=~"$container"`;
const CPU = `container_cpu_usage_seconds_total{cpu="total", ${SEL}}`;
/**
 * Totals: in Kubernetes the kubelet's cAdvisor (and the collector's kubelet source) also exports each
 * pod's own cgroup as a series with `container=""`, which already contains its containers; summing
 * only those avoids counting a pod twice. Docker containers have no `container` label, which `=""`
 * also matches, so on a Docker host this selects every container.
 */
const TOTAL = `${SEL}, container=""`;
const RATE = '[$__rate_interval]';

/** The same usage query summed per container, per compose service and per pod. */
function groupings(title: string, unit: string, inner: string): PanelSpec[] {
  return [
    timeseries(`${title} by container`, unit, [prom(`sum by (name) (${inner})`, '{{name}}')], { w: 8 }),
    timeseries(`${title} by compose service`, unit, [prom(`sum by (${SERVICE}) (${inner})`, `{{${SERVICE}}}`)], { w: 8 }),
    timeseries(`${title} by pod`, unit, [prom(`sum by (namespace, pod) (${inner.replace(SEL, TOTAL)})`, '{{namespace}}/{{pod}}')], {
      w: 8, description: 'Kubernetes pods, from the kubelet\'s cAdvisor; Docker containers outside Kubernetes add up in one series without a pod.',
    }),
  ];
}

export function containerResources(): Dashboard {
  const memLimitOverride = { matcher: { id: 'byRegexp', options: '.* limit$' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'custom.fillOpacity', value: 0 }] };
  const memory = timeseries('Memory working set against limit', 'bytes', targets(prom, [
    [`sum by (name) (container_memory_working_set_bytes{${SEL}})`, '{{name}}'],
    // 0 means unlimited: no line rather than a line at zero.
    [`sum by (name) (container_spec_memory_limit_bytes{${SEL}} > 0)`, '{{name}} limit'],
  ]), { description: 'Working set (what the OOM killer looks at) per container; dashed: the memory limit of limited containers.' });
  memory.fieldConfig!.overrides.push(memLimitOverride);

  return dashboard({
    uid: 'shipwatch-container-resources',
    title: 'Shipwatch / Container resources',
    description: 'CPU, memory against limits, network, block I/O and restarts per container, compose service and pod (cAdvisor metric names).',
    tags: ['containers', 'resources', 'cadvisor'],
    variables: [
      datasourceVariable('prometheus'),
      promLabelVariable({ name: 'instance', label: 'Collector / cAdvisor', selector: 'container_last_seen', labelName: 'instance', allValue: '.+' }),
      promLabelVariable({ name: 'compose_service', label: 'Compose service', selector: 'container_last_seen{instance=~"$instance"}', labelName: SERVICE, allValue: '.*' }),
      promLabelVariable({ name: 'pod', label: 'Pod', selector: 'container_last_seen{instance=~"$instance"}', labelName: 'pod', allValue: '.*' }),
      promLabelVariable({
        name: 'container', label: 'Container', selector: `container_last_seen{instance=~"$instance", ${SERVICE}=~"$compose_service", pod=~"$pod"}`, labelName: 'name',
        // `.+`: cAdvisor also exports cgroups that are not containers, without a name.
        allValue: '.+',
      }),
    ],
    panels: [
      row('Overview'),
      stat('Containers seen', 'short', [prom(`count(count by (name) (time() - container_last_seen{${SEL}} < 60))`)], { description: 'Containers sampled within the last minute.' }),
      stat('CPU in use', 'short', [prom(`sum(rate(container_cpu_usage_seconds_total{cpu="total", ${TOTAL}}${RATE}))`)], { description: 'CPU cores busy, all selected containers together.' }),
      stat('Memory working set', 'bytes', [prom(`sum(container_memory_working_set_bytes{${TOTAL}})`)]),
      stat('Restarts in range', 'short', [prom(`sum(changes(container_start_time_seconds{${SEL}}[$__range]))`)], {
        description: 'Changes of a container\'s start time: restarts in place (restart policy, docker restart).', thresholds: [[1, 'orange'], [5, 'red']],
      }),

      row('CPU'),
      timeseries('CPU usage (cores)', 'short', [prom(`sum by (name) (rate(${CPU}${RATE}))`, '{{name}}')], { description: '1 = one full core, as `docker stats` shows 100%.' }),
      timeseries('CPU usage against CPU limit', 'percentunit', [prom(`sum by (name) (rate(${CPU}${RATE})) / sum by (name) (container_spec_cpu_quota{${SEL}} / container_spec_cpu_period{${SEL}})`, '{{name}}')], {
        description: 'Only containers with a CPU limit (--cpus, resources.limits.cpu).',
      }),
      timeseries('CPU throttling', 'percentunit', [prom(`sum by (name) (rate(container_cpu_cfs_throttled_periods_total{${SEL}}${RATE})) / sum by (name) (rate(container_cpu_cfs_periods_total{${SEL}}${RATE}))`, '{{name}}')], {
        description: 'Share of CFS periods in which the container was throttled by its CPU limit.',
      }),
      timeseries('Threads', 'short', [prom(`sum by (name) (container_threads{${SEL}})`, '{{name}}')]),

      row('Memory'),
      memory,
      timeseries('Memory working set against limit (%)', 'percentunit', [prom(`sum by (name) (container_memory_working_set_bytes{${SEL}}) / sum by (name) (container_spec_memory_limit_bytes{${SEL}} > 0)`, '{{name}}')], {
        max: 1, description: 'Near 100% the kernel reclaims cache and then kills (OOM).',
      }),
      timeseries('RSS and page cache', 'bytes', targets(prom, [
        [`sum by (name) (container_memory_rss{${SEL}})`, '{{name}} rss'],
        [`sum by (name) (container_memory_cache{${SEL}})`, '{{name}} cache'],
      ])),
      timeseries('Memory usage (with cache)', 'bytes', [prom(`sum by (name) (container_memory_usage_bytes{${SEL}})`, '{{name}}')]),

      row('Network'),
      timeseries('Network received', 'Bps', [prom(`sum by (name) (rate(container_network_receive_bytes_total{${SEL}}${RATE}))`, '{{name}}')]),
      timeseries('Network transmitted', 'Bps', [prom(`sum by (name) (rate(container_network_transmit_bytes_total{${SEL}}${RATE}))`, '{{name}}')]),
      timeseries('Network packets', 'pps', targets(prom, [
        [`sum by (name) (rate(container_network_receive_packets_total{${SEL}}${RATE}))`, '{{name}} received'],
        [`sum by (name) (rate(container_network_transmit_packets_total{${SEL}}${RATE}))`, '{{name}} transmitted'],
      ])),
      timeseries('Network errors and drops', 'pps', targets(prom, [
        [`sum by (name) (rate(container_network_receive_errors_total{${SEL}}${RATE}) + rate(container_network_transmit_errors_total{${SEL}}${RATE}))`, '{{name}} errors'],
        [`sum by (name) (rate(container_network_receive_packets_dropped_total{${SEL}}${RATE}) + rate(container_network_transmit_packets_dropped_total{${SEL}}${RATE}))`, '{{name}} dropped'],
      ])),

      row('Block I/O'),
      timeseries('Block device reads', 'Bps', [prom(`sum by (name) (rate(container_fs_reads_bytes_total{${SEL}}${RATE}))`, '{{name}}')]),
      timeseries('Block device writes', 'Bps', [prom(`sum by (name) (rate(container_fs_writes_bytes_total{${SEL}}${RATE}))`, '{{name}}')]),

      row('Restarts and uptime'),
      timeseries('Restarts', 'short', [prom(`sum by (name) (changes(container_start_time_seconds{${SEL}}[$__rate_interval]))`, '{{name}}')], {
        description: 'Start time changes per interval; a restart loop shows as a steady stream of bars.',
      }),
      table('Containers', [promTable(`max by (name, image, ${SERVICE}) (time() - container_start_time_seconds{${SEL}})`)], {
        description: 'Uptime of each container since its last start.',
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { name: 'container', [SERVICE]: 'compose service', Value: 'uptime (s)' } } }],
      }),

      row('By compose service and pod'),
      ...groupings('CPU (cores)', 'short', `rate(${CPU}${RATE})`),
      ...groupings('Memory working set', 'bytes', `container_memory_working_set_bytes{${SEL}}`),
    ],
  });
}
