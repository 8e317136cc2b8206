// Container resource metrics (issue "Container logs and resource metrics", parts 2 and 3).
//   1. GET /metrics for 100 containers (synthetic samples): render time. Target ≤ 30 ms.
//   2. 50 idle containers (real dockerd, `sleep`) sampled at the default interval for ~60 s: the
//      source's CPU (% of one core, over a baseline of the same process without it; target ≤ 3%)
//      and the process RSS (target ≤ 150 MB), for the one-shot sampler and for one stats stream per
//      container, with the engine's CPU (dockerd + containerd + shims) in each case.
// Run: npx tsx backend/bench/stats.ts [seconds=60] [containers=50] [interval ms=10000]   (or npm run bench -- stats)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { CollectorMetrics } from '../src/metrics/registry.js';
import { registerContainerMetrics } from '../src/sinks/prometheus/index.js';
import { DockerClient, parseDockerEndpoint } from '../src/sources/docker/client.js';
import { countersOf, sampleValues } from '../src/sources/docker-stats/compute.js';
import { DockerStatsSource, parseStatsConfig, type StatsContainer } from '../src/sources/docker-stats/index.js';
import { fixture } from '../src/sources/docker-stats/testing/fixtures.js';
import { silentLogger } from '../src/util/log.js';
import { report } from './report.js';

const SELF = fileURLToPath(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

if (process.argv[2] === '--child') await child();
else await main();

/** One measurement in a fresh process: the baseline without the source, then the source for `seconds`. */
async function child(): Promise<void> {
  const [, , , mode, host, secondsText, intervalText] = process.argv;
  const seconds = Number(secondsText);
  const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const metrics = new CollectorMetrics({ processMetrics: true });
  let emitted = 0;
  const source = new DockerStatsSource({
    client: new DockerClient(parseDockerEndpoint(host!)), metrics, log: silentLogger(), hostName: 'bench',
    cfg: parseStatsConfig({ mode: mode as 'oneshot' | 'stream', interval: Number(intervalText) }),
    emitter: { emit: () => void (emitted += 1), flush: async () => undefined },
  });
  registerContainerMetrics(metrics.registry, source);
  await sleep(2000); // module loading and JIT out of the way
  const base0 = process.cpuUsage();
  const baseSeconds = Math.min(15, seconds / 3);
  await sleep(baseSeconds * 1000);
  const baseline = cpuMs(process.cpuUsage(base0)) / (baseSeconds * 1000);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  out({ phase: 'start' });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  source.start();
  let scrapes = 0;
  // Prometheus scrapes meanwhile, every 15 s as by default.
  const scraper = setInterval(() => void metrics.registry.metrics().then(() => (scrapes += 1)), 15_000);
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1000);
  await sleep(seconds * 1000);
  const used = cpuMs(process.cpuUsage(c0));
  const wall = performance.now() - t0;
  clearInterval(scraper);
  clearInterval(rssTimer);
  const rss1 = process.memoryUsage().rss;
  const st = source.status();
  out({ phase: 'end', mode, cpuPercent: (used / wall - baseline) * 100, rawCpuPercent: (used / wall) * 100, baselinePercent: baseline * 100, rss: Math.max(rss1, rssMax), rss0, samples: st.samples, emitted, containers: st.containers, lastRoundMs: st.last_round_ms, scrapes, wall });
  await source.stop();
  process.exit(0);
}

/** utime + stime (ms) of every process whose command line names the engine's directory: dockerd, containerd, the shims. */
function engineCpuMs(dir: string): number {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10; // USER_HZ = 100
}

