import os from 'node:os';
import { z } from 'zod';
import { lokiConfigSchema } from '../sinks/loki/config.js';
import { k8sAuditConfigShape } from '../sources/k8s-audit/config.js';
import { k8sNodeConfigShape } from './k8s-node.js';
import { k8sWatchConfigShape } from '../sources/k8s-watch/config.js';
import { byteSize, duration } from './units.js';
import { statsConfigSchema } from '../sources/docker-stats/config.js';
import { logsConfigSchema } from '../sources/docker-logs/config.js';

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
    // Container log lines in the store: `auto` keeps them only when no Loki takes them.
    logs: z.enum(['auto', 'true', 'false']).or(z.boolean().transform((b) => (b ? 'true' : 'false'))).default('auto'),
  }).prefault({}),
  loki: lokiConfigSchema.prefault({}),
  stats: statsConfigSchema.prefault({}),
  logs: logsConfigSchema.prefault({}),
  k8s: z.strictObject({
    audit_token: z.string().min(16, 'at least 16 characters').optional(),
    ...k8sAuditConfigShape,
    ...k8sNodeConfigShape,
    ...k8sWatchConfigShape,
  }).prefault({}),
  rules: z.strictObject({
    local_dir: z.string().optional(),
    shipped_dir: z.string().optional(),
  }).prefault({}),
});

export type Config = z.output<typeof configSchema>;
