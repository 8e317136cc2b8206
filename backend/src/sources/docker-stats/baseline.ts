import { parseSize } from '../../config/units.js';
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
