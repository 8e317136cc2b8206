import { z } from 'zod';

/** Byte sizes in config accept plain numbers or `512MiB`, `1GiB`, `64KiB`, `10MB`. */
export const byteSize = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i, 'a size like 1GiB')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)));

/** Durations accept a number of seconds or `500ms`, `30s`, `5m`, `2h`, `7d`; stored as milliseconds. */
export const duration = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration like 30s, 5m or 7d')])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)!));

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return Number.NaN;
  const units: Record<string, number> = { '': 1, b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  return Math.round(Number(m[1]) * (units[m[2]!.toLowerCase()] ?? Number.NaN));
}

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * unit[m[2]!]!;
}
