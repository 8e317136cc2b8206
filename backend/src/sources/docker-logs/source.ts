import type { Checkpoint, ShipEvent } from '../../event/event.js';
import { rfc3339ToNanos } from '../../event/time.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import type { Store } from '../../sinks/store/store.js';
import { Backoff, sleep } from '../../util/backoff.js';
import { LineSplitter } from '../../util/lines.js';
import type { Logger } from '../../util/log.js';
import { describeEndpoint, type DockerClient } from '../docker/client.js';
import type { ContainerInspect } from '../docker/inspect.js';
import type { LogsConfig } from './config.js';
import { ContainerFilter, type ContainerIdentity } from './filter.js';
import { Follower, type FollowerHost, type FollowerState } from './follower.js';
import { logMetrics, type LogMetrics } from './metrics.js';
import type { StoredPosition } from './position.js';
import { PositionTable, sessionKey } from './positions.js';
import { streamGet, type LogStream } from './stream.js';
import { splitNanos } from './timestamp.js';

export interface DockerLogSourceOptions {
  client: DockerClient;
  store: Store;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  cfg: LogsConfig;
  /** The collector's own container (`logs.self_container_id` wins when set). */
  selfContainerId?: string;
  /** Longest wait between reconnection attempts (default 30 s). */
  reconnectMaxMs?: number;
  /** Timeout of one inspect (default 5 s). */
  inspectTimeoutMs?: number;
  /** Lines emitted but not yet committed after which every reader pauses until a commit (default 20,000). */
  maxUncommitted?: number;
}

export interface DockerLogContainerStatus {
  id: string;
  name: string;
  state: FollowerState;
  tty: boolean;
  lines: number;
  bytes: number;
  errors: number;
  last_line_time?: string;
  position?: { since: string; skip: number; last?: string; done?: string };
}

export interface DockerLogSourceStatus {
  enabled: boolean;
  connected: boolean;
  endpoint: string;
  /** Containers being read now (following or reading to the end). */
  followers: number;
  /** Containers waiting for a free slot (logs.max_followers). */
  waiting: number;
  lines: number;
  bytes: number;
  truncated: number;
  /** Lines served again at a resume point and skipped because they were already taken. */
  duplicates_skipped: number;
  errors: number;
  last_error?: string;
  containers: DockerLogContainerStatus[];
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  Labels?: Record<string, string> | null;
  State?: string;
}

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  id?: string;
}

const DROP_REASONS = new Set(['unsupported_driver', 'engine', 'stdin_frame']);
const EVENT_FILTERS = JSON.stringify({ type: ['container'], event: ['start', 'die', 'destroy', 'rename'] });

/** A counting semaphore with a FIFO of waiters; `open()` lets everyone through (stop). */
class Slots {
  private used = 0;
  private readonly queue: (() => void)[] = [];
  private opened = false;

  constructor(private readonly size: number) {}

  acquire(): Promise<() => void> {
    if (this.opened) return Promise.resolve(() => undefined);
    if (this.used < this.size) {
      this.used += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.queue.push(() => resolve(this.opened ? () => undefined : this.releaser())));
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next && !this.opened) next(); // the slot passes on
      else this.used -= 1;
    };
  }

  open(): void {
    this.opened = true;
    for (const w of this.queue.splice(0)) w();
  }

  get waiting(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.used;
  }
}

/**
 * Container logs from the Docker engine (DESIGN.md §3 `log.*`): one follower per container reads
 * `GET /containers/{id}/logs` from a durable position, in the container's own order, with
 * Docker's nanosecond timestamps; each line becomes a decoded log event whose checkpoint is the
 * position after it, so what the sinks acknowledged is exactly what is never read again.
 *
 * Which containers: those running (found by listing and by start events), and those that stopped
 * with lines not read yet (read to their end). Where a container without a stored position starts:
 * at the engine time of the previous start of this source (everything it logged since then was
 * never read), or, on the very first start, at `logs.initial_position`.
 */
