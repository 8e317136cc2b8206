// Windows are written the way operators say them (`30s`, `5m`, `1h30m`); a bare number is seconds,
// as in Wazuh's timeframe attribute.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Milliseconds of a duration, or an error message. */
export function parseDuration(input: unknown): number | string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) return 'must be a positive duration';
    return input * 1000;
  }
  if (typeof input !== 'string' || input.trim() === '') return 'must be a duration like 30s, 5m, 1h30m';
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m) return `"${text}" is not a duration (at "${text.slice(at)}"); write e.g. 30s, 5m, 1h30m`;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (total <= 0) return 'must be a positive duration';
  // Beyond a week a window is a baseline, not a correlation; refusing catches unit slips (5d vs 5m).
  if (total > 7 * UNIT_MS.d!) return 'must be at most 7d';
  return total;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
