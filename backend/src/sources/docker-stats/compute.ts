// The numbers of `docker stats`, computed the way docker/cli does (cli/command/container/
// stats_helpers.go), from the engine's `GET /containers/{id}/stats` document — for cgroup v1 and v2.
import { rfc3339ToNanos } from '../../event/time.js';

/** The parts of the engine's stats document that the collector reads. */
export interface DockerStats {
  read?: string;
  preread?: string;
  id?: string;
  name?: string;
  pids_stats?: { current?: number; limit?: number };
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: MemoryStats;
  networks?: Record<string, NetworkStats> | null;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null; usage_in_kernelmode?: number; usage_in_usermode?: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data?: { periods?: number; throttled_periods?: number; throttled_time?: number };
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  limit?: number;
  failcnt?: number;
  stats?: Record<string, number> | null;
}

export interface NetworkStats {
  rx_bytes?: number;
  rx_packets?: number;
  rx_errors?: number;
  rx_dropped?: number;
  tx_bytes?: number;
  tx_packets?: number;
  tx_errors?: number;
  tx_dropped?: number;
}

/** Counters of one network interface: bytes always, packets, errors and drops when the source has them. */
export type InterfaceCounters = Pick<Required<NetworkStats>, 'rx_bytes' | 'tx_bytes'> & Omit<NetworkStats, 'rx_bytes' | 'tx_bytes'>;

/** Cumulative counters and gauges of one sample, flattened; what the rates and Prometheus read. */
export interface Counters {
  /** The sample's `read` time, Unix nanoseconds. */
  readNanos: bigint;
  cpuTotalNs: number;
  /** User and kernel CPU time: absent when the source does not split them (the kubelet's summary). */
  cpuUserNs?: number;
  cpuKernelNs?: number;
  systemCpuNs: number;
  onlineCpus: number;
  throttlingPeriods: number;
  throttledPeriods: number;
  throttledTimeNs: number;
  memUsage: number;
  memWorkingSet: number;
  /** The engine's limit as reported (the host's memory when the container has none). */
  memLimitRaw: number;
  memMaxUsage?: number;
  memRss?: number;
  memCache?: number;
  networks: Map<string, InterfaceCounters>;
  /** Bytes read and written, by block device `major:minor`. */
  blkio: Map<string, { read: number; write: number }>;
  blkRead: number;
  blkWrite: number;
  pids?: number;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * A stopped (or just-gone) container answers with a zeroed document: `read` is Go's zero time and
 * every counter is 0. Such a sample is not a measurement and must never become a value.
 */
export function isZeroedSample(s: DockerStats): boolean {
  if (!s.read || s.read.startsWith('0001-01-01')) return true;
  const cpu = s.cpu_stats;
  return n(cpu?.cpu_usage?.total_usage) === 0 && n(cpu?.system_cpu_usage) === 0 && n(s.memory_stats?.usage) === 0;
}

/**
 * Memory usage without the cache that can be reclaimed, as `docker stats` shows it and as cAdvisor's
 * working set: usage − `total_inactive_file` on cgroup v1, usage − `inactive_file` on cgroup v2.
 */
export function memoryWorkingSet(mem: MemoryStats | undefined): number {
  const usage = n(mem?.usage);
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = n(stats.inactive_file);
  if (v2 < usage) return usage - v2;
  return usage;
}

/** % of the limit, as docker/cli (0 when the limit is unknown). */
export function memoryPercent(limit: number, workingSet: number): number {
  return limit !== 0 ? (workingSet / limit) * 100 : 0;
}

/**
 * CPU % as docker/cli: Δcontainer CPU time / Δhost CPU time × online CPUs × 100, so one busy core
 * reads 100%. `online_cpus` falls back to the number of per-CPU counters (older engines, cgroup v1).
 */
export function cpuPercent(prevTotal: number, prevSystem: number, cur: CpuStats | undefined): number {
  const cpuDelta = n(cur?.cpu_usage?.total_usage) - prevTotal;
  const systemDelta = n(cur?.system_cpu_usage) - prevSystem;
  let online = n(cur?.online_cpus);
  if (online === 0) online = cur?.cpu_usage?.percpu_usage?.length ?? 0;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * online * 100;
  return 0;
}

/** Block I/O read and write bytes, summed over devices, ops `Read`/`Write` in any case (cgroup v1 and v2 spell them differently). */
export function blockIO(entries: BlkioEntry[] | null | undefined): { read: number; write: number; byDevice: Map<string, { read: number; write: number }> } {
  let read = 0;
  let write = 0;
  const byDevice = new Map<string, { read: number; write: number }>();
  for (const e of entries ?? []) {
    const op = typeof e.op === 'string' ? e.op.toLowerCase() : '';
    if (op !== 'read' && op !== 'write') continue;
    const key = `${n(e.major)}:${n(e.minor)}`;
    let d = byDevice.get(key);
    if (!d) byDevice.set(key, (d = { read: 0, write: 0 }));
    if (op === 'read') {
      read += n(e.value);
      d.read += n(e.value);
    } else {
      write += n(e.value);
      d.write += n(e.value);
    }
  }
  return { read, write, byDevice };
}

/** Receive and transmit bytes summed over interfaces. */
export function networkTotals(networks: Record<string, NetworkStats> | null | undefined): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const v of Object.values(networks ?? {})) {
    rx += n(v.rx_bytes);
    tx += n(v.tx_bytes);
  }
  return { rx, tx };
}

