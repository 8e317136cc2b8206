import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { newEventId, severityOf, type Alert, type ShipEvent } from '../../event/event.js';
import { nanosToRfc3339 } from '../../event/time.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import { MIGRATIONS } from './db.js';
import { Store } from './store.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sws-unit-'));
const at = (ms: number) => nanosToRfc3339(BigInt(ms) * 1_000_000n);
const T0 = Date.UTC(2026, 5, 1);

function ev(ms: number, action: string, container?: { id: string; name: string; [k: string]: unknown }, source: ShipEvent['event']['source'] = 'docker'): ShipEvent {
  return { event: { id: newEventId(), time: at(ms), source, action }, ...(container ? { container, docker: { type: 'container', action } } : {}) };
}
function alert(e: ShipEvent, ruleId: number, level: number, groups: string[]): Alert {
  return { id: newEventId(), time: e.event.time, rule: { id: ruleId, level, description: 'd', groups, mitre: [] }, severity: severityOf(level), count: 1, event: e };
}
function open(dir = tmp(), maxBytes = 1e9, maxAgeMs = 7 * 86_400_000) {
  return new Store({ path: dir, maxAgeMs, maxBytes, metrics: new CollectorMetrics() });
}

describe('Store', () => {
  it('lists positions by a literal prefix and forgets one', () => {
    const s = open();
    for (const key of ['docker.logs.aaa', 'docker.logs.bbb', 'dockerXlogs.ccc', 'docker.events', 'k8s.pods.x']) s.savePosition({ key, value: '1' });
    // '.' and '_' are no wildcards here (LIKE would take '_' as one).
    assert.deepEqual(s.positionKeys('docker.logs.'), ['docker.logs.aaa', 'docker.logs.bbb']);
    s.deletePosition('docker.logs.aaa');
    assert.equal(s.position('docker.logs.aaa'), undefined);
    assert.deepEqual(s.positionKeys('docker.'), ['docker.events', 'docker.logs.bbb']);
    assert.deepEqual(s.positionKeys('none.'), []);
    s.close();
  });

  it('pages newest first with stable cursors, even through equal times', () => {
    const s = open();
    const events = Array.from({ length: 25 }, (_, i) => ev(T0 + Math.floor(i / 5), 'start'));
    s.commit({ events, alerts: [], checkpoints: [] });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = s.events({ limit: 7, cursor });
      seen.push(...page.items.map((e) => e.event.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    const times = seen.map((id) => events.find((e) => e.event.id === id)!.event.time);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.throws(() => s.events({ limit: 5, cursor: 'bogus' }), /cursor/);
    s.close();
  });

  it('filters events by source, container, time range and text', () => {
    const s = open();
    s.commit({
      events: [ev(T0, 'start', { id: 'c1', name: 'web' }), ev(T0 + 1000, 'die', { id: 'c2', name: 'db' }), ev(T0 + 2000, 'create', undefined, 'kubernetes')],
      alerts: [], checkpoints: [],
    });
    assert.deepEqual(s.events({ limit: 10, source: 'docker' }).items.map((e) => e.event.action), ['die', 'start']);
    assert.deepEqual(s.events({ limit: 10, container: 'web' }).items.map((e) => e.event.action), ['start']);
    assert.deepEqual(s.events({ limit: 10, container: 'c2' }).items.map((e) => e.event.action), ['die']);
    assert.deepEqual(s.events({ limit: 10, since: at(T0 + 500), until: at(T0 + 1500) }).items.map((e) => e.event.action), ['die']);
    assert.deepEqual(s.events({ limit: 10, q: '"NAME":"DB"' }).items.map((e) => e.event.action), ['die'], 'case-insensitive substring of the JSON');
    s.close();
  });

  it('filters alerts and counts them by severity, rule, group and container', () => {
    const s = open();
    const e1 = ev(T0, 'exec_start', { id: 'c1', name: 'web' });
    const e2 = ev(T0 + 1, 'start', { id: 'c2', name: 'db' });
    s.commit({ events: [e1, e2], alerts: [alert(e1, 100200, 12, ['container_exec', 'shell']), alert(e2, 100300, 5, ['container_lifecycle']), alert(e1, 100200, 12, ['container_exec', 'shell'])], checkpoints: [] });
    assert.equal(s.alerts({ limit: 10, group: 'shell' }).items.length, 2);
    assert.equal(s.alerts({ limit: 10, min_level: 6 }).items.length, 2);
    assert.equal(s.alerts({ limit: 10, severity: ['medium'] }).items.length, 1);
    assert.equal(s.alerts({ limit: 10, rule_id: 100300, container: 'db' }).items.length, 1);
    assert.equal(s.alerts({ limit: 10, container: 'nope' }).items.length, 0);
    const stats = s.alertStats({});
    assert.deepEqual(stats, {
      total: 3,
      by_severity: { low: 0, medium: 1, high: 0, critical: 2 },
      by_rule: [{ rule_id: 100200, count: 2 }, { rule_id: 100300, count: 1 }],
      by_group: [{ group: 'container_exec', count: 2 }, { group: 'shell', count: 2 }, { group: 'container_lifecycle', count: 1 }],
      by_container: [{ container: 'web', count: 2 }, { container: 'db', count: 1 }],
    });
    s.close();
  });

  it('commits events, positions and the inventory together, and keeps them across a reopen', () => {
    const dir = tmp();
    const s = open(dir);
    s.commit({ events: [ev(T0, 'create', { id: 'c1', name: 'web', privileged: true }), ev(T0 + 5, 'start', { id: 'c1', name: 'web' })], alerts: [], checkpoints: [{ key: 'k', value: 'v1' }] });
    assert.throws(() => s.commit({ events: [ev(T0 + 9, 'die', { id: 'c1', name: 'web', exit_code: 1 })], alerts: [{} as Alert], checkpoints: [{ key: 'k', value: 'v2' }] }));
    s.close();
    const again = open(dir);
    assert.equal(again.position('k'), 'v1', 'the failed batch left no position behind');
    assert.equal(again.counts().events, 2, 'nor its event');
    const [c] = again.inventory.list();
    assert.equal(c?.state, 'running');
    assert.equal(c?.posture.privileged, true);
    assert.equal(c?.started_at, at(T0 + 5));
    again.commit({ events: [ev(T0 + 2, 'pause', { id: 'c1', name: 'web' })], alerts: [], checkpoints: [] });
    assert.equal(again.inventory.get('c1')?.state, 'running', 'an older event never rolls the state back');
    again.commit({ events: [ev(T0 + 20, 'die', { id: 'c1', name: 'web', exit_code: 3 }), ev(T0 + 21, 'rename', { id: 'c1', name: 'api' })], alerts: [], checkpoints: [] });
    assert.deepEqual([again.inventory.get('c1')?.state, again.inventory.get('c1')?.exit_code, again.inventory.get('c1')?.name], ['exited', 3, 'api']);
    again.commit({ events: [ev(T0 + 30, 'destroy', { id: 'c1', name: 'api' })], alerts: [], checkpoints: [] });
    assert.equal(again.inventory.get('c1'), undefined);
    again.close();
  });

  it('enforces retention by age and by size, oldest first, and counts it', () => {
    const now = T0 + 10 * 86_400_000;
    const s = open(tmp(), 20_000, 7 * 86_400_000);
    s.commit({ events: [ev(T0, 'old')], alerts: [], checkpoints: [] });
    s.commit({ events: Array.from({ length: 200 }, (_, i) => ev(now - 1000 + i, 'new')), alerts: [], checkpoints: [] });
    const before = s.bytes;
    const { deleted } = s.enforceRetention(now);
    assert.ok(deleted > 1);
    assert.ok(s.bytes <= 20_000, `${s.bytes} bytes left`);
    assert.ok(s.bytes < before);
    const left = s.events({ limit: 1000 }).items;
    assert.ok(left.every((e) => e.event.action === 'new'), 'the old one went by age');
    const times = left.map((e) => e.event.time).sort();
    assert.equal(times[times.length - 1], at(now - 1000 + 199), 'the newest are kept');
    s.close();
  });

  it('keeps only the configured sources in the events table, and still hands every event to the hooks', () => {
    const s = new Store({ path: tmp(), maxAgeMs: 86_400_000, maxBytes: 1e9, metrics: new CollectorMetrics(), eventSources: new Set(['docker']) });
    const seen: string[] = [];
    const jsonOf: Array<string | null> = [];
    s.addHook({
      name: 'probe',
      onCommit: (b, encoded) => {
        seen.push(...b.events.map((e) => e.event.source));
        jsonOf.push(...Array.from(encoded?.events ?? [], (j) => (j === undefined ? null : (JSON.parse(j) as ShipEvent).event.source)));
      },
    });
    const logEv = ev(T0, 'log', undefined, 'log');
    const quiet = ev(T0, 'log', undefined, 'log');
    s.commit({ events: [ev(T0, 'start', { id: 'c1', name: 'web' }), logEv, ev(T0, 'sample', undefined, 'metric'), quiet], alerts: [alert(logEv, 110001, 7, ['web_attack'])], checkpoints: [] });
    assert.deepEqual(s.events({ limit: 10 }).items.map((e) => e.event.source), ['docker']);
    assert.deepEqual(s.counts(), { events: 1, alerts: 1 });
    assert.equal(s.alerts({ limit: 1 }).items[0]?.event.event.source, 'log', 'the alert keeps its event');
    assert.deepEqual(seen, ['docker', 'log', 'metric', 'log']);
    // JSON is made for what is stored or quoted by an alert; the hooks serialize the rest if they need it.
    assert.deepEqual(jsonOf, ['docker', 'log', null, null]);
    s.close();
  });

  it('writes an alert\'s event once, and reads the alert back and hands it to the hooks as it was raised', () => {
    const s = open();
    const encoded: string[] = [];
    s.addHook({ name: 'probe', onCommit: (_b, enc) => encoded.push(...(enc?.alerts ?? [])) });
    const e1 = ev(T0, 'exec_start', { id: 'c1', name: 'web' });
    const e2 = { ...ev(T0 + 1, 'create', undefined, 'k8s_audit'), k8s: { verb: 'create', audit: { verb: 'create', user: { username: 'alice' } } } };
    const stray = ev(T0 + 2, 'start', { id: 'c2', name: 'db' }); // not in the batch: its alert carries it
    const alerts = [alert(e1, 100200, 12, ['shell']), alert(e2, 100400, 7, ['k8s']), alert(stray, 100300, 5, ['lifecycle'])];
    s.commit({ events: [e1, e2], alerts, checkpoints: [] });
    assert.deepEqual(s.alerts({ limit: 10 }).items, [...alerts].reverse());
    assert.deepEqual(encoded, alerts.map((a) => JSON.stringify(a)));
    const rows = s.db.prepare('SELECT body, event_seq FROM alerts ORDER BY seq').all() as { body: string; event_seq: number | null }[];
    assert.deepEqual(rows.map((r) => r.event_seq === null), [false, false, true]);
    assert.ok(!rows[0]!.body.includes(e1.event.id), 'the stored alert does not repeat its event');
    assert.deepEqual(s.alerts({ limit: 10, container: 'web' }).items, [alerts[0]]);
    s.close();
  });

  it('copies an event into its alerts before retention deletes it', () => {
    const now = T0 + 10 * 86_400_000;
    const s = open(tmp(), 1e9, 7 * 86_400_000);
    const old = ev(T0, 'exec_start', { id: 'c1', name: 'web' });
    const a = { ...alert(old, 100200, 12, ['shell']), time: at(now - 1000) };
    s.commit({ events: [old, ev(now - 1000, 'start')], alerts: [a], checkpoints: [] });
    assert.equal(s.enforceRetention(now).deleted, 1);
    assert.deepEqual(s.events({ limit: 10 }).items.map((e) => e.event.action), ['start']);
    assert.deepEqual(s.alerts({ limit: 10 }).items, [a]);
    const row = s.db.prepare('SELECT body, size, event_seq FROM alerts').get() as { body: string; size: number; event_seq: number | null };
    assert.equal(row.event_seq, null);
    assert.equal(row.size, row.body.length);
    assert.equal(s.bytes, (s.db.prepare('SELECT (SELECT total(size) FROM events) + (SELECT total(size) FROM alerts) AS n').get() as { n: number }).n);
    s.close();
  });

  it('migrates a version 1 database, whose alerts carry their event, and keeps its rows readable', () => {
    const dir = tmp();
    const e1 = ev(T0, 'exec_start', { id: 'c1', name: 'web' });
    const a1 = alert(e1, 100200, 12, ['shell']);
    const v1 = new Database(path.join(dir, 'shipwatch.db'));
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO events (id, time, source, action, container_id, container_name, body, size) VALUES (?, ?, 'docker', ?, 'c1', 'web', ?, ?)`)
      .run(e1.event.id, e1.event.time, e1.event.action, JSON.stringify(e1), JSON.stringify(e1).length);
    v1.prepare(`INSERT INTO alerts (id, time, rule_id, level, severity, groups, container_name, body, size) VALUES (?, ?, ?, ?, ?, '["shell"]', 'web', ?, ?)`)
      .run(a1.id, a1.time, a1.rule.id, a1.rule.level, a1.severity, JSON.stringify(a1), JSON.stringify(a1).length);
    v1.close();
    const s = open(dir);
    assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    const e2 = ev(T0 + 1, 'start', { id: 'c1', name: 'web' });
    const a2 = alert(e2, 100300, 5, ['lifecycle']);
    s.commit({ events: [e2], alerts: [a2], checkpoints: [] });
    assert.deepEqual(s.alerts({ limit: 10, container: 'web' }).items, [a2, a1]);
    assert.deepEqual(s.events({ limit: 10, container: 'web' }).items, [e2, e1]);
    assert.deepEqual(s.counts(), { events: 2, alerts: 2 });
    const plan = (sql: string) => (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('web') as { detail: string }[]).map((r) => r.detail).join(' | ');
    assert.match(plan('SELECT seq FROM alerts WHERE container_name = ? ORDER BY time DESC, seq DESC'), /USING (COVERING )?INDEX alerts_container_time/);
    assert.match(plan('SELECT seq FROM events WHERE container_name = ? ORDER BY time DESC, seq DESC'), /USING (COVERING )?INDEX events_container_time/);
    s.close();
  });
});
