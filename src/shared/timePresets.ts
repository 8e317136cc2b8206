import type { SelectableValue } from '@grafana/data';

/** "Since" choices; the collector takes a duration back from now for `since`. */
export const SINCE_PRESETS: Array<SelectableValue<string>> = [
  { label: '15m', value: '15m', description: 'Last 15 minutes' },
  { label: '1h', value: '1h', description: 'Last hour' },
  { label: '6h', value: '6h', description: 'Last 6 hours' },
  { label: '24h', value: '24h', description: 'Last 24 hours' },
  { label: '7d', value: '7d', description: 'Last 7 days' },
  { label: '30d', value: '30d', description: 'Last 30 days' },
];

export const DEFAULT_SINCE = '24h';

/** Milliseconds of a preset (`15m`, `24h`, `7d`), for laying out charts over the window. */
export function presetMs(since: string): number | undefined {
  const m = /^(\d+)([mhd])$/.exec(since);
  if (!m) {
    return undefined;
  }
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
