import type { ShipEvent } from '../../event/event.js';
import { nowRfc3339 } from '../../event/time.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import {
  coreEventWanted, normalizeCoreEvent, normalizeWatchedObject, type WatchAction, type WatchEventType,
} from '../../transforms/normalize/k8s-watch.js';
import { Backoff, sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import { GoneError, type KubeApi, type WatchEnd } from './api.js';
import { changedAspects, isObj, malformedReason, project, stripConfigMapData, type Projection } from './projection.js';
import { collectionPath, type WatchResource } from './resources.js';

export interface ResourceWatcherSettings {
  pageSize: number;
  watchTimeoutMs: number;
  staleAfterMs: number;
  backoffMaxMs: number;
  /** First retry delay; later ones double up to backoffMaxMs (full jitter). */
  backoffBaseMs?: number;
  eventReasons: readonly string[];
  emitExisting: boolean;
}

export interface ResourceWatcherOptions extends ResourceWatcherSettings {
  resource: WatchResource;
  /** Only for namespaced resources; undefined: all namespaces. */
  namespace?: string;
  api: KubeApi;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  random?: () => number;
  /** Test hook: called with each retry delay chosen. */
  onRetry?: (delayMs: number, reason: string) => void;
}

export interface ResourceWatcherStatus {
  state: 'starting' | 'listing' | 'watching' | 'backoff' | 'stopped';
  /** The last list or watch attempt succeeded (a clean close of a watch does not count against it). */
  connected: boolean;
  /** The first list completed: the cache reflects the cluster. */
  synced: boolean;
  objects: number;
  resource_version?: string;
  events: number;
  restarts: number;
  relists: number;
  bookmarks: number;
  malformed: number;
  filtered: number;
  last_event_time?: string;
  last_event_action?: string;
  last_error?: string;
}

/** Reasons a watch is restarted, as counted in shipwatch_k8s_watch_restarts_total. */
type RestartReason = 'closed' | 'error' | 'stale' | 'gone';

/**
 * One resource (in one namespace, or in all): list, then watch from the list's resourceVersion,
 * forever. Our own resilience around the client library's watch:
 * - any end of a watch restarts it from the last resourceVersion seen (object or bookmark);
 * - errors and silent streams back off exponentially with jitter, capped at backoffMaxMs;
 * - 410 Gone (resourceVersion compacted away) relists and diffs the list against the cache, so only
 *   real differences are reported and nothing is reported deleted that still exists;
 * - a watchdog (in KubeApi.watch) ends a watch that delivered nothing for staleAfterMs.
 */
export class ResourceWatcher {
  private readonly cache = new Map<string, Projection>();
  private readonly backoff: Backoff;
  private rv: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly st: ResourceWatcherStatus = {
    state: 'starting', connected: false, synced: false, objects: 0, events: 0, restarts: 0, relists: 0, bookmarks: 0, malformed: 0, filtered: 0,
  };
  private malformedLogged = 0;
  readonly key: string;
  private readonly path: string;

  constructor(private readonly o: ResourceWatcherOptions) {
    this.backoff = new Backoff(o.backoffBaseMs ?? 500, o.backoffMaxMs, o.random);
    this.key = o.resource.namespaced && o.namespace ? `${o.resource.name}@${o.namespace}` : o.resource.name;
    this.path = collectionPath(o.resource, o.resource.namespaced ? o.namespace : undefined);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.st.state = 'stopped';
    this.st.connected = false;
  }

  status(): ResourceWatcherStatus {
    return { ...this.st, objects: this.cache.size, ...(this.rv !== undefined ? { resource_version: this.rv } : {}) };
  }

  private get resource(): string {
    return this.o.resource.name;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let reason: RestartReason;
      let immediate = false;
      try {
        if (this.rv === undefined) await this.relist();
        if (signal.aborted) break;
        const delivered = this.st.events + this.st.bookmarks + this.st.filtered + this.st.malformed;
        const opened = Date.now();
        this.st.state = 'watching';
        const end = await this.watchOnce();
        if (end.kind === 'stopped') break;
        reason = this.handleEnd(end);
        const worked = this.st.events + this.st.bookmarks + this.st.filtered + this.st.malformed > delivered || Date.now() - opened >= 1000;
        // A watch that was working and that the server simply ended (timeoutSeconds), or that ran
        // into 410 after working, comes back at once; errors, silent streams and watches that fail
        // as soon as they open wait longer and longer.
        immediate = (reason === 'gone' || reason === 'closed') && worked;
      } catch (err) {
        if (signal.aborted) break;
        reason = err instanceof GoneError ? 'gone' : 'error';
        if (reason === 'gone') this.rv = undefined;
        this.fail(err);
      }
      this.st.restarts += 1;
      this.o.metrics.k8sWatchRestarts.inc({ resource: this.resource, reason });
      if (immediate) {
        this.backoff.reset();
        continue;
      }
      const delay = this.backoff.next();
      this.o.onRetry?.(delay, reason);
      this.st.state = 'backoff';
      await sleep(delay, signal);
    }
    this.st.state = 'stopped';
  }

  private handleEnd(end: Exclude<WatchEnd, { kind: 'stopped' }>): RestartReason {
    switch (end.kind) {
      case 'closed':
        this.o.log.debug({ resource: this.key }, 'kubernetes watch closed by the server; resuming');
        return 'closed';
      case 'gone':
        this.o.log.info({ resource: this.key, resource_version: this.rv, reason: end.message }, 'kubernetes watch: resourceVersion too old; relisting');
        this.rv = undefined;
        return 'gone';
      case 'stale':
        this.fail(new Error(`no event or bookmark for ${this.o.staleAfterMs} ms; watch torn down and restarted`));
        return 'stale';
      case 'error':
        this.fail(end.error);
        return 'error';
    }
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const was = this.st.connected;
    this.st.connected = false;
    this.st.last_error = message;
    if (was) this.o.log.warn({ resource: this.key, reason: message }, 'kubernetes watch interrupted; retrying with backoff');
    else this.o.log.debug({ resource: this.key, reason: message }, 'kubernetes watch still failing');
  }

  private up(): void {
    if (!this.st.connected) this.o.log.debug({ resource: this.key }, 'kubernetes watch connected');
    this.st.connected = true;
    this.st.last_error = undefined;
  }

  private watchOnce(): Promise<WatchEnd> {
    // Jittered down to half, like client-go's reflector, so that watches started together do not
    // all end (and reconnect) together.
    const full = Math.max(1, Math.round(this.o.watchTimeoutMs / 1000));
    const timeoutSeconds = Math.max(1, Math.round(full * (0.5 + 0.5 * (this.o.random ?? Math.random)())));
    return this.o.api.watch({
      path: this.path, resourceVersion: this.rv!, timeoutSeconds, staleAfterMs: this.o.staleAfterMs, signal: this.abort.signal,
      onOpen: () => this.up(),
      onEvent: (type, object) => {
        try {
          this.onWatchEvent(type, object);
        } catch (err) {
          this.malformed(`cannot process it: ${err instanceof Error ? err.message : String(err)}`, object);
        }
      },
    });
  }

  /** A full list (paginated), diffed against the cache: only real differences are emitted. */
  private async relist(): Promise<void> {
    const initial = !this.st.synced;
    this.st.state = 'listing';
    this.st.relists += 1;
    this.o.metrics.k8sWatchRelists.inc({ resource: this.resource, cause: initial ? 'initial' : 'gone' });
    const seen = new Set<string>();
    const silent = initial && !this.o.emitExisting;
    let cont: string | undefined;
    let rv = '';
    const counts = { create: 0, update: 0, delete: 0 };
    do {
      const page = await this.o.api.list(this.path, { limit: this.o.pageSize, ...(cont ? { continue: cont } : {}) }, this.abort.signal);
      this.up();
      for (const item of page.items) {
        const r = this.applyListed(item, seen, silent);
        if (r) counts[r] += 1;
      }
      cont = page.continue;
      rv = page.resourceVersion;
    } while (cont && !this.abort.signal.aborted);
    if (this.abort.signal.aborted) return;
    if (!initial) {
      for (const [uid, p] of this.cache) {
        if (seen.has(uid)) continue;
        this.cache.delete(uid);
        if (this.resource === 'events') continue; // expired occurrences: nothing happened
        counts.delete += 1;
        this.emit('delete', this.normalize('delete', projectionObject(p), 'RELIST', undefined, true));
      }
    }
    this.rv = rv;
    this.st.synced = true;
    this.o.metrics.k8sWatchObjects.set({ resource: this.key }, this.cache.size);
    const level = initial ? 'info' : 'warn';
    this.o.log[level]({ resource: this.key, objects: this.cache.size, resource_version: rv, ...(initial ? {} : counts) },
      initial ? 'kubernetes resource listed; watching' : 'kubernetes resource relisted after a gap; differences reported');
  }

  private applyListed(item: unknown, seen: Set<string>, silent: boolean): WatchAction | undefined {
    const bad = malformedReason(item);
    if (bad) {
      this.malformed(bad, item);
      return undefined;
    }
    const obj = this.resource === 'configmaps' ? stripConfigMapData(item as Record<string, unknown>) : item as Record<string, unknown>;
    const p = project(this.resource, obj);
    seen.add(p.uid);
    const prev = this.cache.get(p.uid);
    if (this.resource === 'events') {
      if (!coreEventWanted(obj, this.o.eventReasons)) return undefined;
      this.cache.set(p.uid, p);
      if (silent || (prev && changedAspects('events', prev, p).length === 0)) return undefined;
      this.emitCoreEvent(obj, 'RELIST', true);
      return prev ? 'update' : 'create';
    }
    this.cache.set(p.uid, p);
    if (!prev) {
      if (silent) return undefined;
      this.emit('create', this.normalize('create', obj, 'RELIST', undefined, !this.isInitialList()));
      return 'create';
    }
    const changed = changedAspects(this.resource, prev, p);
    if (changed.length === 0) return undefined;
    this.emit('update', this.normalize('update', obj, 'RELIST', changed, true));
    return 'update';
  }

  private isInitialList(): boolean {
    return !this.st.synced;
  }

  private onWatchEvent(type: unknown, object: unknown): void {
    if (type === 'BOOKMARK') {
      const rv = isObj(object) && isObj(object.metadata) ? object.metadata.resourceVersion : undefined;
      if (typeof rv !== 'string' || !rv) return this.malformed('bookmark without metadata.resourceVersion', object);
      this.rv = rv;
      this.st.bookmarks += 1;
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return this.malformed(`unknown watch event type ${JSON.stringify(type)}`, object);
    const bad = malformedReason(object);
    if (bad) return this.malformed(bad, object);
    const obj = this.resource === 'configmaps' ? stripConfigMapData(object as Record<string, unknown>) : object as Record<string, unknown>;
    const p = project(this.resource, obj);
    if (p.resourceVersion) this.rv = p.resourceVersion;
    const prev = this.cache.get(p.uid);
    if (this.resource === 'events') {
      if (type === 'DELETED') {
        this.cache.delete(p.uid);
      } else if (!coreEventWanted(obj, this.o.eventReasons)) {
        this.st.filtered += 1;
      } else {
        this.cache.set(p.uid, p);
        if (!prev || changedAspects('events', prev, p).length > 0) this.emitCoreEvent(obj, type, false);
      }
      this.o.metrics.k8sWatchObjects.set({ resource: this.key }, this.cache.size);
      return;
    }
    if (type === 'DELETED') {
      this.cache.delete(p.uid);
      this.emit('delete', this.normalize('delete', obj, type));
    } else {
      this.cache.set(p.uid, p);
      if (!prev) {
        this.emit('create', this.normalize('create', obj, type));
      } else {
        const changed = changedAspects(this.resource, prev, p);
        if (changed.length > 0) this.emit('update', this.normalize('update', obj, type, changed));
      }
    }
    this.o.metrics.k8sWatchObjects.set({ resource: this.key }, this.cache.size);
  }

  private normalize(action: WatchAction, obj: Record<string, unknown>, watchType: WatchEventType, changed?: string[], reconciled = false): ShipEvent {
    return normalizeWatchedObject(this.resource, action, obj, {
      hostName: this.o.hostName, kind: this.o.resource.kind, ...(this.o.resource.group ? { apiGroup: this.o.resource.group } : {}),
      watchType, reconciled, seenAt: nowRfc3339(), ...(changed ? { changed } : {}),
    });
  }

  private emitCoreEvent(obj: Record<string, unknown>, watchType: WatchEventType, reconciled: boolean): void {
    const ev = normalizeCoreEvent(obj, { hostName: this.o.hostName, watchType, reconciled, seenAt: nowRfc3339() });
    this.emit(ev.event.action, ev);
  }

  private emit(action: string, ev: ShipEvent): void {
    this.st.events += 1;
    this.st.last_event_time = ev.event.time;
    this.st.last_event_action = action;
    this.o.metrics.k8sWatchEvents.inc({ resource: this.resource, action: this.resource === 'events' ? 'event' : action });
    this.o.emitter.emit(ev);
  }

  private malformed(reason: string, object: unknown): void {
    this.st.malformed += 1;
    this.o.metrics.malformedTotal.inc({ source: 'kubernetes' });
    // The first few in full, then one line per hundred: a broken stream must not flood the log.
    if (this.malformedLogged < 5 || this.st.malformed % 100 === 0) {
      this.malformedLogged += 1;
      let sample = '';
      try {
        sample = JSON.stringify(object)?.slice(0, 300) ?? String(object);
      } catch {
        sample = String(object);
      }
      this.o.log.warn({ resource: this.key, reason, sample, malformed_total: this.st.malformed }, 'kubernetes object skipped: malformed');
    }
  }
}

/** The object a relist-detected delete is reported with: what the cache kept. */
function projectionObject(p: Projection): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: p.name, uid: p.uid, resourceVersion: p.resourceVersion };
  if (p.namespace) metadata.namespace = p.namespace;
  if (p.labels) metadata.labels = p.labels;
  const o: Record<string, unknown> = { metadata };
  if (p.node) o.spec = { nodeName: p.node };
  if (p.phase) o.status = { phase: p.phase };
  return o;
}
