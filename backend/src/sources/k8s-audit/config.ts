import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';

// Keys of the `k8s` config section used by the audit intake, beyond `audit_token` (which the
// section already has). Every key can also come from SHIPWATCH_K8S_<KEY>; the loader turns
// numeric environment values into numbers and leaves `16MiB` / `250ms` as strings, both accepted.

const count = (min: number) => z.union([z.number(), z.string().regex(/^\s*\d+\s*$/, 'a whole number')]).transform(Number).pipe(z.number().int().min(min));

/** Durations as elsewhere in the config (a number of seconds, or `250ms`, `1s`, `5m`), in milliseconds. */
const millis = duration;

export const k8sAuditConfigShape = {
  /** Largest accepted webhook request body (after decompression); larger ones get a 413. */
  audit_max_body: byteSize.pipe(z.number().int().min(1024, 'at least 1KiB')).default(16 * 1024 * 1024),
  /** Audit events per second the webhook accepts (token bucket); 0 turns the limit off. Over it: 429 with Retry-After. */
  audit_rate: count(0).default(20_000),
  /** Bucket size in events; default twice audit_rate. A single request larger than the bucket is refused (413). */
  audit_burst: count(1).optional(),
  /** Recent auditID + stage pairs remembered to drop re-sent events. */
  audit_dedup_size: count(0).default(100_000),
  /** How long a webhook request waits for the store to commit its events before answering 503 (the sender retries). */
  audit_commit_timeout: millis.pipe(z.number().min(100)).default(10_000),
  /** Accept TLS client certificates verified by the listener instead of the bearer token (mTLS); `audit_client_cns` restricts the subjects. */
  audit_client_cert: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true').default(false),
  /** Common names accepted with audit_client_cert (comma-separated or a list); empty: any certificate the listener verified. */
  audit_client_cns: z.union([z.array(z.string().min(1)), z.string()])
    .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v))
    .default([]),
  /** A Kubernetes audit log file (log backend, JSON lines) to follow; unset: no file reader. */
  audit_log_path: z.string().min(1).optional(),
  /** Time between two looks at the audit log file. */
  audit_log_poll: millis.pipe(z.number().min(10, 'at least 10ms').max(60_000)).default(250),
  /** Where to start in the audit log file when no position is stored yet. */
  audit_log_start_at: z.enum(['beginning', 'end']).default('beginning'),
  /** Longest audit log line read; longer lines are skipped and counted as malformed. */
  audit_log_max_line: byteSize.pipe(z.number().int().min(1024)).default(16 * 1024 * 1024),
};

/** The audit keys as a section of their own (with `audit_token`), for tests and for merging. */
export const k8sAuditConfigSchema = z.strictObject({
  audit_token: z.string().min(16, 'at least 16 characters').optional(),
  ...k8sAuditConfigShape,
});

export type K8sAuditConfig = z.output<typeof k8sAuditConfigSchema>;
export type K8sAuditConfigInput = z.input<typeof k8sAuditConfigSchema>;

export function parseK8sAuditConfig(input: K8sAuditConfigInput = {}): K8sAuditConfig {
  return k8sAuditConfigSchema.parse(input);
}