/** Flattens a (non-zeroed) stats document. Undefined when its `read` time is not RFC 3339. */
export function countersOf(s: DockerStats): Counters | undefined {
  const readNanos = s.read ? rfc3339ToNanos(s.read) : undefined;
  if (readNanos === undefined) return undefined;
  const cpu = s.cpu_stats;
  const mem = s.memory_stats;
  const stats = mem?.stats ?? {};
  const networks = new Map<string, InterfaceCounters>();
  for (const [name, v] of Object.entries(s.networks ?? {})) {
    networks.set(name, {
      rx_bytes: n(v.rx_bytes), rx_packets: n(v.rx_packets), rx_errors: n(v.rx_errors), rx_dropped: n(v.rx_dropped),
      tx_bytes: n(v.tx_bytes), tx_packets: n(v.tx_packets), tx_errors: n(v.tx_errors), tx_dropped: n(v.tx_dropped),
    });
  }
  const bio = blockIO(s.blkio_stats?.io_service_bytes_recursive);
  const v1 = 'total_inactive_file' in stats;
  let online = n(cpu?.online_cpus);
  if (online === 0) online = cpu?.cpu_usage?.percpu_usage?.length ?? 0;
  return {
    readNanos,
    cpuTotalNs: n(cpu?.cpu_usage?.total_usage),
    cpuUserNs: n(cpu?.cpu_usage?.usage_in_usermode),
    cpuKernelNs: n(cpu?.cpu_usage?.usage_in_kernelmode),
    systemCpuNs: n(cpu?.system_cpu_usage),
    onlineCpus: online,
    throttlingPeriods: n(cpu?.throttling_data?.periods),
    throttledPeriods: n(cpu?.throttling_data?.throttled_periods),
    throttledTimeNs: n(cpu?.throttling_data?.throttled_time),
    memUsage: n(mem?.usage),
    memWorkingSet: memoryWorkingSet(mem),
    memLimitRaw: n(mem?.limit),
    ...(mem?.max_usage !== undefined ? { memMaxUsage: n(mem.max_usage) } : {}),
    ...(v1 ? { memRss: n(stats.total_rss), memCache: n(stats.total_cache) } : 'anon' in stats ? { memRss: n(stats.anon), memCache: n(stats.file) } : {}),
    networks,
    blkio: bio.byDevice,
    blkRead: bio.read,
    blkWrite: bio.write,
    ...(s.pids_stats?.current !== undefined ? { pids: n(s.pids_stats.current) } : {}),
  };
}