export class DockerLogSource implements FollowerHost {
  private readonly abort = new AbortController();
  private readonly followers = new Map<string, Follower>();
  private readonly running = new Set<Promise<void>>();
  private readonly filter: ContainerFilter;
  private readonly positions: PositionTable;
  private readonly slots: Slots;
  private readonly inspects = new Slots(8);
  private readonly backoff: Backoff;
  private readonly m: LogMetrics;
  private readonly log: Logger;
  private loop: Promise<void> | undefined;
  private connected = false;
  private sessions = 0;
  /** Unix ns (decimal) where containers without a position start; undefined until the first list. */
  private marker: string | undefined;
  private firstRun = false;
  private engineNow = '0';
  private uncommitted = 0;
  private reliefPromise: Promise<void> | undefined;
  private totals = { lines: 0, bytes: 0, truncated: 0, duplicates_skipped: 0, errors: 0 };
  private lastError: string | undefined;
  readonly hostName: string;
  readonly maxLineBytes: number;
  readonly reconnectMaxMs: number;
  private readonly inspectTimeoutMs: number;
  private readonly maxUncommitted: number;

  constructor(private readonly o: DockerLogSourceOptions) {
    this.hostName = o.hostName;
    this.maxLineBytes = o.cfg.max_line_bytes;
    this.reconnectMaxMs = o.reconnectMaxMs ?? 30_000;
    this.inspectTimeoutMs = o.inspectTimeoutMs ?? 5_000;
    this.maxUncommitted = o.maxUncommitted ?? 20_000;
    this.log = o.log;
    this.filter = new ContainerFilter(o.cfg, o.cfg.self_container_id ?? o.selfContainerId);
    this.positions = new PositionTable(o.store);
    this.slots = new Slots(o.cfg.max_followers);
    this.backoff = new Backoff(500, this.reconnectMaxMs);
    this.m = logMetrics(o.metrics.registry);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    if (!this.o.cfg.enabled || this.loop) return;
    this.loop = this.run();
  }

  /** Stops reading; what was emitted is flushed. The client belongs to the caller (not closed). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.slots.open();
    this.inspects.open();
    await this.loop;
    await Promise.allSettled([...this.running]);
    await this.o.emitter.flush();
    this.m.followers.set(0);
  }

  status(): DockerLogSourceStatus {
    const containers: DockerLogContainerStatus[] = [...this.followers.values()].map((f) => {
      const s: DockerLogContainerStatus = { id: f.id, name: f.name, state: f.state, tty: f.tty, lines: f.lines, bytes: f.bytes, errors: f.errors };
      if (f.lastLineTime) s.last_line_time = f.lastLineTime;
      const p = f.positionSummary();
      if (p) s.position = p;
      return s;
    });
    return {
      enabled: this.o.cfg.enabled,
      connected: this.connected,
      endpoint: describeEndpoint(this.o.client.endpoint),
      followers: containers.filter((c) => c.state === 'following' || c.state === 'draining').length,
      waiting: this.slots.waiting,
      ...this.totals,
      ...(this.lastError ? { last_error: this.lastError } : {}),
      containers,
    };
  }

  // ---- engine session ----------------------------------------------------------------------

  private async run(): Promise<void> {
    let announcedDown = false;
    while (!this.abort.signal.aborted) {
      try {
        await this.session();
        if (this.abort.signal.aborted) break;
        this.log.warn('docker events stream ended (log source); reconnecting');
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const message = err instanceof Error ? err.message : String(err);
        this.lastError = message;
        // An engine that was never reached is reported once, by the events source; losing one
        // that worked is worth a line of its own.
        if (this.connected) this.log.warn({ reason: message }, 'docker engine lost (log source); retrying with backoff');
        else if (!announcedDown) this.log.debug({ reason: message }, 'docker engine not reachable (log source); retrying with backoff');
        announcedDown = true;
      }
      this.connected = false;
      await sleep(this.backoff.next(), this.abort.signal);
    }
    this.connected = false;
  }

  /** One connection: subscribe to container events, list, start what needs reading, then follow events. */
  private async session(): Promise<void> {
    const { client } = this.o;
    const info = await client.getJson<{ ID: string; SystemTime: string }>('/info');
    const now = rfc3339ToNanos(info.SystemTime) ?? BigInt(Date.now()) * 1_000_000n;
    this.engineNow = now.toString();
    const events = await streamGet(client.endpoint, '/events', { filters: EVENT_FILTERS }, this.abort.signal);
    try {
      this.backoff.reset();
      this.sessions += 1;
      const first = this.sessions === 1;
      const key = sessionKey(info.ID);
      if (first) {
        const stored = this.o.store.position(key);
        this.marker = splitNanos(stored) ? stored : undefined;
        this.firstRun = this.marker === undefined;
      }
      // Events that arrive while listing wait until the list is handled.
      const early: EngineEvent[] = [];
      let listing = true;
      const ended = new Promise<void>((resolve) => {
        const splitter = new LineSplitter((line) => {
          let ev: EngineEvent;
          try {
            ev = JSON.parse(line) as EngineEvent;
          } catch {
            return;
          }
          if (listing) early.push(ev);
          else this.onEngineEvent(ev);
        }, 1024 * 1024);
        events.on('data', (c: Buffer) => splitter.push(c));
        events.on('end', () => resolve());
        events.on('error', () => resolve());
        events.on('close', () => resolve());
      });
      const list = await client.getJson<ContainerSummary[]>('/containers/json', { all: '1' });
      if (first) await this.forgetRemoved(list);
      const readies: Promise<void>[] = [];
      for (const c of list) {
        const r = this.consider(c.Id, c);
        if (r) readies.push(r);
      }
      // Every container seen has its starting point stored: later ones start from this engine time.
      await Promise.all(readies);
      if (this.abort.signal.aborted) return;
      this.marker = this.engineNow;
      this.o.store.savePosition({ key, value: this.engineNow });
      listing = false;
      this.connected = true;
      for (const ev of early.splice(0)) this.onEngineEvent(ev);
      this.log.info({ containers: list.length, following: this.followers.size, first_run: first && this.firstRun }, 'docker log source connected');
      await ended;
    } finally {
      events.destroy();
    }
  }

