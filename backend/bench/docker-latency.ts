// Latency from a real dockerd event to its row in the store, and to the API answer that shows it
// (issue 2; target p99 ≤ 50 ms). Starts a private dockerd, the collector in this process, and
// makes the engine emit pause/unpause events at a steady pace. Run: npm run bench -- docker-latency [N]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Collector } from '../src/collector.js';
import { loadConfig } from '../src/config/load.js';
import { rfc3339ToNanos } from '../src/event/time.js';
import { silentLogger } from '../src/util/log.js';
import { startDockerd, TEST_IMAGE } from '../../test/support/dockerd.js';
import { report } from './report.js';

const N = Number(process.argv[2] ?? 300);
const TOKEN = 'bench-token-0123456789abcdef';
const d = await startDockerd();
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'swlat-'));
const cfg = loadConfig({ env: {}, flags: [`docker.socket=${d.host}`, `store.path=${store}`, 'api.listen=127.0.0.1:0', `api.token=${TOKEN}`] });
const collector = await Collector.start(cfg, silentLogger());
const stored = new Map<string, number>();
collector.store.addHook({ name: 'latency', onCommit: (batch) => { const t = performance.timeOrigin + performance.now(); for (const e of batch.events) stored.set(e.event.id, t); } });
const id = await d.docker('run', '-d', '--network', 'none', TEST_IMAGE, 'sleep', '3600');

const post = (p: string) => new Promise<void>((resolve, reject) => {
  const req = http.request({ socketPath: d.socket, path: p, method: 'POST' }, (res) => { res.resume(); res.on('end', () => resolve()); });
  req.on('error', reject);
  req.end();
});

// The API side: poll the newest events as fast as the API answers, and note when each id first shows.
const seenByApi = new Map<string, number>();
let polling = true;
const poller = (async () => {
  while (polling) {
    const res = await fetch(`http://${collector.address}/api/v1/events?source=docker&limit=20`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const t = performance.timeOrigin + performance.now();
    const body = (await res.json()) as { events: { event: { id: string } }[] };
    for (const e of body.events) if (!seenByApi.has(e.event.id)) seenByApi.set(e.event.id, t);
  }
})();

for (let i = 0; i < N; i += 1) {
  await post(`/containers/${id}/${i % 2 === 0 ? 'pause' : 'unpause'}`);
  await new Promise((r) => setTimeout(r, 15));
}
await new Promise((r) => setTimeout(r, 500));
polling = false;
await poller;

const events = collector.store.events({ limit: 1000, source: 'docker' }).items.filter((e) => e.event.action === 'pause' || e.event.action === 'unpause');
const lat = (m: Map<string, number>) => events.map((e) => m.get(e.event.id)! - Number(rfc3339ToNanos(e.event.time)!) / 1e6).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const toStore = lat(stored);
const toApi = lat(seenByApi);
report('dockerd event → store row, p99', pct(toStore, 99), 'ms', 50, `p50 ${pct(toStore, 50).toFixed(2)} ms, max ${toStore[toStore.length - 1]!.toFixed(2)} ms over ${toStore.length} events`, true);
report('dockerd event → API answer, p99', pct(toApi, 99), 'ms', 50, `p50 ${pct(toApi, 50).toFixed(2)} ms, max ${toApi[toApi.length - 1]!.toFixed(2)} ms over ${toApi.length} events (includes the poll interval)`, true);
await collector.stop();
await d.destroy();
fs.rmSync(store, { recursive: true, force: true });
