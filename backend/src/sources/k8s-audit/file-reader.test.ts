import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ShipEvent } from '../../event/event.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { Store } from '../../sinks/store/store.js';
import { silentLogger } from '../../util/log.js';
import { AuditLogReader, parseAuditFilePosition, type AuditLogReaderOptions } from './file-reader.js';
import { auditEvent } from './testdata.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-auditlog-'));
  dirs.push(d);
  return d;
}

/** A collector's worth of store + pipeline + reader on `logPath`; `open` again on the same dir is a restart. */
function open(storeDir: string, logPath: string, o: Partial<AuditLogReaderOptions> = {}) {
  const metrics = new CollectorMetrics();
  const store = new Store({ path: storeDir, maxAgeMs: 1e13, maxBytes: 1e10, metrics });
  const pipeline = new Pipeline({ store, metrics, log: silentLogger() });
  // pollMs large: the tests drive poll() themselves.
  const reader = new AuditLogReader({ path: logPath, emitter: pipeline, store, metrics, log: silentLogger(), hostName: 'node-1', pollMs: 3_600_000, ...o });
  return {
    store, metrics, reader,
    /** Starts the reader (once) and reads what the file holds now. */
    read: async () => {
      reader.start();
      await reader.poll();
    },
    ids: () => store.events({ source: 'k8s_audit', limit: 1000 }).items.reverse().map((e: ShipEvent) => (e.k8s as { audit: { auditID: string } }).audit.auditID),
    position: () => parseAuditFilePosition(store.position(reader.key)),
    close: async () => {
      await reader.stop();
      store.close();
    },
  };
}

type Ev = Record<string, unknown> & { auditID: string };
const ev = (): Ev => auditEvent(['pod_create', 'exec', 'secret_get', 'rbac_binding'][Math.floor(Math.random() * 4)] as 'exec') as Ev;
const lines = (evs: Ev[]) => evs.map((e) => `${JSON.stringify(e)}\n`).join('');
const ids = (evs: Ev[]) => evs.map((e) => e.auditID);

async function malformed(m: CollectorMetrics): Promise<number> {
  const v = await m.malformedTotal.get();
  return v.values.filter((x) => x.labels.source === 'k8s_audit').reduce((a, x) => a + x.value, 0);
}

