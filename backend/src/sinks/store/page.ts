import type { DB } from './db.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface PageRequest {
  /** SQL conditions joined by AND, each with its parameters. */
  where: { sql: string; params: unknown[] }[];
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Newest-first keyset pagination over a table with (time, seq, body) columns. */
export function readPage<T>(db: DB, table: 'events' | 'alerts', req: PageRequest): Page<T> {
  const where = [...req.where];
  if (req.cursor) {
    const pos = decodeCursor(req.cursor);
    if (!pos) throw new RangeError('cursor: not a cursor this API returned');
    where.push({ sql: '(time < ? OR (time = ? AND seq < ?))', params: [pos.time, pos.time, pos.seq] });
  }
  const sql = `SELECT seq, time, body FROM ${table}${where.length ? ` WHERE ${where.map((w) => w.sql).join(' AND ')}` : ''} ORDER BY time DESC, seq DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...where.flatMap((w) => w.params), req.limit + 1) as { seq: number; time: string; body: string }[];
  const more = rows.length > req.limit;
  const kept = more ? rows.slice(0, req.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map((r) => JSON.parse(r.body) as T),
    next_cursor: more && last ? encodeCursor({ time: last.time, seq: last.seq }) : null,
  };
}
