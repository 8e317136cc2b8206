import { z } from 'zod';
import { byteSize } from '../../config/units.js';

// The `loki` section of the collector configuration. Every key can also come from an environment
// variable (SHIPWATCH_LOKI_<KEY>), so numbers, sizes and booleans accept their string forms too.

const MS_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number of milliseconds, or `500ms`, `5s`, `5m`, `1h`. */
const millis = z
  .union([z.number().nonnegative(), z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/, 'milliseconds or a duration like 5s')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v)!;
    return Math.round(Number(m[1]) * MS_UNITS[m[2] ?? 'ms']!);
  });

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'yes'].includes(v)));

/** An empty string (an unset environment variable exported as ``) means "not set". */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());

/** Loki label names (Prometheus data model); `__` names are reserved. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels the sink sets itself; external labels may not reuse them. */
export const BUILTIN_LABELS = ['job', 'source', 'host', 'container', 'compose_service', 'namespace', 'pod', 'stream', 'severity'] as const;

export const lokiConfigSchema = z
  .strictObject({
    /** Loki base URL (`http://loki:3100`), or the full push URL; unset: the Loki sink is disabled. */
    url: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
    /** Sent as `X-Scope-OrgID` (multi-tenant Loki, Grafana Cloud). */
    tenant_id: optionalText,
    /** HTTP basic auth (Grafana Cloud: instance id and API token). */
    username: optionalText,
    password: optionalText,
    /** `Authorization: Bearer <token>`; exclusive with basic auth. */
    bearer_token: optionalText,
    /** PEM CA bundle to verify Loki's certificate (instead of the system roots). */
    tls_ca_file: optionalText,
    /** PEM client certificate and key for mutual TLS. */
    tls_cert_file: optionalText,
    tls_key_file: optionalText,
    /** Accept any server certificate. For tests only. */
    tls_insecure_skip_verify: bool.default(false),
    /** Deadline of one push request, response included. */
    timeout_ms: millis.pipe(z.number().min(100)).default(10_000),
    /** Upper bound of one push body, uncompressed JSON (a single larger entry goes alone). */
    batch_max_bytes: byteSize.pipe(z.number().int().positive()).default(1024 * 1024),
    /** How long a batch that is not full may wait for more entries before it is sent. */
    batch_wait_ms: millis.default(1000),
    /** Bound of the durable outbox; past it the oldest entries are dropped and counted. */
    max_queue_bytes: byteSize.pipe(z.number().int().positive()).default(512 * 1024 * 1024),
    /** Send container id and rule id as structured metadata (Loki 3 only: Loki 2 answers 400). */
    structured_metadata: bool.default(false),
    /** Static labels added to every stream (for example `cluster`), low cardinality please. */
    external_labels: z.record(z.string().regex(LABEL_NAME, 'a label name ([a-zA-Z_][a-zA-Z0-9_]*)'), z.string().min(1).max(1024)).default({}),
    /** Retry backoff after 429, 5xx and network errors: exponential with full jitter between these. */
    min_backoff_ms: millis.pipe(z.number().min(1)).default(500),
    max_backoff_ms: millis.pipe(z.number().min(1)).default(5 * 60_000),
    /** On shutdown, how long to keep pushing what is queued; what remains stays for the next start. */
    flush_timeout_ms: millis.default(5000),
  })
  .superRefine((c, ctx) => {
    if (c.bearer_token && (c.username || c.password)) {
      ctx.addIssue({ code: 'custom', path: ['bearer_token'], message: 'bearer_token and basic auth (username/password) are exclusive' });
    }
    if ((c.username === undefined) !== (c.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.username ? 'password' : 'username'], message: 'basic auth needs both username and password' });
    }
    if ((c.tls_cert_file === undefined) !== (c.tls_key_file === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.tls_cert_file ? 'tls_key_file' : 'tls_cert_file'], message: 'a client certificate needs both tls_cert_file and tls_key_file' });
    }
    if (c.min_backoff_ms > c.max_backoff_ms) {
      ctx.addIssue({ code: 'custom', path: ['min_backoff_ms'], message: 'must not exceed max_backoff_ms' });
    }
    for (const name of Object.keys(c.external_labels)) {
      if (name.startsWith('__') || (BUILTIN_LABELS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['external_labels', name], message: `label name "${name}" is reserved` });
      }
    }
  });

/** The parsed `loki` section (defaults applied). */
export type LokiConfig = z.output<typeof lokiConfigSchema>;
/** What a configuration file or a test may write (every key optional). */
export type LokiConfigInput = z.input<typeof lokiConfigSchema>;

/** Parses a partial `loki` section, for tests and for callers that bypass the config loader. */
export function parseLokiConfig(input: LokiConfigInput = {}): LokiConfig {
  return lokiConfigSchema.parse(input);
}
