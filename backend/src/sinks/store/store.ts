import type { Alert, Checkpoint, ShipEvent } from '../../event/event.js';
import { eventJson } from '../../event/json.js';
import { nanosToRfc3339 } from '../../event/time.js';
import type { Batch, CommitHook, EncodedBatch } from '../../pipeline/batch.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import { openDatabase, type DB } from './db.js';
import { Inventory, type InventoryContainer } from './inventory.js';
import { readPage, type Page, type RowReader } from './page.js';

export interface StoreOptions {
  path: string;
  maxAgeMs: number;
  maxBytes: number;
  metrics: CollectorMetrics;
  /**
   * Sources whose events are kept in the events table (all when unset). The others still reach
   * the commit hooks (Loki) and their alerts are stored with a copy of the event inside.
   */
  eventSources?: ReadonlySet<string>;
}

export interface EventQuery {
  source?: string;
  container?: string;
  since?: string;
  until?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export interface AlertQuery {
  since?: string;
  until?: string;
  min_level?: number;
  severity?: string[];
  rule_id?: number;
  group?: string;
  container?: string;
  limit: number;
  cursor?: string;
}

/**
 * The embedded store: events, alerts, source positions and the container inventory in one SQLite
 * database. `commit` is the only writer on the hot path; everything in a batch lands together.
 */
export class Store {
  readonly db: DB;
  readonly inventory: Inventory;
  private readonly hooks: CommitHook[] = [];
  private readonly insertEvent;
  private readonly insertAlert;
  private readonly inlineAlert;
  private readonly putPosition;
  private readonly getPosition;
  private readonly delPosition;
  private readonly positionKeysStmt;
  private readonly commitTx;
  private storedBytes = 0;
  private rows = { events: 0, alerts: 0 };

