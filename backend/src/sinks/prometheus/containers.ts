import fs from 'node:fs';
import type { Metric, Registry } from 'prom-client';
import type { StatsContainer } from '../../sources/docker-stats/source.js';
import { compileGlobSet } from '../../transforms/detect/regex.js';

// Container series with cAdvisor's names and labels (DESIGN.md §7), rendered on each scrape from the
// latest sample of every running container, so existing cAdvisor dashboards and alert rules work.
//
// Labels, as cAdvisor with the cgroupfs driver gives them for a Docker container:
//   id="/docker/<full container id>", name="<container name>", image="<image as given to docker run>",
//   container_label_<docker label, [^a-zA-Z0-9_] → _>="<value>" for the selected labels
//   (default: com.docker.compose.project and .service; `*` selects all, as cAdvisor does).
// A container of a Kubernetes pod (kubelet source) also gets the kubelet's `container`, `pod` and
// `namespace` labels, and its pod's own cgroup is an entry with `container=""` (the pod's network,
// and the pod's CPU and memory), as the kubelet's cAdvisor endpoint shows them.
// Counters are the engine's cgroup counters: monotonic during one run of a container, back to zero
// when it restarts (a new cgroup), which Prometheus' rate() and increase() treat as a reset.

/** Where the exposition reads containers from (DockerStatsSource, KubeletStatsSource). */
export interface ContainerMetricsSource {
  containers(): Iterable<StatsContainer>;
}

/** One source for the families, from several (a family name can be registered only once). */
function combined(sources: readonly ContainerMetricsSource[]): ContainerMetricsSource {
  if (sources.length === 1) return sources[0]!;
  return {
    *containers() {
      for (const s of sources) yield* s.containers();
    },
  };
}

export interface ContainerMetricsOptions {
  /** Docker label names or `*` globs exported as `container_label_*`. */
  labels?: readonly string[];
  /**
   * The `id` label of a container. Default `/docker/<id>`, what cAdvisor shows with the cgroupfs
   * driver; with the systemd driver cAdvisor shows `/system.slice/docker-<id>.scope`.
   */
  idLabel?: (containerId: string) => string;
  /** Block device name for `major:minor` (default: DEVNAME from /sys/dev/block, else `major:minor`). */
  deviceName?: (majorMinor: string) => string;
}

