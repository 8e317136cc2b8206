import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Checkpoint, ShipEvent } from '../../event/event.js';
import { nanosToRfc3339 } from '../../event/time.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { Store } from '../../sinks/store/store.js';
import { silentLogger } from '../../util/log.js';
import { DockerClient } from '../docker/client.js';
import { logsConfigSchema, type LogsConfigInput } from './config.js';
import { positionKey } from './positions.js';
import { DockerLogSource } from './source.js';
import { frame } from './testing.js';

// A scripted engine on a unix socket: /info, /events, /containers/json, inspect and logs with
// `since` and `follow`, serving each container's "log file" as dockerd does (multiplexed frames).

interface FakeLine {
  stream: 1 | 2;
  ns: bigint;
  text: string;
}

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  finishedAt: string;
  labels: Record<string, string>;
  lines: FakeLine[];
  /** Serve this many frames of the next logs request, then bytes that are not a frame header. */
  garbageAfter?: number;
  /** Answer logs requests with this HTTP status. */
  status?: number;
  followers: Set<(l: FakeLine) => void>;
  requests: string[];
}

const BASE = 1_795_000_000_000_000_000n;

class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  private readonly eventStreams = new Set<http.ServerResponse>();
  private server!: http.Server;
  socketPath = '';
  private clock = 0n;

  async start(): Promise<void> {
    this.socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'swfakelogs-')), 'e.sock');
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(this.socketPath, r));
  }

  async close(): Promise<void> {
    for (const r of this.eventStreams) r.end();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  now(): bigint {
    this.clock += 1000n;
    return BASE + this.clock;
  }

  add(name: string, opts: Partial<FakeContainer> = {}): FakeContainer {
    const id = name.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a').slice(0, 64);
    const c: FakeContainer = { id, name, running: true, finishedAt: '0001-01-01T00:00:00Z', labels: {}, lines: [], followers: new Set(), requests: [], ...opts };
    this.containers.set(id, c);
    return c;
  }

  log(c: FakeContainer, text: string, stream: 1 | 2 = 1): void {
    const l = { stream, ns: this.now(), text };
    c.lines.push(l);
    for (const f of c.followers) f(l);
  }

  event(action: string, c: FakeContainer): void {
    const line = JSON.stringify({ Type: 'container', Action: action, Actor: { ID: c.id, Attributes: { name: c.name } }, timeNano: Number(this.now()) });
    for (const r of this.eventStreams) r.write(`${line}\n`);
  }

  stop(c: FakeContainer): void {
    c.running = false;
    c.finishedAt = nanosToRfc3339(this.now());
    for (const f of c.followers) f({ stream: 1, ns: -1n, text: '' }); // ends the follow streams
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): unknown {
    const url = new URL(req.url!, 'http://engine');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/info') return json(200, { ID: 'FAKE:ENGINE', SystemTime: nanosToRfc3339(this.now()) });
    if (url.pathname === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      this.eventStreams.add(res);
      res.on('close', () => this.eventStreams.delete(res));
      return;
    }
    if (url.pathname === '/containers/json') {
      return json(200, [...this.containers.values()].map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: 'img:1', Labels: c.labels, State: c.running ? 'running' : 'exited' })));
    }
    const m = /^\/containers\/([^/]+)\/(json|logs)$/.exec(url.pathname);
    const c = m ? this.containers.get(m[1]!) : undefined;
    if (!m || !c) return json(404, { message: 'No such container' });
    if (m[2] === 'json') {
      return json(200, { Id: c.id, Name: `/${c.name}`, Config: { Image: 'img:1', Labels: c.labels, Tty: false }, State: { Running: c.running, FinishedAt: c.finishedAt } });
    }
    c.requests.push(url.search);
    if (c.status) return json(c.status, { message: 'configured logging driver does not support reading' });
    const [sec, nsec] = (url.searchParams.get('since') ?? '0.0').split('.');
    const since = BigInt(sec!) * 1_000_000_000n + BigInt(nsec ?? '0');
    const follow = url.searchParams.get('follow') === '1';
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    let frames = 0;
    const write = (l: FakeLine): boolean => {
      if (c.garbageAfter !== undefined && frames >= c.garbageAfter) {
        c.garbageAfter = undefined;
        res.end(Buffer.from('\x07garbage that is not a frame'));
        return false;
      }
      frames += 1;
      res.write(frame(l.stream, `${nanosToRfc3339(l.ns)} ${l.text}\n`));
      return true;
    };
    for (const l of c.lines) if (l.ns >= since && !write(l)) return;
    if (!follow || !c.running) return void res.end();
    const f = (l: FakeLine) => {
      if (l.ns < 0n) {
        c.followers.delete(f);
        res.end();
      } else if (!write(l)) c.followers.delete(f);
    };
    c.followers.add(f);
    res.on('close', () => c.followers.delete(f));
  }
}