  /** Positions of containers that no longer exist are dropped (removed while the collector was down). */
  private async forgetRemoved(list: ContainerSummary[]): Promise<void> {
    const present = new Set(list.map((c) => c.Id));
    const gone = this.positions.containerIds().filter((id) => !present.has(id));
    if (gone.length === 0) return;
    await this.o.emitter.flush();
    for (const id of gone) this.positions.delete(id);
    this.log.info({ containers: gone.length }, 'log positions of removed containers dropped');
  }

  private onEngineEvent(ev: EngineEvent): void {
    const id = ev.Actor?.ID ?? ev.id;
    if (ev.Type !== 'container' || !id) return;
    if (ev.Action === 'start') this.consider(id);
    else if (ev.Action === 'destroy') this.onDestroy(id);
    else if (ev.Action === 'rename') {
      const f = this.followers.get(id);
      const name = ev.Actor?.Attributes?.name;
      if (f && name && name !== f.name) {
        this.forgetSeries(f.name);
        f.rename(name);
      }
    }
  }

  /** Starts a follower for a container unless one runs (then it looks again before it ends). */
  private consider(id: string, summary?: ContainerSummary): Promise<void> | undefined {
    const existing = this.followers.get(id);
    if (existing) {
      existing.restartRequested = true;
      return existing.ready;
    }
    if (summary?.Names?.length) {
      // Cheap first look with what the list says; the follower decides again from inspect.
      const ident: ContainerIdentity = { id, name: summary.Names[0]!.replace(/^\//, ''), image: summary.Image ?? '', labels: summary.Labels ?? {} };
      if (!this.filter.decide(ident).follow) return undefined;
    }
    const f = new Follower(id, this, summary?.Names?.[0]?.replace(/^\//, ''));
    this.followers.set(id, f);
    const p = f.run();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return f.ready;
  }

  private onDestroy(id: string): void {
    const f = this.followers.get(id);
    if (f) {
      f.destroyed = true; // it reads what is left, then forgets the position
      return;
    }
    void this.o.emitter.flush().then(() => {
      if (!this.followers.has(id)) this.positions.delete(id);
    });
  }

  // ---- FollowerHost ------------------------------------------------------------------------

  async inspect(id: string): Promise<ContainerInspect> {
    const release = await this.inspects.acquire();
    try {
      return await this.o.client.getJson<ContainerInspect>(`/containers/${encodeURIComponent(id)}/json`, {}, this.inspectTimeoutMs);
    } finally {
      release();
    }
  }

  openLogs(id: string, query: Record<string, string>, signal: AbortSignal): Promise<LogStream> {
    return streamGet(this.o.client.endpoint, `/containers/${encodeURIComponent(id)}/logs`, query, signal);
  }

  decide(c: ContainerIdentity): { follow: true } | { follow: false; reason: string } {
    const v = this.filter.decide(c);
    if (!v.follow) this.log.debug({ container: c.name, reason: v.reason }, 'container logs not followed');
    return v;
  }

  startingPoint(running: boolean, finishedNanos: bigint | undefined): string | undefined {
    if (this.marker === undefined) {
      // The very first start on this engine: what runs now is read from now (or all of it).
      if (!running) return undefined;
      return this.o.cfg.initial_position === 'beginning' ? '0' : this.engineNow;
    }
    // Stopped before the previous start of this source: nothing it logged is new.
    if (!running && (finishedNanos === undefined || finishedNanos < BigInt(this.marker))) return undefined;
    return this.marker;
  }

  storedPosition(id: string): StoredPosition | undefined {
    return this.positions.get(id);
  }

  savePosition(id: string, p: StoredPosition): void {
    try {
      this.positions.save(id, p);
    } catch (err) {
      this.lastError = `saving the log position of ${id.slice(0, 12)}: ${String(err)}`;
      this.log.warn({ container: id.slice(0, 12), err: String(err) }, 'cannot save a log position');
    }
  }

  deletePosition(id: string): void {
    try {
      this.positions.delete(id);
    } catch (err) {
      this.log.warn({ container: id.slice(0, 12), err: String(err) }, 'cannot delete a log position');
    }
  }

  emit(event: ShipEvent, checkpoint?: Checkpoint): void {
    this.uncommitted += 1;
    this.o.emitter.emit(event, checkpoint);
  }

  flush(): Promise<void> {
    return this.o.emitter.flush();
  }

  slot(): Promise<() => void> {
    return this.slots.acquire().then((release) => {
      this.m.followers.set(this.slots.active);
      return () => {
        release();
        this.m.followers.set(this.slots.active);
      };
    });
  }

  overBudget(): boolean {
    return this.uncommitted >= this.maxUncommitted;
  }

  relief(): Promise<void> {
    this.reliefPromise ??= this.o.emitter.flush().then(() => {
      this.uncommitted = 0;
      this.reliefPromise = undefined;
    });
    return this.reliefPromise;
  }

  counted(f: Follower, lines: number, bytes: number, truncated: number, skipped: number, lagSeconds: number | undefined): void {
    this.totals.lines += lines;
    this.totals.bytes += bytes;
    this.totals.truncated += truncated;
    this.totals.duplicates_skipped += skipped;
    if (lines > 0) {
      const labels = { container: f.name };
      this.m.lines.inc(labels, lines);
      this.m.bytes.inc(labels, bytes);
      if (truncated > 0) this.m.truncated.inc(labels, truncated);
      if (lagSeconds !== undefined) this.m.lag.set(labels, Math.max(0, lagSeconds));
    }
  }

  failed(f: Follower, reason: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    f.errors += 1;
    this.totals.errors += 1;
    this.lastError = `${f.name}: ${message}`;
    this.m.errors.inc({ reason });
    // What the source could not turn into lines: a log that cannot be read, the engine's own
    // "Error grabbing logs" (lines it failed to read), frames of a stream we never asked for.
    if (DROP_REASONS.has(reason)) this.o.metrics.dropsTotal.inc({ stage: 'docker_logs', reason });
    if (f.errorOnce(reason)) this.log.warn({ container: f.name, container_id: f.id.slice(0, 12), reason, err: message.slice(0, 500) }, 'container log source error');
    else this.log.debug({ container: f.name, reason, err: message.slice(0, 200) }, 'container log source error (again)');
  }

  ended(f: Follower): void {
    if (this.followers.get(f.id) === f) this.followers.delete(f.id);
    if (f.destroyed) this.forgetSeries(f.name);
  }

  /** Drops the per-container series of a name that is gone (removed or renamed container). */
  private forgetSeries(name: string): void {
    const labels = { container: name };
    this.m.lines.remove(labels);
    this.m.bytes.remove(labels);
    this.m.truncated.remove(labels);
    this.m.lag.remove(labels);
  }
}
