// Loki sink throughput for ~120-byte container log lines:
//   1. onCommit in store transactions of 500 events into the durable outbox (SQLite, WAL);
//   2. the drain of that backlog to the loopback Loki receiver (test/support/loki-receiver.ts);
//   3. both at once, end to end: commit → outbox → gzip JSON push → acknowledged;
//   4. the same against a receiver that only gunzips and answers 204, to see the collector's own
//      cost without the test receiver's JSON parsing and validation.
//
//   cd /work/main && npx tsx backend/bench/loki.ts [entries]
//
// The collector side (this process, libuv threadpool included, so gzip too) is pinned to CPU 0
// with taskset when there are 2+ CPUs; the receiver runs in a child process on CPU 1, as Loki would
// run elsewhere. The database uses the store's settings (WAL, synchronous=NORMAL).
//
// Each figure is given twice: by wall clock, and per CPU second of this process (user + system,
// all its threads), which is what one dedicated core would do and does not move when other
// processes share the machine. The headline is the CPU-time figure of the end-to-end run.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { ShipEvent } from '../src/event/event.js';
import { CollectorMetrics } from '../src/metrics/registry.js';
import type { LokiSink } from '../src/sinks/loki/sink.js';
import { commit, logEvent, makeSink, metricValue, tempDb, waitUntil } from '../src/sinks/loki/testing/fixtures.js';
import { startLokiReceiver } from '../src/sinks/loki/testing/loki-receiver.js';

const TARGET = 200_000;
const PER_TX = 500;

type Kind = 'loki' | 'null';