/** The numbers of one sample, derived from it and the previous sample of the same container start. */
export interface SampleValues {
  /** Absent on the first sample after a (re)start: there is nothing to take a difference from. */
  cpu_percent?: number;
  memory_usage_bytes: number;
  memory_working_set_bytes: number;
  /** 0 when the container has no memory limit (cAdvisor's convention). */
  memory_limit_bytes: number;
  /** Absent when the container has no memory limit. */
  memory_percent?: number;
  network_rx_bytes_per_second?: number;
  network_tx_bytes_per_second?: number;
  blkio_read_bytes_per_second?: number;
  blkio_write_bytes_per_second?: number;
  pids?: number;
}

/**
 * True when the counters went backwards: the container restarted (a new cgroup starts from zero).
 * CPU time, CFS periods and (cgroup v1) the memory high-water mark only grow during one start.
 */
export function isCounterReset(prev: Counters, cur: Counters): boolean {
  if (cur.cpuTotalNs < prev.cpuTotalNs) return true;
  if (cur.throttlingPeriods < prev.throttlingPeriods) return true;
  if (prev.memMaxUsage !== undefined && cur.memMaxUsage !== undefined && cur.memMaxUsage < prev.memMaxUsage) return true;
  return false;
}

/** The increase of a counter; after a reset (it went down), the increase is at least its new value (Prometheus' rule). */
function increase(prev: number | undefined, cur: number): number {
  if (prev === undefined || cur < prev) return cur;
  return cur - prev;
}

/**
 * Values of a sample. `prev` is the previous sample of the same container start, or undefined (first
 * sample, or just restarted): then no rate is given. `unlimitedAbove`: a reported limit at or above
 * it (the host's memory) means the container has no memory limit.
 */
export function sampleValues(prev: Counters | undefined, cur: Counters, unlimitedAbove: number): SampleValues {
  const unlimited = cur.memLimitRaw <= 0 || (unlimitedAbove > 0 && cur.memLimitRaw >= unlimitedAbove);
  const v: SampleValues = {
    memory_usage_bytes: cur.memUsage,
    memory_working_set_bytes: cur.memWorkingSet,
    memory_limit_bytes: unlimited ? 0 : cur.memLimitRaw,
    ...(unlimited ? {} : { memory_percent: memoryPercent(cur.memLimitRaw, cur.memWorkingSet) }),
    ...(cur.pids !== undefined ? { pids: cur.pids } : {}),
  };
  if (!prev) return v;
  const seconds = Number(cur.readNanos - prev.readNanos) / 1e9;
  if (!(seconds > 0)) return v;
  v.cpu_percent = cpuPercent(prev.cpuTotalNs, prev.systemCpuNs, {
    cpu_usage: { total_usage: cur.cpuTotalNs }, system_cpu_usage: cur.systemCpuNs, online_cpus: cur.onlineCpus,
  });
  const [rx, tx] = increases(prev.networks, cur.networks, 'rx_bytes', 'tx_bytes');
  v.network_rx_bytes_per_second = rx / seconds;
  v.network_tx_bytes_per_second = tx / seconds;
  const [read, write] = increases(prev.blkio, cur.blkio, 'read', 'write');
  v.blkio_read_bytes_per_second = read / seconds;
  v.blkio_write_bytes_per_second = write / seconds;
  return v;
}

/** Summed increases of two counters over every interface or device, each reset-safe. */
function increases<K extends string>(prev: Map<string, Record<K, number>>, cur: Map<string, Record<K, number>>, a: K, b: K): [number, number] {
  let sa = 0;
  let sb = 0;
  for (const [key, c] of cur) {
    const p = prev.get(key);
    sa += increase(p?.[a], c[a]);
    sb += increase(p?.[b], c[b]);
  }
  return [sa, sb];
}
