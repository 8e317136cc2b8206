// Memory of the Kubernetes watch source (issue 5): 10,000 realistic pods (5-6 KB of JSON each,
// managedFields included) listed (paginated) and watched from a fake API server running in another
// process; RSS after GC against the target of 200 MB. Run: npm run bench -- k8s-watch [pods]
//
// The measuring process runs compiled (compiled.ts): under tsx the loader thread holds a copy of
// every module it served, and @kubernetes/client-node is thousands of them, ~120 MB of RSS that a
// deployed collector never has.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CollectorMetrics } from '../src/metrics/registry.js';
import type { Emitter } from '../src/pipeline/emitter.js';
import { createKubeApi } from '../src/sources/k8s-watch/api.js';
import { parseK8sWatchConfig } from '../src/sources/k8s-watch/config.js';
import { loadKubeConfig } from '../src/sources/k8s-watch/kubeconfig.js';
import { K8sWatchSource } from '../src/sources/k8s-watch/source.js';
import { silentLogger } from '../src/util/log.js';
import { runCompiled } from './compiled.js';
import { report } from './report.js';

const TARGET_MB = 200;
const HERE = path.dirname(fileURLToPath(import.meta.url));

if (process.argv[2] === '--measure') await measure(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
else await orchestrate(Number(process.argv[2] ?? 10_000));

async function orchestrate(n: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swbench-k8s-'));
  const serve = path.join(HERE, '../src/sources/k8s-watch/testing/serve.ts');
  const fake = spawn(process.execPath, ['--import', 'tsx', serve, String(n), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const ready = await new Promise<{ kubeconfig: string; bytes: number }>((resolve, reject) => {
      let buf = '';
      fake.stdout!.setEncoding('utf8').on('data', (c: string) => {
        buf += c;
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as { kubeconfig: string; bytes: number });
      });
      fake.once('exit', (code) => reject(new Error(`fake API server exited (${code})`)));
    });
    const code = await runCompiled(import.meta.url, ['--measure', ready.kubeconfig, String(n), String(ready.bytes)]);
    if (code !== 0) process.exitCode = code;
  } finally {
    fake.stdin!.end();
    if (fake.exitCode === null) await new Promise((r) => fake.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(kubeconfig: string, n: number, bytes: number): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const rssAfterGc = () => {
    for (let i = 0; i < 3; i += 1) gc();
    return process.memoryUsage().rss / 1024 / 1024;
  };
  const { kc } = await loadKubeConfig({ kubeconfig, in_cluster: 'false' });
  const api = await createKubeApi(kc);
  const baseline = rssAfterGc();
  let emitted = 0;
  const emitter: Emitter = { emit: () => void (emitted += 1), flush: async () => undefined };
  const source = new K8sWatchSource({
    api, cfg: parseK8sWatchConfig({ watch_enabled: true, watch_resources: ['pods'] }), emitter, metrics: new CollectorMetrics(), log: silentLogger(), hostName: 'bench',
  });
  const t0 = process.hrtime.bigint();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1024 / 1024)), 10);
  source.start();
  while (!(source.status().synced && source.status().connected)) await new Promise((r) => setTimeout(r, 20));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  const objects = source.status().resources.pods!.objects;
  await new Promise((r) => setTimeout(r, 200));
  const rss = rssAfterGc();
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  report(`k8s-watch RSS after GC, ${n.toLocaleString('en-US')} pods listed + watched`, rss, 'MB', TARGET_MB,
    `${objects} pods cached (${(bytes / 1024 / 1024).toFixed(0)} MB of pod JSON listed in ${secs.toFixed(2)} s, pages of 500), heap used ${heap.toFixed(0)} MB, `
    + `RSS before the source started ${baseline.toFixed(0)} MB (Node + @kubernetes/client-node), peak while listing ${peak.toFixed(0)} MB, ${emitted} events emitted`, true);
  await source.stop();
}