describe('AuditLogReader', () => {
  it('reads what is appended, and stores the position with the events', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev(), ev()];
    fs.writeFileSync(log, lines(a));
    const c = open(path.join(d, 'store'), log);
    await c.read();
    assert.deepEqual(c.ids(), ids(a));
    const b = [ev(), ev()];
    fs.appendFileSync(log, lines(b));
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, ...b]));
    const pos = c.position()!;
    assert.equal(pos.offset, fs.statSync(log).size);
    assert.equal(pos.ino, String(fs.statSync(log, { bigint: true }).ino));
    assert.equal(c.reader.key, `k8s.audit.file:${log}`);
    const st = c.reader.status();
    assert.equal(st.state, 'following');
    assert.equal(st.events, 5);
    const e = c.store.events({ source: 'k8s_audit', limit: 1 }).items[0]!;
    assert.equal(e.event.source, 'k8s_audit');
    assert.equal(e.host?.name, 'node-1');
    await c.close();
  });

  it('does not take a partial last line until its newline arrives', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const [e1, e2] = [ev(), ev()];
    const text2 = JSON.stringify(e2);
    fs.writeFileSync(log, `${JSON.stringify(e1)}\n${text2.slice(0, 100)}`);
    const c = open(path.join(d, 'store'), log);
    await c.read();
    assert.deepEqual(c.ids(), [e1.auditID]);
    assert.equal(c.position()!.offset, Buffer.byteLength(`${JSON.stringify(e1)}\n`));
    fs.appendFileSync(log, text2.slice(100));
    await c.reader.poll();
    assert.deepEqual(c.ids(), [e1.auditID]);
    fs.appendFileSync(log, '\r\n');
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([e1, e2]));
    assert.equal(await malformed(c.metrics), 0);
    await c.close();
  });

  it('counts and skips bad lines, keeping the good ones around them', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const [a, b, x] = [ev(), ev(), ev()];
    fs.writeFileSync(log, `${JSON.stringify(a)}\nnot json at all\n{"kind": 0}\n\n   \n${JSON.stringify(b)}\n{"kind":"Event","verb":"get"}\n${JSON.stringify(x)}\n`);
    const c = open(path.join(d, 'store'), log);
    await c.read();
    assert.deepEqual(c.ids(), ids([a, b, x]));
    assert.equal(await malformed(c.metrics), 3);
    assert.equal(c.reader.status().bad_lines, 3);
    await c.close();
  });

  it('skips a line longer than the limit, counted, and goes on after it', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const [a, b] = [ev(), ev()];
    const long = { ...ev(), padding: 'x'.repeat(20_000) };
    fs.writeFileSync(log, `${JSON.stringify(a)}\n${JSON.stringify(long)}\n${JSON.stringify(b)}\n`);
    const c = open(path.join(d, 'store'), log, { maxLineBytes: 8192, readChunkBytes: 4096 });
    await c.read();
    assert.deepEqual(c.ids(), ids([a, b]));
    assert.equal(await malformed(c.metrics), 1);
    await c.close();
  });

  it('follows a rotation by rename: the rest of the old file, then the new one', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev()];
    fs.writeFileSync(log, lines(a));
    const c = open(path.join(d, 'store'), log);
    await c.read();
    // The writer renames, writes a last line to the old file, then opens a new one.
    fs.renameSync(log, path.join(d, 'audit-2026-01-01T12-00-00.000.log'));
    const late = ev();
    fs.appendFileSync(path.join(d, 'audit-2026-01-01T12-00-00.000.log'), lines([late]));
    const b = [ev(), ev()];
    fs.writeFileSync(log, lines(b));
    await c.reader.poll(); // sees the rename, reads the late line, waits a quiet poll
    await c.reader.poll(); // switches
    assert.deepEqual(c.ids(), ids([...a, late, ...b]));
    const more = [ev()];
    fs.appendFileSync(log, lines(more));
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, late, ...b, ...more]));
    assert.equal(c.position()!.ino, String(fs.statSync(log, { bigint: true }).ino));
    assert.equal(c.reader.status().rotations, 1);
    await c.close();
  });

  it('keeps reading the old file while the path is missing between rename and create', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const a = [ev()];
    fs.writeFileSync(log, lines(a));
    const c = open(path.join(d, 'store'), log);
    await c.read();
    fs.renameSync(log, `${log}.1`);
    const late = [ev()];
    fs.appendFileSync(`${log}.1`, lines(late));
    await c.reader.poll();
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, ...late]));
    const b = [ev()];
    fs.writeFileSync(log, lines(b));
    await c.reader.poll();
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, ...late, ...b]));
    await c.close();
  });

  it('follows copytruncate: shrunk, or truncated and refilled past the old size between two polls', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev(), ev()];
    fs.writeFileSync(log, lines(a));
    const c = open(path.join(d, 'store'), log);
    await c.read();
    fs.copyFileSync(log, `${log}.1`);
    fs.truncateSync(log, 0);
    const b = [ev()];
    fs.appendFileSync(log, lines(b));
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, ...b]));
    // Truncated and refilled with more than was there: the first bytes differ.
    fs.truncateSync(log, 0);
    const big = Array.from({ length: 6 }, ev);
    fs.appendFileSync(log, lines(big));
    assert.ok(fs.statSync(log).size > Buffer.byteLength(lines(b)));
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids([...a, ...b, ...big]));
    assert.equal(c.reader.status().rotations, 2);
    assert.equal(await malformed(c.metrics), 0);
    await c.close();
  });

  it('resumes after a restart where it stopped: nothing lost, nothing twice', async () => {
    const d = tmp();
    const storeDir = path.join(d, 'store');
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev(), ev()];
    fs.writeFileSync(log, `${lines(a)}${JSON.stringify(ev()).slice(0, 50)}`);
    const c1 = open(storeDir, log);
    await c1.read();
    await c1.close();
    // While stopped: the partial line is replaced by complete ones (the writer finished it and went on).
    const text = fs.readFileSync(log, 'utf8');
    const b = [ev(), ev()];
    fs.writeFileSync(log, `${text.slice(0, text.lastIndexOf('\n') + 1)}${lines(b)}`);
    const c2 = open(storeDir, log);
    await c2.read();
    assert.deepEqual(c2.ids(), ids([...a, ...b]));
    await c2.close();
  });

  it('resumes without loss when the store holds only what was committed (killed between commits)', async () => {
    const d = tmp();
    const storeDir = path.join(d, 'store');
    const log = path.join(d, 'audit.log');
    const a = Array.from({ length: 50 }, ev);
    fs.writeFileSync(log, lines(a));
    // Small reads: commits after each chunk; stop the process after the first commit (no stop()).
    const c1 = open(storeDir, log, { readChunkBytes: 4096 });
    let commits = 0;
    const realCommit = c1.store.commit.bind(c1.store);
    c1.store.commit = (batch) => {
      commits += 1;
      if (commits <= 2) realCommit(batch); // later commits never land: the process died
    };
    await c1.read();
    const partial = c1.ids();
    assert.ok(partial.length > 0 && partial.length < a.length, `some but not all committed (${partial.length})`);
    c1.store.close();
    const c2 = open(storeDir, log);
    await c2.read();
    assert.deepEqual(c2.ids(), ids(a));
    await c2.close();
    await c1.reader.stop();
  });

  it('after a restart, finishes a file rotated while stopped before the new one', async () => {
    const d = tmp();
    const storeDir = path.join(d, 'store');
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev()];
    fs.writeFileSync(log, lines(a));
    const c1 = open(storeDir, log);
    await c1.read();
    await c1.close();
    const late = [ev(), ev()];
    fs.appendFileSync(log, lines(late));
    fs.renameSync(log, path.join(d, 'audit-rotated.log'));
    fs.writeFileSync(path.join(d, 'unrelated.log'), 'x\n');
    const b = [ev()];
    fs.writeFileSync(log, lines(b));
    const c2 = open(storeDir, log);
    await c2.read();
    await c2.reader.poll();
    await c2.reader.poll();
    assert.deepEqual(c2.ids(), ids([...a, ...late, ...b]));
    await c2.close();
  });

  it('after a restart, reads a file truncated while stopped from its start', async () => {
    const d = tmp();
    const storeDir = path.join(d, 'store');
    const log = path.join(d, 'audit.log');
    const a = [ev(), ev()];
    fs.writeFileSync(log, lines(a));
    const c1 = open(storeDir, log);
    await c1.read();
    await c1.close();
    fs.truncateSync(log, 0);
    const b = [ev(), ev(), ev(), ev()]; // more bytes than before: only the first bytes tell
    fs.writeFileSync(log, lines(b));
    const c2 = open(storeDir, log);
    await c2.read();
    assert.deepEqual(c2.ids(), ids([...a, ...b]));
    await c2.close();
  });

  it('waits for a file that is not there yet, and can start at the end of an existing one', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    const c = open(path.join(d, 'store'), log);
    await c.read();
    assert.equal(c.reader.status().state, 'waiting');
    const a = [ev()];
    fs.writeFileSync(log, lines(a));
    await c.reader.poll();
    assert.deepEqual(c.ids(), ids(a));
    await c.close();

    const log2 = path.join(d, 'audit2.log');
    fs.writeFileSync(log2, lines([ev(), ev()]));
    const e = open(path.join(d, 'store2'), log2, { startAt: 'end' });
    await e.read();
    assert.deepEqual(e.ids(), []);
    const b = [ev()];
    fs.appendFileSync(log2, lines(b));
    await e.reader.poll();
    assert.deepEqual(e.ids(), ids(b));
    await e.close();
  });

  it('polls by itself once started', async () => {
    const d = tmp();
    const log = path.join(d, 'audit.log');
    fs.writeFileSync(log, '');
    const c = open(path.join(d, 'store'), log, { pollMs: 20 });
    c.reader.start();
    const a = [ev(), ev()];
    fs.appendFileSync(log, lines(a));
    const deadline = Date.now() + 5000;
    while (c.ids().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(c.ids(), ids(a));
    await c.close();
    assert.equal(c.reader.status().state, 'stopped');
  });
});
