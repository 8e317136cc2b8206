import { z } from 'zod';
import { parseSize } from '../../config/units.js';

// The `stats` section of the collector configuration: container resource sampling. Every key can
// also come from an environment variable (SHIPWATCH_STATS_<KEY>), so numbers, sizes, durations and
// booleans accept their string forms too.

const MS_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number of milliseconds, or `500ms`, `10s`, `1m`. */
const millis = z
  .union([z.number().nonnegative(), z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/, 'milliseconds or a duration like 10s')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v)!;
    return Math.round(Number(m[1]) * MS_UNITS[m[2] ?? 'ms']!);
  });

/** Bytes (or bytes per second): a number, or `50MiB`, `64KiB`, `1GB`. */
const bytes = z
  .union([z.number().nonnegative(), z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/i, 'a size like 50MiB')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)));

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'yes'].includes(v)));

const count = (min: number) => z.union([z.number(), z.string().regex(/^\s*\d+\s*$/)]).transform(Number).pipe(z.number().int().min(min));
const percent = z.union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/)]).transform(Number).pipe(z.number().positive());

/** Docker label names (or `*` globs) exported as `container_label_*` on the Prometheus series. */
const labelList = z
  .union([z.array(z.string().min(1)), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v));

export const DEFAULT_PROMETHEUS_LABELS = ['com.docker.compose.project', 'com.docker.compose.service'];

export const statsConfigSchema = z.strictObject({
  /** Sample container resource usage (CPU, memory, network, block I/O, pids) from the engine. */
  enabled: bool.default(true),
  /** Time between two samples of every running container. */
  interval: millis.pipe(z.number().min(1000, 'at least 1000 ms')).default(10_000),
  /**
   * How samples are taken. `oneshot` (default, measured cheaper): one `stats?stream=0&one-shot=1`
   * request per running container per interval. `stream`: one `stats?stream=1` connection per
   * container that dockerd feeds every second, of which one line per interval is used.
   */
  mode: z.enum(['oneshot', 'stream']).default('oneshot'),
  /**
   * Stats requests in flight at once (oneshot mode), on connections of the source's own. dockerd
   * 20.10 answers each at its next 1 s stats tick, so a round takes about ⌈containers / concurrency⌉ s.
   */
  concurrency: count(1).pipe(z.number().max(1024)).default(64),
  /** Deadline of one stats, list or inspect request. */
  request_timeout: millis.pipe(z.number().min(100)).default(5000),
  /** `metric.cpu.over_threshold` above this CPU % (as `docker stats`: 100 = one full core). Label `shipwatch.threshold.cpu` overrides it per container. */
  cpu_threshold: percent.default(90),
  /** `metric.memory.over_threshold` above this % of the memory limit (never for unlimited containers). Label `shipwatch.threshold.memory`. */
  memory_threshold: percent.default(90),
  /** `metric.network.over_threshold` above this many bytes/s, receive + transmit. Label `shipwatch.threshold.network`. */
  network_threshold: bytes.default(50 * 1024 * 1024),
  /** Samples in a container's rolling baseline (the mean of the previous N samples, the current one excluded). */
  baseline_window: count(2).pipe(z.number().max(10_000)).default(60),
  /** `metric.baseline_ready` once the baseline holds this many samples. */
  baseline_min_samples: count(1).default(10),
  /** `baseline_ratio` divides by max(baseline, floor), so an idle container's small blip is not a huge ratio. CPU %. */
  cpu_baseline_floor: percent.default(5),
  /** Bytes of working set. */
  memory_baseline_floor: bytes.default(32 * 1024 * 1024),
  /** Bytes per second, receive + transmit. */
  network_baseline_floor: bytes.default(64 * 1024),
  /** Emit each sample as a `metric` event to the pipeline (the resource rules). */
  emit_events: bool.default(true),
  /** Docker labels exported as `container_label_<sanitized>` on the Prometheus series; `*` globs allowed, `['*']` exports all as cAdvisor does. */
  prometheus_labels: labelList.default(DEFAULT_PROMETHEUS_LABELS),
}).superRefine((c, ctx) => {
  if (c.baseline_min_samples > c.baseline_window) {
    ctx.addIssue({ code: 'custom', path: ['baseline_min_samples'], message: 'must not exceed baseline_window' });
  }
});

/** The parsed `stats` section (defaults applied). */
export type StatsConfig = z.output<typeof statsConfigSchema>;
export type StatsConfigInput = z.input<typeof statsConfigSchema>;

export function parseStatsConfig(input: StatsConfigInput = {}): StatsConfig {
  return statsConfigSchema.parse(input);
}
