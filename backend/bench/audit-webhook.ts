// Kubernetes audit webhook throughput on one core: audit events accepted AND evaluated per
// CPU-second of the collector side. Target 20,000 events/s.
//   npx tsx backend/bench/audit-webhook.ts [--events N] [--rounds 5] [--batch 100] [--concurrency 4]
//                                          [--mix security|cluster] [--rules DIR] [--dist DIR]
//                                          [--store none]
//
// The collector side runs in a child process: the collector's API server (createApi) with the
// webhook served as the collector serves it (publicRoutes), a Pipeline with the detection engine
// loaded from rules/, and a real SQLite Store; its CPU time (process.cpuUsage: JSON parsing,
// normalizing, rules, SQLite, GC, HTTP) is what is measured. This process is the HTTP client: it
// POSTs EventLists of realistic audit events, each with a fresh auditID, with a few requests in
// flight like the API server's batching webhook backend. Every 200 arrives only after the store
// committed its batch. The rate limit is off (k8s.audit_rate 0): this measures capacity.
//
// Mixes: `security` (default) is heavy on what rules look at: pod creates with full specs (some
// privileged, host network, docker.sock mounts), execs, secret reads, RBAC bindings, configmap
// updates, pod lists. `cluster` is a cluster's background: mostly kubelet lease renewals, node
// status patches, controllers' lists and watches, with a few of the former.
//
// --dist DIR (e.g. backend/dist after `npm run build`) runs the collector side on the compiled
// JavaScript with plain node, as `npm start` does. Without it, the collector side runs the
// TypeScript sources through tsx, whose keep-names transform (a defineProperty per closure
// created) slows closure-heavy code such as the audit normalizer.
//
// --store none replaces the Pipeline by an emitter that only runs the rules (no SQLite): not the
// figure against the target, but it shows what the store costs.

import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { auditMix } from '../src/sources/k8s-audit/testdata.js';
import { benchNodeArgs } from './compiled.js';
import { report } from './report.js';

const TARGET = 20_000;
const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

const total = Number(arg('--events', '200000'));
const warm = Number(arg('--warm', '10000'));
const batch = Number(arg('--batch', '100'));
const concurrency = Number(arg('--concurrency', '4'));
const rounds = Math.max(1, Number(arg('--rounds', '5')));
const mix = arg('--mix', 'security') as 'security' | 'cluster';
const rulesDir = path.resolve(arg('--rules', path.join(here, '..', '..', 'rules')));
const dist = process.argv.includes('--dist') ? path.resolve(arg('--dist', '')) : undefined;
const noStore = arg('--store', 'sqlite') === 'none';
/** Extra node flags for the collector side (SHIPWATCH_BENCH_NODE_ARGS, as for the other benches). */
const nodeArgs = benchNodeArgs();

