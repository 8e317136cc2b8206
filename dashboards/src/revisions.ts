import { createHash } from 'node:crypto';
import type { Dashboard } from './model.js';

// Grafana's `revision` tells an installed copy that a newer dashboard ships. It must change with every
// change of the content, so it is not written by hand: dashboards/revisions.lock records, per
// dashboard, the SHA-256 of its content (everything but `revision`) and the revision it got; the
// generator bumps the revision when the hash differs.

export interface RevisionEntry {
  revision: number;
  sha256: string;
}
export type Revisions = Record<string, RevisionEntry>;

/** JSON with object keys sorted, so the hash depends on the content, not on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of a dashboard's content: `revision` left out. */
export function contentHash(d: Dashboard): string {
  const { revision: _revision, ...content } = d;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/** The dashboard with its revision, and the record to keep: unchanged content keeps its revision, changed content gets the next one. */
export function assignRevision(d: Dashboard, previous: RevisionEntry | undefined): { dashboard: Dashboard; entry: RevisionEntry } {
  const sha256 = contentHash(d);
  const revision = previous === undefined ? 1 : previous.sha256 === sha256 ? previous.revision : previous.revision + 1;
  // `revision` right after the identity fields, where people look for it.
  const { uid, title, revision: _old, ...rest } = d;
  return { dashboard: { uid, title, revision, ...rest }, entry: { revision, sha256 } };
}
