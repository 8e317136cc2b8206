// Source + normalizer throughput on a replayed Docker event stream (issue 2), on one core, against
// a fake engine in another process. Target 50,000 events/s. Run: npm run bench -- docker-source [N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectorMetrics } from '../src/metrics/registry.js';
import type { Emitter } from '../src/pipeline/emitter.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { Store } from '../src/sinks/store/store.js';
import { DockerClient } from '../src/sources/docker/client.js';
import { DockerSource } from '../src/sources/docker/source.js';
import { normalizeDockerEvent, type DockerRawEvent } from '../src/transforms/normalize/docker.js';
import { silentLogger } from '../src/util/log.js';
import { spawnFakeEngine, syntheticDockerLines } from './fake-engine.js';
import { report } from './report.js';

const N = Number(process.argv[2] ?? 200_000);
const TARGET = 50_000;
const lines = syntheticDockerLines(N);

// 1. parse + normalize
{
  const TIME_NANO = /"timeNano":(\d+)/;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (const line of lines) {
    const nanos = TIME_NANO.exec(line)?.[1];
    const ev = normalizeDockerEvent(JSON.parse(line) as DockerRawEvent, nanos, 'bench');
    sink += ev.event.action.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  report('docker parse+normalize', N / secs, 'events/s', TARGET, `${N} events in ${secs.toFixed(2)} s (checksum ${sink})`);
}

// 2. the source: engine socket → line splitting → dedup → normalize → enrich, into a counting emitter;
// 3. the same, committed to the SQLite store.
for (const withStore of [false, true]) {
  const engine = await spawnFakeEngine(N);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swbench-'));
  const metrics = new CollectorMetrics();
  const store = new Store({ path: dir, maxAgeMs: 365 * 86_400_000, maxBytes: 10 * 1024 ** 3, metrics });
  // The engine has been seen before: the source resumes from a position and replays.
  store.savePosition({ key: 'docker.events.FAKE:ENGINE', value: JSON.stringify({ nanos: '1767225500000000000', seen: [] }) });
  const log = silentLogger();
  let counted = 0;
  const emitter: Emitter = withStore ? new Pipeline({ store, metrics, log }) : { emit: () => void (counted += 1), flush: async () => undefined };
  const source = new DockerSource({
    client: new DockerClient({ socketPath: engine.socket }), store, emitter, metrics, log, hostName: 'bench',
    queueMax: N + 10, reconnectMaxMs: 1000, inspectTimeoutMs: 1000,
  });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  source.start();
  while (source.status().events_received < N) await new Promise((r) => setTimeout(r, 5));
  await emitter.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const done = withStore ? store.counts().events : counted;
  report(withStore ? 'docker socket→source→SQLite store' : 'docker socket→source→normalized events', done / cpuSecs, 'events per CPU-second', TARGET,
    `${done} of ${N} events in ${secs.toFixed(2)} s wall (${Math.round(done / secs).toLocaleString('en-US')}/s), ${cpuSecs.toFixed(2)} s CPU, ${source.status().dropped} dropped`);
  await source.stop();
  store.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