// The collector side, as plain JavaScript so that it can run on the compiled code without tsx.
// stdin commands: `stats` → one JSON line; `exit`.
const SERVER = String.raw`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
const { src, ext, rulesDir, token, noStore } = JSON.parse(process.env.SHIPWATCH_BENCH);
const imp = (m) => import(pathToFileURL(path.join(src, m + '.' + ext)).href);
const { createApi, listen } = await imp('api/server');
const { CollectorMetrics } = await imp('metrics/registry');
const { Pipeline } = await imp('pipeline/pipeline');
const { Store } = await imp('sinks/store/store');
const { createAuditWebhook } = await imp('sources/k8s-audit/index');
const { DetectionEngine } = await imp('transforms/detect/index');
const { silentLogger } = await imp('util/log');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swbench-audit-'));
const metrics = new CollectorMetrics();
const log = silentLogger();
const store = new Store({ path: dir, maxAgeMs: 365 * 86400000, maxBytes: 100 * 1024 ** 3, metrics });
let detector, rules;
try {
  const engine = DetectionEngine.fromDirs({ shippedDir: rulesDir });
  const rep = engine.report();
  detector = engine;
  rules = rep.active + ' active rules from ' + rulesDir + ' (' + rep.rules + ' loaded, ' + rep.errors + ' load errors)';
} catch (err) {
  rules = 'NO rules: ' + rulesDir + ' did not load (' + String(err).slice(0, 200) + ')';
}
const pipeline = new Pipeline({ store, metrics, log, detector });
let evaluated = 0;
const rulesOnly = { emit: (e) => { evaluated += 1; detector?.evaluate(e); }, flush: async () => undefined };
const hook = createAuditWebhook({ token, emitter: noStore ? rulesOnly : pipeline, metrics, log, hostName: 'bench', maxEventsPerSecond: 0 });
const app = createApi({ token: 'bench-api-token-0123456789', bodyLimit: 16 * 1024 * 1024, store, metrics, log,
  status: () => ({ status: 'ok', version: 'bench', sources: {}, sinks: {} }), publicRoutes: [hook.route] });
const { server, address } = await listen(app, '127.0.0.1:0');
const sum = async (name, part = '_sum') => (await metrics.registry.getSingleMetric(name).get()).values.find((v) => v.metricName === name + part)?.value ?? 0;
process.stdout.write(JSON.stringify({ url: 'http://' + address + '/api/v1/k8s/audit', rules }) + '\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'stats') {
    const dbBytes = ['shipwatch.db', 'shipwatch.db-wal'].reduce((a, f) => a + (fs.existsSync(path.join(dir, f)) ? fs.statSync(path.join(dir, f)).size : 0), 0);
    process.stdout.write(JSON.stringify({ cpu: process.cpuUsage(), counts: noStore ? { events: evaluated, alerts: 0 } : store.counts(), rules: await sum('shipwatch_rule_evaluation_seconds'),
      store: await sum('shipwatch_store_write_seconds'), commits: await sum('shipwatch_store_write_seconds', '_count'), dbBytes }) + '\n');
  } else if (line === 'exit') break;
}
await new Promise((r) => { server.close(() => r()); server.closeAllConnections(); });
await pipeline.flush();
store.close();
fs.rmSync(dir, { recursive: true, force: true });
`;

interface Stats {
  cpu: NodeJS.CpuUsage;
  counts: { events: number; alerts: number };
  rules: number;
  store: number;
  commits: number;
  dbBytes: number;
}

const token = 'bench-audit-token-0123456789';
const child = spawn(process.execPath, [...nodeArgs, ...(dist ? [] : ['--import', 'tsx']), '--input-type=module', '-e', SERVER], {
  env: { ...process.env, SHIPWATCH_BENCH: JSON.stringify({ src: dist ?? path.join(here, '..', 'src'), ext: dist ? 'js' : 'ts', rulesDir, token, noStore }) },
  stdio: ['pipe', 'pipe', 'inherit'],
});
// "On one core" literally: the collector side (all its threads) on CPU 0, this client on CPU 1,
// when taskset exists and there are two CPUs.
let pinned = false;
if (os.availableParallelism() > 1) {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', '0', String(child.pid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' });
    pinned = true;
  } catch {
    // no taskset: both processes run where the scheduler puts them
  }
}
const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const next = async <T>(): Promise<T> => {
  const l = await lines.next();
  if (l.done) throw new Error('the server process ended');
  return JSON.parse(String(l.value)) as T;
};
const stats = async (): Promise<Stats> => {
  child.stdin!.write('stats\n');
  return next<Stats>();
};
const { url, rules } = await next<{ url: string; rules: string }>();

// Templates: 20 distinct batches, serialized once with a placeholder auditID replaced per request.
const ID = '00000000-0000-4000-8000-000000000000';
const templates = Array.from({ length: 20 }, () =>
  JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: auditMix(batch, mix).map((e) => ({ ...e, auditID: ID })) }));
let tpl = 0;
const body = () => templates[(tpl += 1) % templates.length]!.replaceAll(ID, () => randomUUID());

interface Sent {
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  statuses: Record<string, number>;
}

