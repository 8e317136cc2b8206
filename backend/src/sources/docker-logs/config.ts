import { z } from 'zod';
import { byteSize } from '../../config/units.js';

// The `logs` section of the collector configuration: which containers' logs are followed.
// Every key can also come from the environment (SHIPWATCH_LOGS_<KEY>), where a list is written
// comma-separated: SHIPWATCH_LOGS_EXCLUDE_NAMES="buildkit*,*-migrate".

/** A list of strings, or one comma-separated string (from an environment variable). */
const list = (item: z.ZodString) =>
  z.union([z.array(item), z.string()])
    .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : v))
    .pipe(z.array(item));

const glob = z.string().min(1, 'an empty pattern');
const labelSelector = z.string().regex(/^[^=\s][^=]*(=.*)?$/s, 'key or key=value');

export const logsConfigSchema = z.strictObject({
  /** Follow container logs at all. */
  enabled: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true').default(true),
  /** Container names (without the leading `/`) to follow; empty: all. Globs: `*`, `?`, `[abc]`. */
  include_names: list(glob).default([]),
  exclude_names: list(glob).default([]),
  /** Image references as the container was created with (`nginx:1.27`, `registry/app:*`). */
  include_images: list(glob).default([]),
  exclude_images: list(glob).default([]),
  /** `key=value` (the value may be a glob) or `key` (the label exists). */
  include_labels: list(labelSelector).default([]),
  exclude_labels: list(labelSelector).default([]),
  /** Longest line kept; the rest of a longer line is cut off and the event flagged `log.truncated`. */
  max_line_bytes: byteSize.pipe(z.number().int().min(1024, 'at least 1KiB').max(16 * 1024 * 1024, 'at most 16MiB')).default(256 * 1024),
  /** Containers followed at once; more wait for a free slot. */
  max_followers: z.number().int().min(1).default(500),
  /**
   * Where to start in containers already running on the very first start of the collector (no
   * stored state yet): `end` reads only what they log from now on, `beginning` everything they
   * kept. Later starts always resume from the stored positions.
   */
  initial_position: z.enum(['end', 'beginning']).default('end'),
  /** The collector's own container, never followed (default: detected from /proc/self/mountinfo). */
  self_container_id: z.string().regex(/^[0-9a-f]{12,64}$/, '12 to 64 hex digits').optional(),
});

export type LogsConfig = z.output<typeof logsConfigSchema>;
export type LogsConfigInput = z.input<typeof logsConfigSchema>;
