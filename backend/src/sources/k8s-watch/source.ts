import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import type { Logger } from '../../util/log.js';
import type { KubeApi } from './api.js';
import type { K8sWatchConfig } from './config.js';
import { watchResource } from './resources.js';
import { ResourceWatcher, type ResourceWatcherStatus } from './watcher.js';

export interface K8sWatchSourceOptions {
  api: KubeApi;
  cfg: K8sWatchConfig;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  /** Where the connection came from (kubeconfig path or in-cluster), for the status. */
  origin?: string;
  /** Test hooks, passed to every watcher. */
  backoffBaseMs?: number;
  random?: () => number;
  onRetry?: (delayMs: number, reason: string) => void;
}

export interface K8sWatchSourceStatus {
  connected: boolean;
  server: string;
  origin?: string;
  synced: boolean;
  resources: Record<string, ResourceWatcherStatus>;
  events: number;
  restarts: number;
  relists: number;
  malformed: number;
}

/**
 * The `kubernetes` source: one ResourceWatcher per watched resource (per namespace when
 * k8s.watch_namespaces is set), all emitting into the pipeline.
 */
export class K8sWatchSource {
  readonly watchers: ResourceWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: K8sWatchSourceOptions) {
    const { cfg } = o;
    const namespaces = cfg.watch_namespaces.length > 0 ? cfg.watch_namespaces : [undefined];
    for (const name of new Set(cfg.watch_resources)) {
      const resource = watchResource(name);
      if (!resource) throw new Error(`k8s.watch_resources: unknown resource ${name}`);
      for (const namespace of resource.namespaced ? namespaces : [undefined]) {
        this.watchers.push(new ResourceWatcher({
          resource, ...(namespace ? { namespace } : {}), api: o.api, emitter: o.emitter, metrics: o.metrics, log: o.log, hostName: o.hostName,
          pageSize: cfg.watch_page_size, watchTimeoutMs: cfg.watch_timeout, staleAfterMs: cfg.watch_stale_after, backoffMaxMs: cfg.watch_backoff_max,
          eventReasons: cfg.watch_event_reasons, emitExisting: cfg.watch_emit_existing,
          ...(o.backoffBaseMs !== undefined ? { backoffBaseMs: o.backoffBaseMs } : {}), ...(o.random ? { random: o.random } : {}),
          ...(o.onRetry ? { onRetry: o.onRetry } : {}),
        }));
      }
    }
    o.metrics.sourceConnected.set({ source: 'kubernetes' }, 0);
  }

  start(): void {
    for (const w of this.watchers) w.start();
    // The connection gauge follows the watchers' state (they change it on their own schedule).
    this.timer = setInterval(() => this.o.metrics.sourceConnected.set({ source: 'kubernetes' }, this.status().connected ? 1 : 0), 1000);
    this.timer.unref();
    this.o.log.info({ server: this.o.api.server, origin: this.o.origin, watches: this.watchers.map((w) => w.key) }, 'kubernetes watch source started');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.watchers.map((w) => w.stop()));
    this.o.metrics.sourceConnected.set({ source: 'kubernetes' }, 0);
  }

  status(): K8sWatchSourceStatus {
    const resources: Record<string, ResourceWatcherStatus> = {};
    let events = 0;
    let restarts = 0;
    let relists = 0;
    let malformed = 0;
    for (const w of this.watchers) {
      const s = w.status();
      resources[w.key] = s;
      events += s.events;
      restarts += s.restarts;
      relists += s.relists;
      malformed += s.malformed;
    }
    const all = Object.values(resources);
    return {
      connected: all.length > 0 && all.every((s) => s.connected),
      server: this.o.api.server,
      ...(this.o.origin ? { origin: this.o.origin } : {}),
      synced: all.every((s) => s.synced),
      resources, events, restarts, relists, malformed,
    };
  }
}