function syntheticContainers(n: number): StatsContainer[] {
  const [a, b] = fixture('v2-docs-shape.jsonl');
  const counters = countersOf(b!)!;
  const values = sampleValues(countersOf(a!), counters, 0);
  return Array.from({ length: n }, (_, i) => ({
    identity: {
      id: (0x1000 + i).toString(16).padStart(64, 'f'), name: `shop-web-${i}`, image: 'registry.example.com/shop/web:1.4.2', image_id: 'sha256:abc',
      labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': `svc${i % 10}`, 'com.docker.compose.container-number': String(i), 'org.opencontainers.image.version': '1.4.2' },
      compose: { project: 'shop', service: `svc${i % 10}` },
    },
    startedAt: 1_767_225_600 + i, cpuSpec: { shares: 1024, quota: 50_000, period: 100_000 }, counters, values,
  }));
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  const N = Number(process.argv[3] ?? 50);
  const interval = Number(process.argv[4] ?? 10_000);

  // 1. The scrape.
  {
    const metrics = new CollectorMetrics({ processMetrics: true });
    const list = syntheticContainers(100);
    registerContainerMetrics(metrics.registry, { containers: () => list });
    for (let i = 0; i < 50; i++) await metrics.registry.metrics();
    const times: number[] = [];
    let text = '';
    const c0 = process.cpuUsage();
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      text = await metrics.registry.metrics();
      times.push(performance.now() - t0);
    }
    const bytes = text.length;
    const series = text.split('\n').filter((l) => l.startsWith('container_')).length;
    const cpuPerScrape = cpuMs(process.cpuUsage(c0)) / 300;
    times.sort((x, y) => x - y);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    const load = `host load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`;
    report('/metrics scrape, 100 containers, p50', p(0.5), 'ms', 30, `${(bytes / 1024).toFixed(0)} KiB, ${series} container series + the collector's own; ${load} (300 scrapes)`, true);
    report('/metrics scrape, 100 containers, p99', p(0.99), 'ms', 30, `max ${times[times.length - 1]!.toFixed(2)} ms; wall time includes waiting for a CPU on a shared host (${load})`, true);
    report('/metrics scrape, 100 containers, CPU time', cpuPerScrape, 'ms', 30, 'CPU spent per scrape (process.cpuUsage), what the wall time is on an idle core', true);
    const bare = new Registry();
    registerContainerMetrics(bare, { containers: () => list });
    const c1 = process.cpuUsage();
    for (let i = 0; i < 100; i++) await bare.metrics();
    console.log(`  (the container families alone: ${(cpuMs(process.cpuUsage(c1)) / 100).toFixed(2)} ms of CPU per scrape)`);
  }

  // 2. The source against a real engine.
  const { startDockerd, TEST_IMAGE } = await import('../../test/support/dockerd.js');
  const d = await startDockerd();
  try {
    for (let i = 0; i < N; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, j) => d.docker('run', '-d', '--network', 'none', '--name', `idle${i + j}`, TEST_IMAGE, 'sleep', '100000')));
    }
    console.log(`  ${N} idle containers running on a private dockerd (${await d.docker('version', '--format', '{{.Server.Version}}')}); ${seconds} s per measurement`);
    await sleep(3000);

    // The engine alone, nobody asking for stats.
    const e0 = engineCpuMs(d.dir);
    await sleep(Math.min(30, seconds / 2) * 1000);
    const engineIdle = (engineCpuMs(d.dir) - e0) / (Math.min(30, seconds / 2) * 1000) * 100;
    console.log(`  engine idle (dockerd + containerd + shims, no stats client): ${engineIdle.toFixed(2)}% of one core`);

    const results: Record<string, { cpu: number; rss: number; engine: number; raw: Record<string, number> }> = {};
    for (const mode of ['oneshot', 'stream'] as const) {
      const r = await new Promise<{ end: Record<string, number>; engine: number }>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', SELF, '--child', mode, d.host, String(seconds), String(interval)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let buf = '';
        let es = 0;
        let engine = 0;
        let end: Record<string, number> | undefined;
        p.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const msg = JSON.parse(buf.slice(0, nl)) as Record<string, number> & { phase: string };
            buf = buf.slice(nl + 1);
            if (msg.phase === 'start') es = engineCpuMs(d.dir);
            if (msg.phase === 'end') {
              engine = ((engineCpuMs(d.dir) - es) / msg.wall!) * 100;
              end = msg;
            }
          }
        });
        p.on('exit', (code) => (end ? resolve({ end, engine }) : reject(new Error(`child ${mode} exited with ${code}`))));
      });
      results[mode] = { cpu: r.end.cpuPercent!, rss: r.end.rss!, engine: r.engine - engineIdle, raw: r.end };
      const label = mode === 'oneshot' ? 'one-shot sampler (stats?stream=0&one-shot=1 per container per interval)' : 'one stats?stream=1 per container';
      report(`stats source CPU, ${N} idle containers, ${interval / 1000} s interval, ${mode}`, Math.max(r.end.cpuPercent!, 0.001), '% of one core', 3,
        `${label}: process ${r.end.rawCpuPercent!.toFixed(2)}% minus ${r.end.baselinePercent!.toFixed(2)}% without the source; ${r.end.samples} samples, ${r.end.emitted} events, last round ${r.end.lastRoundMs!.toFixed(0)} ms, ${r.end.scrapes} scrapes`, true);
      report(`collector RSS, ${N} idle containers, ${mode}`, r.end.rss! / 1024 ** 2, 'MB', 150, `${((r.end.rss! - r.end.rss0!) / 1024 ** 2).toFixed(1)} MB over the same process without the source`, true);
      console.log(`  engine CPU while sampling (${mode}): ${(r.engine - engineIdle).toFixed(2)}% of one core over its idle ${engineIdle.toFixed(2)}% (dockerd + containerd + shims)`);
    }
    const o = results.oneshot!;
    const s = results.stream!;
    const total = (x: typeof o) => x.cpu + x.engine;
    console.log(`  stream vs one-shot, collector + engine CPU: ${total(s).toFixed(2)}% vs ${total(o).toFixed(2)}% of one core (stream costs ${(total(s) / Math.max(total(o), 0.001)).toFixed(1)}×); collector alone ${s.cpu.toFixed(2)}% vs ${o.cpu.toFixed(2)}%, engine ${s.engine.toFixed(2)}% vs ${o.engine.toFixed(2)}%`);
  } finally {
    await d.destroy();
  }
}
