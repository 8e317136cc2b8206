import { collectorApi } from '../../api/client';
import { SEVERITIES, type Severity } from '../../api/types';

/** Pages of 1000 read at most for the chart; beyond that the chart says it is partial. */
export const TIMELINE_MAX_ALERTS = 5000;
const PAGE_SIZE = 1000;

export interface AlertPoint {
  timeMs: number;
  severity: Severity;
}

export interface AlertTimeline {
  points: AlertPoint[];
  /** More alerts matched than were read. */
  truncated: boolean;
  fromMs: number;
  toMs: number;
}

export interface Bucket {
  startMs: number;
  endMs: number;
  counts: Record<Severity, number>;
  total: number;
}

/** Reads the alerts of the window page by page (newest first), keeping only time and severity. */
export async function loadAlertTimeline(since: string, windowMs: number): Promise<AlertTimeline> {
  const toMs = Date.now();
  const points: AlertPoint[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (;;) {
    const page = await collectorApi.alerts({ since, limit: PAGE_SIZE, cursor });
    for (const alert of page.alerts) {
      const timeMs = Date.parse(alert.time);
      if (!Number.isNaN(timeMs)) {
        points.push({ timeMs, severity: alert.severity });
      }
    }
    if (!page.next_cursor) {
      break;
    }
    if (points.length >= TIMELINE_MAX_ALERTS) {
      truncated = true;
      break;
    }
    cursor = page.next_cursor;
  }
  return { points, truncated, fromMs: toMs - windowMs, toMs };
}

function emptyCounts(): Record<Severity, number> {
  return { low: 0, medium: 0, high: 0, critical: 0 };
}

/** Splits [fromMs, toMs) into `count` equal buckets and counts the points by severity in each. */
export function bucketize(timeline: AlertTimeline, count: number): Bucket[] {
  const { fromMs, toMs } = timeline;
  const width = (toMs - fromMs) / count;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    startMs: fromMs + i * width,
    endMs: fromMs + (i + 1) * width,
    counts: emptyCounts(),
    total: 0,
  }));
  for (const p of timeline.points) {
    if (p.timeMs < fromMs || p.timeMs > toMs) {
      continue;
    }
    const bucket = buckets[Math.min(count - 1, Math.floor((p.timeMs - fromMs) / width))];
    if (bucket && SEVERITIES.includes(p.severity)) {
      bucket.counts[p.severity]++;
      bucket.total++;
    }
  }
  return buckets;
}