async function run(events: number): Promise<Sent> {
  const r: Sent = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, statuses: {} };
  // Built before the clock starts: the client shares the machine's two cores with the collector,
  // and generating ids and encoding bodies while it runs would be charged to the collector as
  // contention.
  const bodies = Array.from({ length: Math.ceil(events / batch) }, body);
  let left = bodies.length;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: bodies[left] });
      const a = (await res.json()) as { accepted?: number; duplicates?: number; rejected?: unknown[] };
      r.requests += 1;
      r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
      r.accepted += a.accepted ?? 0;
      r.duplicates += a.duplicates ?? 0;
      r.rejected += a.rejected?.length ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return r;
}

await run(warm);
// The total in `rounds` windows, each measured on its own: the figure is the median window, so
// that a burst of other work on this shared machine moves the range, not the figure.
const windows: { rate: number; cpu: number }[] = [];
let r: Sent = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, statuses: {} };
let wall = 0;
const s0 = await stats();
for (let w = 0; w < rounds; w += 1) {
  const a = await stats();
  const t0 = performance.now();
  const rw = await run(total / rounds);
  wall += (performance.now() - t0) / 1000;
  const b = await stats();
  const cpu = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1e6;
  windows.push({ rate: rw.accepted / cpu, cpu });
  r = { requests: r.requests + rw.requests, accepted: r.accepted + rw.accepted, duplicates: r.duplicates + rw.duplicates, rejected: r.rejected + rw.rejected,
    statuses: Object.fromEntries([...new Set([...Object.keys(r.statuses), ...Object.keys(rw.statuses)])].map((k) => [k, (r.statuses[k] ?? 0) + (rw.statuses[k] ?? 0)])) };
}
const s1 = await stats();
child.stdin!.end('exit\n');
await new Promise((resolve) => child.once('exit', resolve));

const user = (s1.cpu.user - s0.cpu.user) / 1e6;
const system = (s1.cpu.system - s0.cpu.system) / 1e6;
const cpuSecs = user + system;
const stored = s1.counts.events - s0.counts.events;
const alerts = s1.counts.alerts - s0.counts.alerts;
console.log(`collector side: ${dist ? `compiled (${dist}), plain node` : 'TypeScript sources through tsx'}${pinned ? ', pinned to CPU 0 (client on CPU 1)' : ''}; mix: ${mix}; load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} cores`);
console.log(`rules: ${rules}`);
console.log(`client: ${r.requests} requests of ${batch} events, ${concurrency} in flight; statuses ${JSON.stringify(r.statuses)}; accepted ${r.accepted}, duplicates ${r.duplicates}, rejected ${r.rejected}`);
console.log(`collector: ${stored} events ${noStore ? 'evaluated (no store)' : 'stored'}, ${alerts} alerts; ${cpuSecs.toFixed(2)} CPU-s (user ${user.toFixed(2)}, system ${system.toFixed(2)}) in ${wall.toFixed(2)} s wall; ` +
  `of which rules ${(s1.rules - s0.rules).toFixed(2)} s, store commits ${(s1.store - s0.store).toFixed(2)} s (wall time inside ${s1.commits - s0.commits} commits); database + WAL ${(s1.dbBytes / 1024 ** 2).toFixed(0)} MiB`);
if (r.accepted !== stored || r.statuses['200'] !== r.requests) console.log('WARNING: not every event was accepted and stored');
const rates = windows.map((w) => w.rate).sort((x, y) => x - y);
const median = rates[Math.floor(rates.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
report(`k8s audit webhook (${mix} mix${dist ? ', compiled' : ', tsx'}${noStore ? ', NO store' : ''}): events accepted and evaluated per collector CPU-second`, median, 'events/s', TARGET,
  `median of ${rounds} windows of ${fmt(total / rounds)} events (range ${fmt(rates[0]!)}–${fmt(rates.at(-1)!)}; all ${r.accepted} events: ${fmt(r.accepted / cpuSecs)}); wall-clock ${fmt(r.accepted / wall)} events/s with the client in another process`);
