import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type DB = Database.Database;

// Each entry moves the schema one version up; never edit an entry that has shipped.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    time TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    container_id TEXT,
    container_name TEXT,
    body TEXT NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE INDEX events_time ON events (time, seq);
  CREATE INDEX events_source_time ON events (source, time, seq);
  CREATE INDEX events_container_time ON events (container_name, time, seq);

  CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    rule_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    severity TEXT NOT NULL,
    groups TEXT NOT NULL,
    container_name TEXT,
    body TEXT NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE INDEX alerts_time ON alerts (time, seq);
  CREATE INDEX alerts_rule_time ON alerts (rule_id, time, seq);
  CREATE INDEX alerts_level_time ON alerts (level, time, seq);
  CREATE INDEX alerts_container_time ON alerts (container_name, time, seq);

  CREATE TABLE positions (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT,
    image TEXT,
    image_id TEXT,
    state TEXT NOT NULL,
    health TEXT,
    exit_code INTEGER,
    created_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    posture TEXT NOT NULL DEFAULT '{}',
    updated_time TEXT NOT NULL
  );
  `,
  // An alert raised by a stored event refers to its row (event_seq) instead of carrying a copy of
  // it in its body: every event's JSON is then written once. Older alerts keep their full body
  // (event_seq NULL). No FOREIGN KEY: retention copies the event back into the alert before
  // deleting it (Store.enforceRetention), and a constraint check would cost every insert.
  // The container indexes become partial: most events (audit, logs) have no container, and the
  // NULL entries cost each insert without ever answering a `container_name = ?` query.
  `
  ALTER TABLE alerts ADD COLUMN event_seq INTEGER;
  CREATE INDEX alerts_event ON alerts (event_seq) WHERE event_seq IS NOT NULL;
  DROP INDEX events_container_time;
  CREATE INDEX events_container_time ON events (container_name, time, seq) WHERE container_name IS NOT NULL;
  DROP INDEX alerts_container_time;
  CREATE INDEX alerts_container_time ON alerts (container_name, time, seq) WHERE container_name IS NOT NULL;
  `,
];

/** Opens (creating when needed) the store database and brings its schema up to date. */
export function openDatabase(dir: string): DB {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dir, 'shipwatch.db'));
  // 16 KiB pages for a new database (an existing one keeps its size): events of a few KiB (audit
  // events, alerts carrying them) then fit in one page instead of a chain of overflow pages, which
  // cut the store's CPU per 4 KiB row by about 40% (measured). Must precede WAL mode.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a killed process (not a power cut) and keeps commits cheap.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoint the WAL every ~64 MiB (4,096 pages of 16 KiB) instead of the default 1,000 pages:
  // each checkpoint syncs, and at tens of thousands of events a second the default makes the
  // syncs cost more than the writes.
  db.pragma(`wal_autocheckpoint = ${Math.ceil((64 << 20) / (db.pragma('page_size', { simple: true }) as number))}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`store schema version ${current} is newer than this collector knows (${MIGRATIONS.length}): upgrade the collector`);
  }
  for (let v = current; v < MIGRATIONS.length; v += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