type Labels = Record<string, string>;
interface Value {
  value: number;
  labels: Labels;
  sharedLabels: Labels;
}
type Fill = (c: StatsContainer, base: Labels, out: Value[]) => void;

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/** cAdvisor's label name for a Docker label: `container_label_` + the name with every character outside [a-zA-Z0-9_] as `_`. */
export function containerLabelName(dockerLabel: string): string {
  return `container_label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

const deviceNames = new Map<string, string>();
/** `/dev/vda` for `254:0`, from the kernel's uevent file; `254:0` when /sys is not readable. */
export function sysDeviceName(majorMinor: string): string {
  let name = deviceNames.get(majorMinor);
  if (name !== undefined) return name;
  name = majorMinor;
  try {
    const m = /^DEVNAME=(.+)$/m.exec(fs.readFileSync(`/sys/dev/block/${majorMinor}/uevent`, 'utf8'));
    if (m) name = `/dev/${m[1]!.trim()}`;
  } catch {
    // not readable here (a container without /sys): keep major:minor
  }
  deviceNames.set(majorMinor, name);
  return name;
}

/** A family of series computed on each scrape; registered on a prom-client Registry like its own metrics. */
class Family {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly source: ContainerMetricsSource,
    private readonly baseLabels: (c: StatsContainer) => Labels,
    private readonly fill: Fill,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    for (const c of this.source.containers()) this.fill(c, this.baseLabels(c), values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // Nothing to reset: the values are read from the source on each scrape.
  }
}

/**
 * Registers the cAdvisor-named container families on `registry` (the collector's
 * `metrics.registry`, served on GET /metrics). Returns the family names and a way to remove them.
 */
export function registerContainerMetrics(
  registry: Registry,
  sources: ContainerMetricsSource | readonly ContainerMetricsSource[],
  opts: ContainerMetricsOptions = {},
): { names: string[]; unregister: () => void } {
  const source = combined(Array.isArray(sources) ? sources : [sources as ContainerMetricsSource]);
  const select = compileGlobSet(opts.labels ?? ['com.docker.compose.project', 'com.docker.compose.service']);
  const idLabel = opts.idLabel ?? ((id: string) => `/docker/${id}`);
  const device = opts.deviceName ?? sysDeviceName;
  // One label object per container identity: prom-client caches its rendering by object.
  const cache = new WeakMap<object, Labels>();
  const baseLabels = (c: StatsContainer): Labels => {
    let l = cache.get(c.identity);
    if (l) return l;
    l = {};
    for (const key of Object.keys(c.identity.labels).sort()) {
      if (!select(key)) continue;
      const name = containerLabelName(key);
      if (!(name in l)) l[name] = c.identity.labels[key]!;
    }
    const k8s = c.kubernetes;
    l.id = k8s ? k8s.cgroup : idLabel(c.identity.id);
    l.image = c.identity.image;
    l.name = c.identity.name;
    if (k8s) {
      l.container = k8s.container;
      l.namespace = k8s.namespace;
      l.pod = k8s.pod;
    }
    cache.set(c.identity, l);
    return l;
  };
  // The full label set of a series with one label more (cpu, interface, device), also one object per
  // container identity and value, so that prom-client renders each label set once and reuses it.
  const extended = new WeakMap<Labels, Map<string, Labels>>();
  const withLabel = (base: Labels, name: string, value: string): Labels => {
    let m = extended.get(base);
    if (!m) extended.set(base, (m = new Map()));
    const key = `${name}\u0000${value}`;
    let l = m.get(key);
    if (!l) m.set(key, (l = { [name]: value, ...base }));
    return l;
  };
  const one = (get: (c: StatsContainer) => number | undefined, extra?: [string, string]): Fill => (c, base, out) => {
    const value = get(c);
    if (value !== undefined) out.push({ value, labels: NO_LABELS, sharedLabels: extra ? withLabel(base, extra[0], extra[1]) : base });
  };
  const perInterface = (key: 'rx_bytes' | 'tx_bytes' | 'rx_packets' | 'tx_packets' | 'rx_errors' | 'tx_errors' | 'rx_dropped' | 'tx_dropped'): Fill => (c, base, out) => {
    for (const [name, n] of c.counters.networks) {
      const value = n[key];
      if (value !== undefined) out.push({ value, labels: NO_LABELS, sharedLabels: withLabel(base, 'interface', name) });
    }
  };
  const perDevice = (key: 'read' | 'write'): Fill => (c, base, out) => {
    for (const [dev, v] of c.counters.blkio) out.push({ value: v[key], labels: NO_LABELS, sharedLabels: withLabel(base, 'device', device(dev)) });
  };
  const limited = (c: StatsContainer) => c.cpuSpec?.quota !== undefined;

  const defs: [string, 'counter' | 'gauge', string, Fill][] = [
    ['container_cpu_usage_seconds_total', 'counter', 'Cumulative CPU time consumed, in seconds.', one((c) => c.counters.cpuTotalNs / 1e9, ['cpu', 'total'])],
    ['container_cpu_user_seconds_total', 'counter', 'Cumulative user CPU time consumed, in seconds.', one((c) => (c.counters.cpuUserNs === undefined ? undefined : c.counters.cpuUserNs / 1e9))],
    ['container_cpu_system_seconds_total', 'counter', 'Cumulative system CPU time consumed, in seconds.', one((c) => (c.counters.cpuKernelNs === undefined ? undefined : c.counters.cpuKernelNs / 1e9))],
    ['container_cpu_cfs_periods_total', 'counter', 'Number of elapsed enforcement period intervals.', one((c) => (limited(c) ? c.counters.throttlingPeriods : undefined))],
    ['container_cpu_cfs_throttled_periods_total', 'counter', 'Number of throttled period intervals.', one((c) => (limited(c) ? c.counters.throttledPeriods : undefined))],
    ['container_cpu_cfs_throttled_seconds_total', 'counter', 'Total time duration the container has been throttled, in seconds.', one((c) => (limited(c) ? c.counters.throttledTimeNs / 1e9 : undefined))],
    ['container_memory_usage_bytes', 'gauge', 'Current memory usage in bytes, including all memory regardless of when it was accessed.', one((c) => c.counters.memUsage)],
    ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes (usage minus inactive file cache).', one((c) => c.counters.memWorkingSet)],
    ['container_memory_rss', 'gauge', 'Size of RSS (anonymous memory) in bytes.', one((c) => c.counters.memRss)],
    ['container_memory_cache', 'gauge', 'Number of bytes of page cache memory.', one((c) => c.counters.memCache)],
    ['container_memory_max_usage_bytes', 'gauge', 'Maximum memory usage recorded in bytes.', one((c) => c.counters.memMaxUsage)],
    ['container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container, in bytes (0 when unlimited).', one((c) => c.values.memory_limit_bytes)],
    ['container_spec_cpu_period', 'gauge', 'CPU period of the container, in microseconds.', one((c) => c.cpuSpec?.period)],
    ['container_spec_cpu_quota', 'gauge', 'CPU quota of the container, in microseconds per period.', one((c) => c.cpuSpec?.quota)],
    ['container_spec_cpu_shares', 'gauge', 'CPU share of the container.', one((c) => c.cpuSpec?.shares)],
    ['container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received.', perInterface('rx_bytes')],
    ['container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted.', perInterface('tx_bytes')],
    ['container_network_receive_packets_total', 'counter', 'Cumulative count of packets received.', perInterface('rx_packets')],
    ['container_network_transmit_packets_total', 'counter', 'Cumulative count of packets transmitted.', perInterface('tx_packets')],
    ['container_network_receive_errors_total', 'counter', 'Cumulative count of errors encountered while receiving.', perInterface('rx_errors')],
    ['container_network_transmit_errors_total', 'counter', 'Cumulative count of errors encountered while transmitting.', perInterface('tx_errors')],
    ['container_network_receive_packets_dropped_total', 'counter', 'Cumulative count of packets dropped while receiving.', perInterface('rx_dropped')],
    ['container_network_transmit_packets_dropped_total', 'counter', 'Cumulative count of packets dropped while transmitting.', perInterface('tx_dropped')],
    ['container_fs_reads_bytes_total', 'counter', 'Cumulative count of bytes read.', perDevice('read')],
    ['container_fs_writes_bytes_total', 'counter', 'Cumulative count of bytes written.', perDevice('write')],
    ['container_threads', 'gauge', 'Number of threads (tasks) running inside the container.', one((c) => c.counters.pids)],
    ['container_last_seen', 'gauge', 'Last time the container was seen by the exporter (its latest sample), Unix seconds.', one((c) => Number(c.counters.readNanos / 1000n) / 1e6)],
    ['container_start_time_seconds', 'gauge', 'Start time of the container since the Unix epoch, in seconds.', one((c) => c.startedAt)],
  ];
  const families = defs.map(([name, type, help, fill]) => new Family(name, help, type, source, baseLabels, fill));
  for (const f of families) registry.registerMetric(f as unknown as Metric);
  return {
    names: families.map((f) => f.name),
    unregister: () => {
      for (const f of families) if (registry.getSingleMetric(f.name) === (f as unknown as Metric)) registry.removeSingleMetric(f.name);
    },
  };
}
