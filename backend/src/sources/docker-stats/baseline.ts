import { parseSize } from '../../config/units.js';
import type { SampleValues } from './compute.js';
import type { StatsConfig } from './config.js';

/** The mean of the last `size` values: a container's own baseline for one resource. */
export class RollingMean {
  private readonly values: number[] = [];
  private next = 0;
  private sum = 0;
  private added = 0;

  constructor(private readonly size: number) {}

  /** The mean of what was added so far (the current sample is added after it is compared). */
  get mean(): number | undefined {
    return this.values.length === 0 ? undefined : this.sum / this.values.length;
  }

  get count(): number {
    return this.values.length;
  }

  add(v: number): void {
    if (this.values.length < this.size) {
      this.values.push(v);
      this.sum += v;
    } else {
      this.sum += v - this.values[this.next]!;
      this.values[this.next] = v;
      this.next = (this.next + 1) % this.size;
    }
    // Incremental sums drift: recompute from time to time.
    if (++this.added % 1024 === 0) this.sum = this.values.reduce((a, b) => a + b, 0);
  }
}

export type Resource = 'cpu' | 'memory' | 'network';
export const RESOURCES: readonly Resource[] = ['cpu', 'memory', 'network'];

/** `shipwatch.threshold.<resource>` on a container overrides the configured threshold. */
export const THRESHOLD_LABEL = 'shipwatch.threshold.';

export type Thresholds = Record<Resource, number>;

/**
 * Thresholds for one container: the configured defaults, overridden by its labels
 * `shipwatch.threshold.cpu` (%), `.memory` (% of the limit) and `.network` (bytes/s, `10MiB` allowed).
 * A label that is not a positive number is ignored and reported in `invalid`.
 */
export function thresholdsFor(labels: Record<string, string> | undefined, cfg: StatsConfig): { thresholds: Thresholds; invalid: string[] } {
  const thresholds: Thresholds = { cpu: cfg.cpu_threshold, memory: cfg.memory_threshold, network: cfg.network_threshold };
  const invalid: string[] = [];
  for (const r of RESOURCES) {
    const text = labels?.[`${THRESHOLD_LABEL}${r}`];
    if (text === undefined) continue;
    const v = parseThreshold(text, r === 'network');
    if (v === undefined) invalid.push(`${THRESHOLD_LABEL}${r}=${text}`);
    else thresholds[r] = v;
  }
  return { thresholds, invalid };
}

function parseThreshold(text: string, size: boolean): number | undefined {
  const t = text.trim().replace(/%$/, '');
  if (/^\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    return v > 0 ? v : undefined;
  }
  if (size) {
    const v = parseSize(t.replace(/\/s$/i, ''));
    return Number.isFinite(v) && v > 0 ? v : undefined;
  }
  return undefined;
}

/** A container's rolling baselines, one per resource. */
export type Baselines = Record<Resource, RollingMean>;

export function newBaselines(size: number): Baselines {
  return { cpu: new RollingMean(size), memory: new RollingMean(size), network: new RollingMean(size) };
}

const FLOOR_KEY: Record<Resource, 'cpu_baseline_floor' | 'memory_baseline_floor' | 'network_baseline_floor'> = {
  cpu: 'cpu_baseline_floor', memory: 'memory_baseline_floor', network: 'network_baseline_floor',
};

/**
 * `metric.*` of a sample event (DESIGN.md §3, rules/resources.yaml): the values with, per resource,
 * the threshold in force and the baseline comparison. Advances the baselines (the current value is
 * added after the comparison). Used by every source of resource samples (Docker, kubelet).
 */
export function metricFields(baselines: Baselines, thresholds: Thresholds, v: SampleValues, cfg: StatsConfig): Record<string, unknown> {
  const value: Partial<Record<Resource, number>> = {};
  if (v.cpu_percent !== undefined) value.cpu = v.cpu_percent;
  value.memory = v.memory_working_set_bytes;
  if (v.network_rx_bytes_per_second !== undefined) value.network = v.network_rx_bytes_per_second + (v.network_tx_bytes_per_second ?? 0);
  const ready = Math.min(...RESOURCES.map((r) => baselines[r].count)) >= cfg.baseline_min_samples;

  const m: Record<string, unknown> = {};
  const resource = (r: Resource, fields: Record<string, unknown>, over: boolean) => {
    const x = value[r]!;
    const baseline = baselines[r].mean;
    const out: Record<string, unknown> = { ...fields, threshold: thresholds[r], over_threshold: over };
    if (baseline !== undefined) {
      out.baseline = baseline;
      out.baseline_ratio = x / Math.max(baseline, cfg[FLOOR_KEY[r]]);
    }
    baselines[r].add(x);
    m[r] = out;
  };
  if (value.cpu !== undefined) resource('cpu', { percent: value.cpu }, value.cpu > thresholds.cpu);
  resource('memory', {
    working_set_bytes: v.memory_working_set_bytes,
    usage_bytes: v.memory_usage_bytes,
    limit_bytes: v.memory_limit_bytes,
    ...(v.memory_percent !== undefined ? { percent: v.memory_percent } : {}),
  }, v.memory_percent !== undefined && v.memory_percent > thresholds.memory);
  if (value.network !== undefined) {
    resource('network', {
      rx_bytes_per_second: v.network_rx_bytes_per_second,
      tx_bytes_per_second: v.network_tx_bytes_per_second,
      bytes_per_second: value.network,
    }, value.network > thresholds.network);
  }
  if (v.blkio_read_bytes_per_second !== undefined) m.blkio = { read_bytes_per_second: v.blkio_read_bytes_per_second, write_bytes_per_second: v.blkio_write_bytes_per_second };
  if (v.pids !== undefined) m.pids = v.pids;
  m.baseline_ready = ready;
  return m;
}
