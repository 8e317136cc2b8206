import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Alert, ShipEvent } from '../../../event/event.js';
import { nanosToRfc3339 } from '../../../event/time.js';
import { CollectorMetrics } from '../../../metrics/registry.js';
import { silentLogger } from '../../../util/log.js';
import { parseLokiConfig, type LokiConfigInput } from '../config.js';
import { LokiSink } from '../sink.js';

/** A WAL database in a fresh temporary directory, like the collector's store. */
export function tempDb(): { db: Database.Database; file: string; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipwatch-loki-'));
  const file = path.join(dir, 'shipwatch.db');
  const db = openDb(file);
  return {
    db,
    file,
    dir,
    cleanup: () => {
      try {
        if (db.open) db.close();
      } catch {
        // already closed
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function openDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

const BASE_NS = 1_700_000_000_123_456_789n;

/** A distinct event time with nanoseconds for index `i`. */
export function timeAt(i: number): string {
  return nanosToRfc3339(BASE_NS + BigInt(i) * 1_000_003n);
}

/** A container log-line event (`source=log`) of container `container`, message of `size` chars. */
export function logEvent(i: number, opts: { container?: string; stream?: string; message?: string; size?: number } = {}): ShipEvent {
  const message = opts.message ?? `line ${i} `.padEnd(opts.size ?? 60, 'x');
  return {
    event: { id: `ev-${i}`, time: timeAt(i), source: 'log', action: 'log' },
    host: { name: 'node-1' },
    container: { id: `c${opts.container ?? 'web'}0123456789`, name: opts.container ?? 'web', compose: { project: 'shop', service: opts.container ?? 'web' } },
    log: { stream: opts.stream ?? 'stdout', message, format: 'plain' },
    seq: i,
  };
}

export function dockerEvent(i: number, name = 'web'): ShipEvent {
  return {
    event: { id: `ev-${i}`, time: timeAt(i), source: 'docker', action: 'start' },
    host: { name: 'node-1' },
    container: { id: `id-${name}`, name: `/${name}`, image: 'nginx:1.27' },
    docker: { type: 'container', action: 'start', raw_action: 'start' },
    seq: i,
  };
}

export function k8sEvent(i: number): ShipEvent {
  return {
    event: { id: `ev-${i}`, time: timeAt(i), source: 'k8s_audit', action: 'exec' },
    k8s: { namespace: 'payments', pod: 'api-7d9f', verb: 'create' },
    seq: i,
  };
}

export function alertOf(ev: ShipEvent, i: number, level = 9): Alert {
  return {
    id: `al-${i}`,
    time: ev.event.time,
    rule: { id: 100200, level, description: 'Shell in container', groups: ['container_exec', 'shell'], mitre: ['T1059'] },
    severity: level >= 12 ? 'critical' : level >= 8 ? 'high' : level >= 4 ? 'medium' : 'low',
    count: 1,
    event: ev,
  };
}

/** Commits events/alerts the way the store does: one transaction calling the hook. */
export function commit(db: Database.Database, sink: LokiSink, events: ShipEvent[], alerts: Alert[] = []): void {
  db.transaction(() => sink.onCommit({ events, alerts, checkpoints: [] }))();
}

/** Commits in transactions of `per` events. */
export function commitMany(db: Database.Database, sink: LokiSink, events: ShipEvent[], per = 500): void {
  for (let i = 0; i < events.length; i += per) commit(db, sink, events.slice(i, i + per));
}

/** Test settings: fast batches and backoff. */
export function makeSink(db: Database.Database, cfg: LokiConfigInput, metrics = new CollectorMetrics()): LokiSink {
  return new LokiSink(db, parseLokiConfig({ batch_wait_ms: 20, min_backoff_ms: 10, max_backoff_ms: 100, timeout_ms: 2000, ...cfg }), {
    metrics,
    log: silentLogger(),
    hostName: 'collector-host',
  });
}

export async function waitUntil(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function metricValue(metrics: CollectorMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  let sum = 0;
  for (const v of data.values) {
    const l = v.labels as Record<string, string | number>;
    if (Object.entries(labels).every(([k, want]) => String(l[k]) === want)) sum += v.value;
  }
  return sum;
}
