import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShipEvent } from '../../../event/event.js';
import { CollectorMetrics } from '../../../metrics/registry.js';
import type { Emitter } from '../../../pipeline/emitter.js';
import { silentLogger } from '../../../util/log.js';
import { createKubeApi, type KubeApi } from '../api.js';
import { parseK8sWatchConfig, type K8sWatchConfigInput } from '../config.js';
import { loadKubeConfig } from '../kubeconfig.js';
import { K8sWatchSource } from '../source.js';
import { FakeApiServer } from './fake-apiserver.js';

/** An emitter that keeps what it is given. */
export class CollectingEmitter implements Emitter {
  readonly events: ShipEvent[] = [];
  emit(event: ShipEvent): void {
    this.events.push(event);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  of(resource: string, action?: string): ShipEvent[] {
    return this.events.filter((e) => (e.k8s as { resource?: string }).resource === resource && (!action || e.event.action === action));
  }
}

export interface Harness {
  fake: FakeApiServer;
  api: KubeApi;
  source: K8sWatchSource;
  emitter: CollectingEmitter;
  metrics: CollectorMetrics;
  retries: { delay: number; reason: string }[];
  close: () => Promise<void>;
}

/** A fake API server, a kubeconfig file for it, and a watch source on it (not started). */
export async function harness(cfg: K8sWatchConfigInput, opts: { backoffBaseMs?: number; random?: () => number; seed?: (f: FakeApiServer) => void } = {}): Promise<Harness> {
  const fake = await FakeApiServer.start();
  opts.seed?.(fake);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swk8s-'));
  const { kc } = await loadKubeConfig({ kubeconfig: fake.writeKubeconfig(dir), in_cluster: 'false' });
  const api = await createKubeApi(kc);
  const emitter = new CollectingEmitter();
  const metrics = new CollectorMetrics();
  const retries: { delay: number; reason: string }[] = [];
  const source = new K8sWatchSource({
    api, cfg: parseK8sWatchConfig({ watch_enabled: true, watch_stale_after: '2s', watch_backoff_max: '200ms', ...cfg }), emitter, metrics,
    log: silentLogger(), hostName: 'test', backoffBaseMs: opts.backoffBaseMs ?? 20, ...(opts.random ? { random: opts.random } : {}),
    onRetry: (delay, reason) => retries.push({ delay, reason }),
  });
  return {
    fake, api, source, emitter, metrics, retries,
    close: async () => {
      await source.stop();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns something other than undefined/false. */
export async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function metricValue(metrics: CollectorMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return m?.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0) ?? 0;
}