  constructor(private readonly opts: StoreOptions) {
    this.db = openDatabase(opts.path);
    this.inventory = new Inventory(this.db);
    this.insertEvent = this.db.prepare(`INSERT INTO events (id, time, source, action, container_id, container_name, body, size)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertAlert = this.db.prepare(`INSERT INTO alerts (id, time, rule_id, level, severity, groups, container_name, event_seq, body, size)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.inlineAlert = this.db.prepare('UPDATE alerts SET body = ?, size = ?, event_seq = NULL WHERE seq = ?');
    this.putPosition = this.db.prepare(`INSERT INTO positions (key, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    this.getPosition = this.db.prepare('SELECT value FROM positions WHERE key = ?');
    this.delPosition = this.db.prepare('DELETE FROM positions WHERE key = ?');
    this.positionKeysStmt = this.db.prepare('SELECT key FROM positions WHERE substr(key, 1, ?) = ? ORDER BY key');
    this.commitTx = this.db.transaction((batch: Batch) => this.write(batch));
    this.storedBytes = this.measureBytes();
    this.rows = this.countRows();
  }

  private countRows(): { events: number; alerts: number } {
    return this.db.prepare('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM alerts) AS alerts').get() as { events: number; alerts: number };
  }

  private measureBytes(): number {
    return (this.db.prepare('SELECT (SELECT total(size) FROM events) + (SELECT total(size) FROM alerts) AS n').get() as { n: number }).n;
  }

  addHook(hook: CommitHook): void {
    this.hooks.push(hook);
  }

  commit(batch: Batch): void {
    const end = this.opts.metrics.storeWriteSeconds.startTimer();
    try {
      this.commitTx(batch);
    } catch (err) {
      this.inventory.reload();
      this.storedBytes = this.measureBytes();
      this.rows = this.countRows();
      throw err;
    } finally {
      end();
    }
  }

  private write(batch: Batch): void {
    const encoded: EncodedBatch = { events: new Array<string | undefined>(batch.events.length), alerts: new Array<string>(batch.alerts.length) };
    const keep = this.opts.eventSources;
    // By identity: the alerts of a batch hold the very event objects of that batch. Most batches
    // raise no alert, and then need no map.
    const written = batch.alerts.length > 0 ? new Map<ShipEvent, { json: string; seq: number | null }>() : undefined;
    const alerted = batch.alerts.length > 0 ? new Set(batch.alerts.map((a) => a.event)) : undefined;
    batch.events.forEach((ev, i) => {
      const stored = !keep || keep.has(ev.event.source);
      // An event the store does not keep (log lines when Loki has them) and no alert quotes needs
      // no JSON here: Loki sends a log line as it is. Serializing it anyway cost about half of
      // the commit of a container's log lines.
      if (!stored && !alerted?.has(ev)) return;
      const body = eventJson(ev);
      encoded.events[i] = body;
      let seq: number | null = null;
      if (stored) {
        const c = ev.container as { id?: string; name?: string } | undefined;
        seq = Number(this.insertEvent.run(ev.event.id, ev.event.time, ev.event.source, ev.event.action, c?.id ?? null, c?.name ?? null, body, body.length).lastInsertRowid);
        this.storedBytes += body.length;
        this.rows.events += 1;
        this.inventory.apply(ev);
      }
      written?.set(ev, { json: body, seq });
    });
    batch.alerts.forEach((a, i) => {
      const ev = written?.get(a.event);
      let full = '';
      let body = '';
      if (ev) {
        // Serialized without its event (undefined members are left out); the event's JSON is
        // joined back for the hooks, and for the row when the event has no row to refer to.
        const own = JSON.stringify({ ...a, event: undefined });
        full = withEvent(own, ev.json);
        body = ev.seq === null ? full : own;
      } else {
        full = body = JSON.stringify(a);
      }
      encoded.alerts[i] = full;
      const c = a.event.container as { name?: string } | undefined;
      this.insertAlert.run(a.id, a.time, a.rule.id, a.rule.level, a.severity, JSON.stringify(a.rule.groups), c?.name ?? null, ev?.seq ?? null, body, body.length);
      this.storedBytes += body.length;
      this.rows.alerts += 1;
    });
    for (const cp of batch.checkpoints) this.savePosition(cp);
    for (const hook of this.hooks) hook.onCommit(batch, encoded);
  }

  /** First start on an engine: what already exists, and the position to follow from, together. */
  seedInventory(rows: InventoryContainer[], checkpoint: Checkpoint): void {
    this.db.transaction(() => {
      this.inventory.seed(rows);
      this.savePosition(checkpoint);
    })();
  }

  savePosition(cp: Checkpoint): void {
    this.putPosition.run(cp.key, cp.value, new Date().toISOString());
  }

  position(key: string): string | undefined {
    return (this.getPosition.get(key) as { value: string } | undefined)?.value;
  }

  /** Forgets a position (what it tracked is gone: a removed container, a deleted file). */
  deletePosition(key: string): void {
    this.delPosition.run(key);
  }

  /** Keys of the stored positions that start with `prefix` (taken literally, no wildcards). */
  positionKeys(prefix: string): string[] {
    return (this.positionKeysStmt.all(prefix.length, prefix) as { key: string }[]).map((r) => r.key);
  }

  events(q: EventQuery): Page<ShipEvent> {
    const where: { sql: string; params: unknown[] }[] = [];
    if (q.source) where.push({ sql: 'source = ?', params: [q.source] });
    if (q.container) where.push({ sql: '(container_name = ? OR container_id = ?)', params: [q.container, q.container] });
    if (q.since) where.push({ sql: 'time >= ?', params: [q.since] });
    if (q.until) where.push({ sql: 'time < ?', params: [q.until] });
    // Case-insensitive substring over the whole JSON body: a search box, not a query language.
    if (q.q) where.push({ sql: 'instr(lower(body), lower(?)) > 0', params: [q.q] });
    return readPage<ShipEvent>(this.db, 'events', { where, limit: q.limit, cursor: q.cursor });
  }

  alerts(q: AlertQuery): Page<Alert> {
    return readPage(this.db, 'alerts', { where: alertWhere(q), limit: q.limit, cursor: q.cursor }, alertReader);
  }

  alertStats(q: { since?: string }): Record<string, unknown> {
    const where = alertWhere({ since: q.since, limit: 0 });
    const cond = where.length ? `WHERE ${where.map((w) => w.sql).join(' AND ')}` : '';
    const params = where.flatMap((w) => w.params);
    // The alias is not `key`: json_each has a column of that name, which GROUP BY would pick.
    const by = (expr: string, from = 'alerts') =>
      this.db.prepare(`SELECT ${expr} AS k, count(*) AS n FROM ${from} ${cond} GROUP BY k ORDER BY n DESC, k LIMIT 100`).all(...params)
        .map((r) => ({ key: (r as { k: string | number | null }).k, count: (r as { n: number }).n }));
    const total = (this.db.prepare(`SELECT count(*) AS n FROM alerts ${cond}`).get(...params) as { n: number }).n;
    const severity = Object.fromEntries(['low', 'medium', 'high', 'critical'].map((s) => [s, 0]));
    for (const r of by('severity')) severity[String(r.key)] = r.count;
    return {
      total,
      by_severity: severity,
      by_rule: by('rule_id').map((r) => ({ rule_id: r.key, count: r.count })),
      by_group: by('g.value', 'alerts, json_each(alerts.groups) AS g').map((r) => ({ group: r.key, count: r.count })),
      by_container: by('container_name').filter((r) => r.key !== null).map((r) => ({ container: r.key, count: r.count })),
    };
  }

  /** Deletes what is older than the age limit, then the oldest rows until under the size limit. */
  enforceRetention(nowMs = Date.now()): { deleted: number } {
    const cutoff = nanosToRfc3339(BigInt(nowMs - this.opts.maxAgeMs) * 1_000_000n);
    let deleted = 0;
    const drop = this.db.transaction((table: 'events' | 'alerts', sql: string, ...params: unknown[]) => {
      // The rows chosen once, as a JSON list, for the copy into alerts and the DELETE alike.
      const seqs = JSON.stringify(this.db.prepare(sql).pluck().all(...params));
      if (table === 'events') this.inlineEvents(seqs);
      const rows = this.db.prepare(`DELETE FROM ${table} WHERE seq IN (SELECT value FROM json_each(?)) RETURNING size`).all(seqs) as { size: number }[];
      for (const r of rows) this.storedBytes -= r.size;
      this.rows[table] -= rows.length;
      deleted += rows.length;
      return rows.length;
    });
    for (const table of ['events', 'alerts'] as const) {
      while (drop(table, `SELECT seq FROM ${table} WHERE time < ? LIMIT 5000`, cutoff) === 5000);
    }
    // Events go first; alerts only once no event is left to drop.
    for (const table of ['events', 'alerts'] as const) {
      while (this.storedBytes > this.opts.maxBytes) {
        const { rows, bytes } = this.db.prepare(`SELECT count(*) AS rows, total(size) AS bytes FROM ${table}`).get() as { rows: number; bytes: number };
        if (rows === 0) break;
        const chunk = Math.min(5000, Math.max(1, Math.ceil((this.storedBytes - this.opts.maxBytes) / (bytes / rows))));
        drop(table, `SELECT seq FROM ${table} ORDER BY seq LIMIT ${chunk}`);
      }
    }
    if (deleted > 0) this.opts.metrics.dropsTotal.inc({ stage: 'store', reason: 'retention' }, deleted);
    return { deleted };
  }

  /** Copies the events about to be deleted (`seqs`, a JSON list) into the alerts that refer to them. */
  private inlineEvents(seqs: string): void {
    const refs = this.db.prepare(`SELECT a.seq, a.body, e.body AS event FROM alerts AS a JOIN events AS e ON e.seq = a.event_seq
      WHERE a.event_seq IN (SELECT value FROM json_each(?))`).all(seqs) as { seq: number; body: string; event: string }[];
    for (const r of refs) {
      const body = withEvent(r.body, r.event);
      this.inlineAlert.run(body, body.length, r.seq);
      this.storedBytes += body.length - r.body.length;
    }
  }

  get bytes(): number {
    return this.storedBytes;
  }

  counts(): { events: number; alerts: number } {
    return { ...this.rows };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The JSON of an alert from the JSON of the alert without its event and of the event. */
function withEvent(alertJson: string, eventJson: string): string {
  return `${alertJson.length > 2 ? `${alertJson.slice(0, -1)},` : '{'}"event":${eventJson}}`;
}

const alertReader: RowReader<Alert, { body: string; event: string | null }> = {
  // A subquery, not a join: the alert filters name columns that the events table has too.
  columns: 'body, (SELECT body FROM events WHERE events.seq = alerts.event_seq) AS event',
  item: (r) => JSON.parse(r.event === null ? r.body : withEvent(r.body, r.event)) as Alert,
};

function alertWhere(q: AlertQuery): { sql: string; params: unknown[] }[] {
  const where: { sql: string; params: unknown[] }[] = [];
  if (q.since) where.push({ sql: 'time >= ?', params: [q.since] });
  if (q.until) where.push({ sql: 'time < ?', params: [q.until] });
  if (q.min_level !== undefined) where.push({ sql: 'level >= ?', params: [q.min_level] });
  if (q.severity?.length) where.push({ sql: `severity IN (${q.severity.map(() => '?').join(',')})`, params: q.severity });
  if (q.rule_id !== undefined) where.push({ sql: 'rule_id = ?', params: [q.rule_id] });
  if (q.group) where.push({ sql: 'EXISTS (SELECT 1 FROM json_each(alerts.groups) WHERE value = ?)', params: [q.group] });
  if (q.container) where.push({ sql: 'container_name = ?', params: [q.container] });
  return where;
}