async function receiver(kind: Kind): Promise<void> {
  if (kind === 'loki') {
    const r = await startLokiReceiver({ record: false });
    process.on('message', () => process.send!({ count: r.count() }));
    process.send!({ url: r.url });
    return;
  }
  let bytes = 0;
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bytes += zlib.gunzipSync(Buffer.concat(chunks)).length;
      res.writeHead(204).end();
    });
  });
  srv.listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(srv.address() as { port: number }).port}` }));
  process.on('message', () => process.send!({ count: -1, bytes }));
}

function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function startReceiver(kind: Kind, pinned: boolean): Promise<{ child: ChildProcess; url: string; count: () => Promise<number> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--receiver', kind], { execArgv: process.execArgv, stdio: 'inherit' });
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  if (pinned) pin(child.pid!, 1);
  const count = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { count: number }) => resolve(m.count));
      child.send({});
    });
  return { child, url, count };
}

const TEMPLATE = logEvent(0, { container: 'svc-0', size: 120 });

/** Events for entries from..from+n: 8 containers, distinct ids, times with nanoseconds, 120-byte messages. */
function makeEvents(n: number, from: number): ShipEvent[] {
  const out: ShipEvent[] = [];
  for (let k = from; k < from + n; k++) {
    const sec = 1_700_000_000 + Math.floor(k / 1000);
    const time = `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String((k % 1000) * 1_000_003).padStart(9, '0')}Z`;
    const name = `svc-${k % 8}`;
    out.push({
      ...TEMPLATE,
      event: { ...TEMPLATE.event, id: `ev-${k}`, time },
      container: { id: `c${name}0123456789`, name, compose: { project: 'shop', service: name } },
      log: { stream: 'stdout', message: `10.0.${k % 256}.${k % 7} - - "GET /api/v1/items?id=${k} HTTP/1.1" 200 ${k % 9000} "-" "curl/8.5"`.padEnd(120, ' '), format: 'plain' },
      seq: k,
    });
  }
  return out;
}

/**
 * The events of one store transaction. They come from a pool of 40 transactions' worth (20,000
 * distinct events), made before measuring: making them costs about as much as the sink itself, and
 * holding all of them would make the garbage collector's work dominate. Entries repeat every
 * 20,000, which neither the sink nor the receivers here care about.
 */
const POOL = Array.from({ length: 40 }, (_, t) => makeEvents(PER_TX, t * PER_TX));
function events(_n: number, from: number): ShipEvent[] {
  return POOL[Math.floor(from / PER_TX) % POOL.length]!;
}

async function withSink(url: string, body: (sink: LokiSink, db: ReturnType<typeof tempDb>['db'], metrics: CollectorMetrics) => Promise<void>): Promise<void> {
  const env = tempDb();
  const metrics = new CollectorMetrics();
  const sink = makeSink(env.db, { url, batch_wait_ms: 1000, timeout_ms: 30_000 }, metrics);
  try {
    await body(sink, env.db, metrics);
  } finally {
    await sink.stop(1000);
    env.cleanup();
  }
}

interface Rate {
  wall: number;
  cpu: number;
}

function measure(n: number): () => Rate {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
  };
}

const fmt = (r: Rate) => `${String(Math.round(r.cpu)).padStart(7)} entries/s per CPU second (${Math.round(r.wall)} entries/s wall clock)`;

async function endToEnd(url: string, n: number): Promise<Rate> {
  let rate: Rate = { wall: 0, cpu: 0 };
  await withSink(url, async (sink, db, metrics) => {
    sink.start();
    const done = measure(n);
    for (let i = 0; i < n; i += PER_TX) {
      commit(db, sink, events(PER_TX, 1_000_000 + i));
      // Let the drain loop run between store transactions, as the pipeline's awaits would.
      await new Promise((r) => setImmediate(r));
    }
    await waitUntil(() => sink.health().queued_entries === 0, 600_000, 'drained');
    rate = done();
    const sent = await metricValue(metrics, 'shipwatch_loki_entries_sent_total');
    if (sent !== n) console.log(`warning: ${sent} of ${n} acknowledged`);
  });
  return rate;
}

async function main(n: number): Promise<void> {
  const cpus = os.availableParallelism();
  const pinned = cpus > 1 && pin(process.pid, 0);
  const line = JSON.stringify(events(1, 0)[0]).length;
  const message = (events(1, 0)[0]!.log as { message: string }).message.length;
  console.log(`Loki sink benchmark: ${n} entries, ${message} B messages (event JSON ${line} B), store transactions of ${PER_TX}; collector ${pinned ? 'pinned to CPU 0, receiver on CPU 1' : `on ${cpus} CPU(s), not pinned`}`);

  const loki = await startReceiver('loki', pinned);
  await withSink(loki.url, async (sink, db) => {
    const appended = measure(n);
    for (let i = 0; i < n; i += PER_TX) commit(db, sink, events(PER_TX, i));
    console.log(`1. onCommit → outbox:                 ${fmt(appended())}; ${sink.health().queued_bytes} bytes queued`);
    const before = await loki.count();
    const drained = measure(n);
    sink.start();
    await waitUntil(() => sink.health().queued_entries === 0, 600_000, 'drained');
    const drain = drained();
    console.log(`2. drain backlog → loopback receiver: ${fmt(drain)}; ${(await loki.count()) - before} received`);
  });
  const e2e = await endToEnd(loki.url, n);
  console.log(`3. end to end → loopback receiver:    ${fmt(e2e)}`);
  loki.child.kill();

  const nul = await startReceiver('null', pinned);
  const e2eNull = await endToEnd(nul.url, n);
  console.log(`4. end to end → gunzip-only receiver: ${fmt(e2eNull)}`);
  nul.child.kill();

  console.log(`${Math.round(e2e.cpu)} entries/s`);
  console.log(`ratio vs target: ${(e2e.cpu / TARGET).toFixed(2)} (target ${TARGET} entries/s on one core; by wall clock ${(e2e.wall / TARGET).toFixed(2)})`);
}

if (process.argv[2] === '--receiver') {
  await receiver(process.argv[3] as Kind);
} else {
  await main(Number(process.argv[2] ?? 200_000));
}
