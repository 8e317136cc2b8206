import os from 'node:os';
import { z } from 'zod';

/** Byte sizes in config accept plain numbers or `512MiB`, `1GiB`, `64KiB`, `10MB`. */
const byteSize = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i, 'a size like 1GiB')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)));

/** Durations accept a number of seconds or `500ms`, `30s`, `5m`, `2h`, `7d`; stored as milliseconds. */
const duration = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration like 30s, 5m or 7d')])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)!));

const listen = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port');

export const configSchema = z.strictObject({
  host: z.strictObject({
    name: z.string().min(1).default(os.hostname()),
  }).default({ name: os.hostname() }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
  api: z.strictObject({
    listen: listen.default('127.0.0.1:7475'),
    token: z.string().min(16, 'at least 16 characters').optional(),
    body_limit: byteSize.default(16 * 1024 * 1024),
  }).prefault({}),
  docker: z.strictObject({
    enabled: z.boolean().default(true),
    socket: z.string().min(1).optional(),
    reconnect_max: duration.default(30_000),
    inspect_timeout: duration.default(5_000),
    queue_max: z.number().int().min(100).default(65_536),
    self_container_id: z.string().optional(),
  }).prefault({}),
  store: z.strictObject({
    path: z.string().min(1).default('./data'),
    max_age: duration.default(7 * 24 * 3600 * 1000),
    max_bytes: byteSize.default(1024 ** 3),
  }).prefault({}),
  loki: z.strictObject({
    url: z.url().optional(),
  }).prefault({}),
  k8s: z.strictObject({
    audit_token: z.string().min(16, 'at least 16 characters').optional(),
  }).prefault({}),
  rules: z.strictObject({
    local_dir: z.string().optional(),
    shipped_dir: z.string().optional(),
  }).prefault({}),
});

export type Config = z.output<typeof configSchema>;

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
