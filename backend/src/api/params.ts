import type { Request } from 'express';
import { z } from 'zod';
import { normalizeRfc3339, nanosToRfc3339 } from '../event/time.js';
import { parseDuration } from '../config/units.js';

/** A 400 with the name of the query parameter and what was wrong with it. */
export class BadRequest extends Error {
  readonly status = 400;
}

/**
 * Times in queries: RFC 3339 (`2026-01-02T03:04:05Z`) or a duration back from now (`15m`, `24h`, `7d`),
 * answered in the store's canonical form.
 */
export const timeParam = z.string().transform((v, ctx) => {
  const abs = normalizeRfc3339(v);
  if (abs) return abs;
  const ms = parseDuration(v);
  if (ms !== undefined) return nanosToRfc3339(BigInt(Date.now() - ms) * 1_000_000n);
  ctx.addIssue({ code: 'custom', message: 'expected an RFC 3339 time or a duration back from now such as 15m, 24h, 7d' });
  return z.NEVER;
});

export const limitParam = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** Validates `req.query` against a strict schema: an unknown or repeated parameter is an error too. */
export function parseQuery<S extends z.ZodObject>(schema: S, req: Request): z.output<S> {
  const query = req.query as Record<string, unknown>;
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v) || (typeof v === 'object' && v !== null)) throw new BadRequest(`query parameter '${k}': give it once, as a plain value`);
  }
  const r = z.strictObject(schema.shape).safeParse(query);
  if (r.success) return r.data as z.output<S>;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new BadRequest(`unknown query parameter '${issue.keys[0]}' (known: ${Object.keys(schema.shape).join(', ')})`);
  }
  throw new BadRequest(`query parameter '${issue.path.join('.')}': ${issue.message}`);
}
