import type { IncomingMessage } from 'node:http';
import type { ContainerFields } from '../../event/event.js';
import { nanosToDockerSince, nanosToRfc3339, rfc3339ToNanos } from '../../event/time.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import type { Store } from '../../sinks/store/store.js';
import { normalizeDockerEvent, type DockerRawEvent } from '../../transforms/normalize/docker.js';
import { Backoff, sleep } from '../../util/backoff.js';
import { LineSplitter } from '../../util/lines.js';
import type { Logger } from '../../util/log.js';
import { describeEndpoint, type DockerClient } from './client.js';
import { ContainerCache } from './enrich.js';
import type { ContainerInspect } from './inspect.js';
import { containerFromInspect } from './inspect.js';
import { EventPosition } from './position.js';
import { reconcileEvents, type ContainerSummary } from './reconcile.js';

export interface DockerSourceOptions {
  client: DockerClient;
  store: Store;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  queueMax: number;
  reconnectMaxMs: number;
  inspectTimeoutMs: number;
  selfContainerId?: string;
}

interface Queued {
  line: string;
  raw?: DockerRawEvent;
  nanos?: string;
  reconciled?: boolean;
}

const TIME_NANO = /"timeNano":(\d+)/;
const WORK_SLICE = 1024;

export interface DockerSourceStatus {
  connected: boolean;
  endpoint: string;
  engine?: { id: string; version: string };
  last_event_time?: string;
  events_received: number;
  duplicates_skipped: number;
  reconciled_events: number;
  reconnects: number;
  queue_depth: number;
  dropped: number;
  malformed: number;
  last_error?: string;
}

/**
 * The Docker events source: follows `/events`, resumes from a durable position after any gap,
 * and reconciles against the container list for what the engine no longer remembers.
 */
export class DockerSource {
  private readonly abort = new AbortController();
  private readonly cache: ContainerCache;
  private readonly backoff: Backoff;
  private readonly queue: Queued[] = [];
  private queueHead = 0;
  private wake: (() => void) | undefined;
  private idle: (() => void)[] = [];
  private working = false;
  private position = new EventPosition(undefined);
  private positionKey = '';
  private loop: Promise<void> | undefined;
  private worker: Promise<void> | undefined;
  readonly state: DockerSourceStatus;

  constructor(private readonly o: DockerSourceOptions) {
    this.cache = new ContainerCache(o.client, o.log, o.inspectTimeoutMs, o.selfContainerId);
    this.backoff = new Backoff(500, o.reconnectMaxMs);
    this.state = {
      connected: false, endpoint: describeEndpoint(o.client.endpoint), events_received: 0, duplicates_skipped: 0,
      reconciled_events: 0, reconnects: 0, queue_depth: 0, dropped: 0, malformed: 0,
    };
    for (const c of o.store.inventory.list()) this.cache.seed({ id: c.id, name: c.name ?? undefined, image: c.image ?? undefined, image_id: c.image_id ?? undefined, labels: c.labels, ...c.posture });
    o.metrics.sourceConnected.set({ source: 'docker' }, 0);
  }

  start(): void {
    this.worker = this.work();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
    await this.worker;
    this.o.client.close();
  }

  status(): DockerSourceStatus {
    return { ...this.state, queue_depth: this.queue.length - this.queueHead };
  }

  private async run(): Promise<void> {
    const { log } = this.o;
    let announcedDown = false;
    while (!this.abort.signal.aborted) {
      try {
        await this.session();
        if (this.abort.signal.aborted) break;
        log.warn({ endpoint: this.state.endpoint }, 'docker events stream ended; reconnecting');
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const message = err instanceof Error ? err.message : String(err);
        this.state.last_error = message;
        if (this.state.connected || !announcedDown) {
          log.warn({ endpoint: this.state.endpoint, reason: message }, 'docker engine not reachable; retrying with backoff');
          announcedDown = true;
        } else {
          log.debug({ reason: message }, 'docker engine still not reachable');
        }
      }
      this.setConnected(false);
      await sleep(this.backoff.next(), this.abort.signal);
    }
    this.setConnected(false);
  }

  private setConnected(up: boolean): void {
    this.state.connected = up;
    this.o.metrics.sourceConnected.set({ source: 'docker' }, up ? 1 : 0);
  }

  /** One connection: replay from the position, reconcile, then follow live events until the stream ends. */
  private async session(): Promise<void> {
    const { client, store, log } = this.o;
    const info = await client.getJson<{ ID: string; ServerVersion: string; SystemTime: string }>('/info');
    const firstConnect = this.state.engine === undefined;
    if (!firstConnect) {
      this.state.reconnects += 1;
      this.o.metrics.sourceReconnects.inc({ source: 'docker' });
    }
    this.state.engine = { id: info.ID, version: info.ServerVersion };
    this.positionKey = `docker.events.${info.ID}`;
    if (firstConnect) this.position = EventPosition.parse(store.position(this.positionKey));
    const engineNow = rfc3339ToNanos(info.SystemTime) ?? BigInt(Date.now()) * 1_000_000n;
    this.setConnected(true);
    this.backoff.reset();
    this.state.last_error = undefined;
    log.info({ endpoint: this.state.endpoint, engine: info.ID, version: info.ServerVersion, resume_from: this.position.nanos?.toString() ?? null }, 'docker engine connected');

    if (this.position.nanos === undefined) {
      this.position.advance(engineNow, '');
      await this.seedInventory(nanosToRfc3339(engineNow));
    } else {
      await this.follow({ since: nanosToDockerSince(this.position.nanos), until: nanosToDockerSince(engineNow) });
      await this.whenIdle();
      await this.reconcile(engineNow);
    }
    await this.follow({ since: nanosToDockerSince(this.position.nanos ?? engineNow) });
  }