class HeldEmitter implements Emitter {
  events: { ev: ShipEvent; cp?: Checkpoint }[] = [];
  held = false;
  private waiters: (() => void)[] = [];
  constructor(private readonly store?: Store) {}
  emit(ev: ShipEvent, cp?: Checkpoint): void {
    this.events.push({ ev, cp });
    if (cp && this.store) this.store.savePosition(cp);
  }
  flush(): Promise<void> {
    if (!this.held) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
  release(): void {
    this.held = false;
    for (const w of this.waiters.splice(0)) w();
  }
  messages(name: string): string[] {
    return this.events.filter((e) => (e.ev.container as { name: string }).name === name).map((e) => (e.ev.log as { message: string }).message);
  }
}

async function until<T>(fn: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DockerLogSource against a scripted engine', () => {
  let engine: FakeEngine;
  let dir: string;
  let store: Store;
  const sources: DockerLogSource[] = [];
  const start = (emitter: Emitter, cfg: LogsConfigInput = {}, extra: { maxUncommitted?: number } = {}) => {
    const s = new DockerLogSource({
      client: new DockerClient({ socketPath: engine.socketPath }), store, emitter, metrics: new CollectorMetrics(), log: silentLogger(),
      hostName: 'h', cfg: logsConfigSchema.parse(cfg), reconnectMaxMs: 300, ...extra,
    });
    sources.push(s);
    s.start();
    return s;
  };

  before(async () => {
    engine = new FakeEngine();
    await engine.start();
  });
  after(async () => {
    await engine.close();
    fs.rmSync(path.dirname(engine.socketPath), { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    engine.containers.clear();
  });
  const freshStore = () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swfakestore-'));
    store = new Store({ path: dir, maxAgeMs: 86_400_000, maxBytes: 1024 ** 3, metrics: new CollectorMetrics() });
    // a previous run of the source: containers without a position are read from here
    store.savePosition({ key: 'docker.logs.session.FAKE:ENGINE', value: String(BASE) });
  };

  it('a broken frame makes one follower reconnect from its position: nothing lost, nothing twice, the others untouched', async () => {
    freshStore();
    const bad = engine.add('bad', { garbageAfter: 3 });
    const good = engine.add('good');
    for (let i = 0; i < 6; i += 1) engine.log(bad, `b${i}`, i % 2 ? 2 : 1);
    for (let i = 0; i < 4; i += 1) engine.log(good, `g${i}`);
    const em = new HeldEmitter(store);
    const s = start(em);
    await until(() => (em.messages('bad').length >= 6 && em.messages('good').length >= 4 ? true : undefined), 'all lines');
    engine.log(bad, 'b6');
    engine.log(good, 'g4');
    await until(() => (em.messages('bad').length >= 7 && em.messages('good').length >= 5 ? true : undefined), 'the live lines');
    assert.deepEqual(em.messages('bad'), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    assert.deepEqual(em.messages('good'), ['g0', 'g1', 'g2', 'g3', 'g4']);
    assert.ok(bad.requests.length >= 2, 'it reconnected');
    assert.match(bad.requests[1]!, /since=1795000000\.0000\d+/);
    const st = s.status();
    assert.ok(st.errors >= 1);
    assert.match(String(st.last_error), /bad: not a Docker stream frame header/);
    assert.equal(st.containers.find((c) => c.name === 'good')?.errors, 0);
  });

  it('pauses reading while the sink has not committed, and goes on once it has', async () => {
    freshStore();
    const c = engine.add('flood');
    const em = new HeldEmitter();
    em.held = true;
    start(em, {}, { maxUncommitted: 100 });
    for (let i = 0; i < 2000; i += 1) engine.log(c, `line ${i}`);
    await until(() => (em.events.length >= 100 ? true : undefined), 'the first lines');
    await new Promise((r) => setTimeout(r, 300));
    const held = em.events.length;
    assert.ok(held < 2000, `reading paused at ${held} lines`);
    em.release();
    await until(() => (em.events.length >= 2000 ? true : undefined), 'the rest after the commit');
    assert.deepEqual(em.messages('flood'), Array.from({ length: 2000 }, (_, i) => `line ${i}`));
  });

  it('reads a container that stopped while away once, marks it, and drops its position when it is removed', async () => {
    freshStore();
    const c = engine.add('gone');
    engine.log(c, 'one');
    engine.log(c, 'two', 2);
    engine.stop(c);
    const em = new HeldEmitter(store);
    const s = start(em);
    await until(() => (em.messages('gone').length >= 2 ? true : undefined), 'its lines');
    await until(() => (s.status().containers.length === 0 ? true : undefined), 'the reader ended');
    const stored = JSON.parse(store.position(positionKey(c.id))!) as { done?: string };
    assert.equal(stored.done, c.finishedAt, 'marked as read to its end');
    await s.stop();
    sources.length = 0;

    const em2 = new HeldEmitter(store);
    const s2 = start(em2);
    await until(() => (s2.status().connected ? true : undefined), 'connected');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(em2.events, [], 'not read again');
    assert.equal(c.requests.length, 1, 'its log was not even opened again');

    engine.containers.delete(c.id);
    engine.event('destroy', c);
    await until(() => (store.position(positionKey(c.id)) === undefined ? true : undefined), 'position dropped');
  });

  it('a log that cannot be read is reported once; the container is not retried until it starts again', async () => {
    freshStore();
    const c = engine.add('nodriver', { status: 501 });
    engine.log(c, 'x');
    const ok = engine.add('fine');
    engine.log(ok, 'y');
    const em = new HeldEmitter(store);
    const s = start(em);
    await until(() => (em.messages('fine').length === 1 ? true : undefined), 'the other container');
    await until(() => (s.status().errors === 1 ? true : undefined), 'one error');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(c.requests.length, 1);
    assert.equal(s.status().errors, 1);
  });

  it('lines after a rename carry the new name', async () => {
    freshStore();
    const c = engine.add('oldname');
    engine.log(c, 'before');
    const em = new HeldEmitter(store);
    const s = start(em);
    await until(() => (em.events.length === 1 ? true : undefined), 'the first line');
    c.name = 'newname';
    engine.event('rename', c);
    await until(() => (s.status().containers[0]?.name === 'newname' ? true : undefined), 'the rename seen');
    engine.log(c, 'after');
    await until(() => (em.events.length === 2 ? true : undefined), 'the second line');
    assert.deepEqual(em.events.map((e) => (e.ev.container as { name: string }).name), ['oldname', 'newname']);
  });

  it('resumes from a stored position, skipping what was taken at the inclusive since', async () => {
    freshStore();
    const c = engine.add('resume');
    for (let i = 0; i < 5; i += 1) engine.log(c, `r${i}`);
    // r0..r2 were taken: since at r2 (no stderr seen: newest - window, which is before r0 here), skip 3
    store.savePosition({ key: positionKey(c.id), value: JSON.stringify({ since: String(c.lines[0]!.ns), skip: 3, last: String(c.lines[2]!.ns) }) });
    const em = new HeldEmitter(store);
    const s = start(em);
    await until(() => (em.messages('resume').length >= 2 ? true : undefined), 'the rest');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(em.messages('resume'), ['r3', 'r4']);
    assert.equal(s.status().duplicates_skipped, 3);
    const last = em.events.at(-1)!;
    assert.equal(last.cp?.key, positionKey(c.id), 'the last line carries the position');
    assert.equal(JSON.parse(last.cp!.value).last, String(c.lines[4]!.ns));
  });
});
