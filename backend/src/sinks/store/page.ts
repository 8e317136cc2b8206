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

/** How a table's rows become items: the columns selected besides (seq, time), and the parse. */
export interface RowReader<T, R> {
  columns: string;
  item(row: R): T;
}

const bodyReader: RowReader<unknown, { body: string }> = { columns: 'body', item: (r) => JSON.parse(r.body) };

/** Newest-first keyset pagination over a table with (time, seq) columns; rows are read by `reader` (default: the JSON `body`). */
export function readPage<T, R = { body: string }>(db: DB, table: 'events' | 'alerts', req: PageRequest,
  reader = bodyReader as unknown as RowReader<T, R>): Page<T> {
  const where = [...req.where];
  if (req.cursor) {
    const pos = decodeCursor(req.cursor);
    if (!pos) throw new RangeError('cursor: not a cursor this API returned');
    where.push({ sql: '(time < ? OR (time = ? AND seq < ?))', params: [pos.time, pos.time, pos.seq] });
  }
  const sql = `SELECT seq, time, ${reader.columns} FROM ${table}${where.length ? ` WHERE ${where.map((w) => w.sql).join(' AND ')}` : ''} ORDER BY time DESC, seq DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...where.flatMap((w) => w.params), req.limit + 1) as (R & { seq: number; time: string })[];
  const more = rows.length > req.limit;
  const kept = more ? rows.slice(0, req.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map((r) => reader.item(r)),
    next_cursor: more && last ? encodeCursor({ time: last.time, seq: last.seq }) : null,
  };
}