  /** Streams `/events` into the queue; resolves when the engine ends the stream. */
  private async follow(query: Record<string, string>): Promise<void> {
    const res: IncomingMessage = await this.o.client.stream('/events', query, this.abort.signal);
    const splitter = new LineSplitter((line) => this.enqueue({ line }), 1024 * 1024);
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => splitter.push(chunk));
      res.on('end', () => {
        splitter.end();
        resolve();
      });
      res.on('error', (err) => (this.abort.signal.aborted ? resolve() : reject(err)));
      // 'close' is the one event a destroyed response always emits (abort, reset, engine gone).
      res.on('close', () => resolve());
    });
  }

  private enqueue(item: Queued): void {
    if (this.queue.length - this.queueHead >= this.o.queueMax) {
      this.state.dropped += 1;
      this.o.metrics.dropsTotal.inc({ stage: 'docker_events', reason: 'queue_full' });
      return;
    }
    this.queue.push(item);
    this.wake?.();
  }

  private whenIdle(): Promise<void> {
    // Once stopping, the worker is gone: nothing more will be taken, so nothing to wait for.
    if (this.abort.signal.aborted || (!this.working && this.queueHead >= this.queue.length)) return this.o.emitter.flush();
    return new Promise<void>((resolve) => this.idle.push(resolve)).then(() => this.o.emitter.flush());
  }

  /** Takes queued lines in order; awaiting inspect here never stalls the socket reader. */
  private async work(): Promise<void> {
    while (!this.abort.signal.aborted) {
      if (this.queueHead >= this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
        this.working = false;
        for (const resolve of this.idle.splice(0)) resolve();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      this.working = true;
      // A slice at a time, then back to the event loop: cache hits resolve as microtasks only,
      // and without this yield neither the socket reader nor the store commit would get a turn.
      const end = Math.min(this.queue.length, this.queueHead + WORK_SLICE);
      while (this.queueHead < end) {
        const item = this.queue[this.queueHead]!;
        this.queue[this.queueHead] = undefined as unknown as Queued;
        this.queueHead += 1;
        try {
          await this.handle(item);
        } catch (err) {
          this.state.malformed += 1;
          this.o.metrics.malformedTotal.inc({ source: 'docker' });
          this.o.log.warn({ err: err instanceof Error ? err.message : String(err), line: item.line.slice(0, 500) }, 'docker event skipped: cannot process it');
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async handle(item: Queued): Promise<void> {
    let raw = item.raw;
    let nanosText = item.nanos;
    if (!raw) {
      nanosText = TIME_NANO.exec(item.line)?.[1];
      try {
        raw = JSON.parse(item.line) as DockerRawEvent;
      } catch {
        throw new Error('not JSON');
      }
      if (typeof raw !== 'object' || raw === null || typeof raw.Type !== 'string' || typeof raw.Action !== 'string') {
        throw new Error('not a Docker event (no Type/Action)');
      }
    }
    const ev = normalizeDockerEvent(raw, nanosText, this.o.hostName);
    let checkpoint;
    if (!item.reconciled) {
      const nanos = nanosText ? BigInt(nanosText) : undefined;
      if (nanos !== undefined) {
        const hash = EventPosition.hash(item.line);
        if (this.position.isDuplicate(nanos, hash)) {
          this.state.duplicates_skipped += 1;
          return;
        }
        this.position.advance(nanos, hash);
        checkpoint = { key: this.positionKey, value: this.position.serialize() };
      }
      this.state.events_received += 1;
    } else {
      ev.event.reconciled = true;
      this.state.reconciled_events += 1;
    }
    await this.cache.enrich(ev);
    this.state.last_event_time = ev.event.time;
    this.o.emitter.emit(ev, checkpoint);
  }

  private async listEngine(): Promise<{ summary: ContainerSummary; inspect: ContainerInspect }[]> {
    const list = await this.o.client.getJson<ContainerSummary[]>('/containers/json', { all: '1' });
    const out: { summary: ContainerSummary; inspect: ContainerInspect }[] = [];
    for (const summary of list) {
      const r = await this.cache.inspect(summary.Id);
      if (r) out.push({ summary, inspect: r.raw });
    }
    return out;
  }

  /** First start on this engine: record what runs without raising events for it. */
  private async seedInventory(now: string): Promise<void> {
    const engine = await this.listEngine();
    this.o.store.seedInventory(engine.map(({ inspect }) => {
      const f: ContainerFields = containerFromInspect(inspect);
      const { id, name, image, image_id, labels, compose: _compose, ...posture } = f;
      const zero = (t: string | undefined) => (t && !t.startsWith('0001-') ? t : null);
      return {
        id, name: name ?? null, image: image ?? null, image_id: image_id ?? null,
        state: inspect.State?.Status ?? 'created', health: inspect.State?.Health?.Status ?? null, exit_code: inspect.State?.ExitCode ?? null,
        created_at: zero(inspect.Created), started_at: zero(inspect.State?.StartedAt), finished_at: zero(inspect.State?.FinishedAt),
        labels: labels ?? {}, posture, updated_time: now,
      };
    }), { key: this.positionKey, value: this.position.serialize() });
    this.o.log.info({ containers: engine.length }, 'docker inventory seeded (first start on this engine)');
  }

  private async reconcile(cutoff: bigint): Promise<void> {
    const engine = await this.listEngine();
    const synthetic = reconcileEvents(this.o.store.inventory.list(), engine, cutoff);
    for (const s of synthetic) this.enqueue({ line: '', raw: s.raw, nanos: s.nanos, reconciled: true });
    if (synthetic.length > 0) this.o.log.info({ events: synthetic.length }, 'docker reconcile: reported what happened while not listening');
    await this.whenIdle();
  }
}
