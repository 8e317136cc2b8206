import type { Checkpoint, ShipEvent } from '../../event/event.js';
import { rfc3339ToNanos } from '../../event/time.js';
import { logLineToEvent, webServerFromImage, type WebServer } from '../../transforms/decode/index.js';
import { Backoff, sleep } from '../../util/backoff.js';
import { DockerApiError } from '../docker/client.js';
import { containerFromInspect, type ContainerInspect } from '../docker/inspect.js';
import type { ContainerIdentity } from './filter.js';
import { lineAssembler, type LogLine } from './lines.js';
import { LogPosition, type StoredPosition } from './position.js';
import { positionKey } from './positions.js';
import type { LogStream } from './stream.js';

/** What a follower needs from its source. */
export interface FollowerHost {
  readonly signal: AbortSignal;
  readonly hostName: string;
  readonly maxLineBytes: number;
  readonly reconnectMaxMs: number;
  inspect(id: string): Promise<ContainerInspect>;
  openLogs(id: string, query: Record<string, string>, signal: AbortSignal): Promise<LogStream>;
  /** Follow this container? (filters, opt-out label, the collector itself) */
  decide(c: ContainerIdentity): { follow: true } | { follow: false; reason: string };
  /** Where a container without a stored position starts; undefined: do not read it (see source.ts). */
  startingPoint(running: boolean, finishedNanos: bigint | undefined): string | undefined;
  storedPosition(id: string): StoredPosition | undefined;
  savePosition(id: string, p: StoredPosition): void;
  deletePosition(id: string): void;
  emit(event: ShipEvent, checkpoint?: Checkpoint): void;
  flush(): Promise<void>;
  /** Waits for a free reading slot (logs.max_followers); resolves with its release. */
  slot(): Promise<() => void>;
  /** After emitting: true when readers must pause until `relief()` (events emitted, not committed). */
  overBudget(): boolean;
  relief(): Promise<void>;
  counted(f: Follower, lines: number, bytes: number, truncated: number, skipped: number, lagSeconds: number | undefined): void;
  failed(f: Follower, reason: string, err: unknown): void;
  ended(f: Follower): void;
}

export type FollowerState = 'starting' | 'waiting' | 'following' | 'draining' | 'retrying' | 'done';

type ReadResult = 'ended' | 'error' | 'gone' | 'unsupported' | 'stopped';

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** A live log read that brought less than this in one turn waits COALESCE_MS before reading on. */
const COALESCE_BYTES = 32 * 1024;
/** At most this much latency is added to a line, for far fewer wake-ups per line. */
const COALESCE_MS = 20;

/**
 * Reads one container's log: from its stored position, following while it runs, to the end once
 * it stopped; every line becomes a log event whose checkpoint is the position after it.
 */
export class Follower {
  state: FollowerState = 'starting';
  name: string;
  tty = false;
  lines = 0;
  bytes = 0;
  errors = 0;
  lastLineTime: string | undefined;
  position: StoredPosition | undefined;
  /** A start event came while this follower ran: look again before ending. */
  restartRequested = false;
  /** The container was removed: forget its position when done. */
  destroyed = false;
  /** Resolves once the follower decided whether and from where to read (and saved that). */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private context: Record<string, unknown> = {};
  private webServer: WebServer = 'nginx';
  private image = '';
  private readonly logged = new Set<string>();
  private readonly backoff: Backoff;

  constructor(
    readonly id: string,
    private readonly host: FollowerHost,
    name?: string,
  ) {
    this.name = name ?? id.slice(0, 12);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.backoff = new Backoff(250, host.reconnectMaxMs);
  }

  /** The container was renamed: lines from now on carry the new name. */
  rename(name: string): void {
    this.name = name;
    const c = this.context.container as Record<string, unknown> | undefined;
    if (c) this.context = { ...this.context, container: { ...c, name } };
  }

  /** Logs an error once per kind for this container (then only counts it). */
  errorOnce(kind: string): boolean {
    if (this.logged.has(kind)) return false;
    this.logged.add(kind);
    return true;
  }

  async run(): Promise<void> {
    let release: (() => void) | undefined;
    try {
      const insp = await this.triage();
      this.markReady();
      if (!insp) return;
      this.state = 'waiting';
      release = await this.host.slot();
      if (this.host.signal.aborted) return;
      await this.loop(insp);
    } catch (err) {
      this.host.failed(this, 'internal', err);
    } finally {
      this.markReady();
      release?.();
      this.state = 'done';
      this.host.ended(this);
      if (this.destroyed) {
        await this.host.flush().catch(() => undefined);
        this.host.deletePosition(this.id);
      }
    }
  }

  /** Inspects (retrying while the engine is away); undefined when the container is gone. */
  private async inspect(): Promise<ContainerInspect | undefined> {
    while (!this.host.signal.aborted) {
      try {
        const insp = await this.host.inspect(this.id);
        this.backoff.reset();
        return insp;
      } catch (err) {
        if (err instanceof DockerApiError && err.status === 404) {
          this.destroyed = true;
          return undefined;
        }
        this.host.failed(this, 'inspect', err);
        this.state = 'retrying';
        await sleep(this.backoff.next(), this.host.signal);
      }
    }
    return undefined;
  }

  private learn(insp: ContainerInspect): void {
    const f = containerFromInspect(insp);
    this.name = f.name || this.name;
    this.tty = (insp as { Config?: { Tty?: boolean } }).Config?.Tty === true;
    const container: Record<string, unknown> = { id: this.id, name: f.name, image: f.image, labels: f.labels ?? {} };
    if (f.compose) container.compose = f.compose;
    this.context = { host: { name: this.host.hostName }, container };
    this.image = f.image ?? '';
    this.webServer = webServerFromImage(f.image);
  }

  /** Decides whether to read this container and from where; undefined: not. */
  private async triage(): Promise<ContainerInspect | undefined> {
    const insp = await this.inspect();
    if (!insp) return undefined;
    this.learn(insp);
    const verdict = this.host.decide({ id: this.id, name: this.name, image: this.image, labels: insp.Config?.Labels ?? {} });
    if (!verdict.follow) return undefined;
    const running = isRunning(insp);
    const finished = finishedAt(insp);
    let stored = this.host.storedPosition(this.id);
    if (!stored) {
      const since = this.host.startingPoint(running, finished === undefined ? undefined : rfc3339ToNanos(finished));
      if (since === undefined) return undefined;
      stored = LogPosition.from(since);
      // Saved before reading, so a crash before the first line still resumes from here.
      this.host.savePosition(this.id, stored);
    } else if (!running && stored.done !== undefined && stored.done === (finished ?? '')) {
      return undefined; // read to the end after it stopped, and it has not run since
    }
    this.position = stored;
    return insp;
  }

  private async loop(first: ContainerInspect): Promise<void> {
    let insp: ContainerInspect | undefined = first;
    while (!this.host.signal.aborted) {
      if (!insp) {
        insp = await this.inspect();
        if (!insp) return;
        this.learn(insp);
      }
      const running = isRunning(insp);
      const finished = finishedAt(insp) ?? '';
      insp = undefined;
      if (!running && this.position?.done === finished && !this.restartRequested) return;
      this.restartRequested = false;
      this.state = running ? 'following' : 'draining';
      const began = Date.now();
      const result = await this.read(running);
      if (result === 'stopped') return;
      if (result === 'gone') {
        this.destroyed = true;
        return;
      }
      if (result === 'unsupported') return;
      if (result === 'error') {
        this.state = 'retrying';
        await sleep(this.backoff.next(), this.host.signal);
        continue;
      }
      if (running) {
        // The follow ended: the container stopped (next turn reads what is left and marks it),
        // or the engine closed the stream; do not spin if it keeps doing that.
        if (Date.now() - began < 1000) await sleep(this.backoff.next(), this.host.signal);
        continue;
      }
      this.backoff.reset();
      // Read to the end after it stopped: mark it so that later starts do not read it again.
      await this.host.flush();
      this.position = { ...(this.position ?? LogPosition.from('0')), done: finished };
      this.host.savePosition(this.id, this.position);
      if (!this.restartRequested) return;
    }
  }

  /** One `GET /containers/{id}/logs` from the position, following or to the current end. */
  private async read(follow: boolean): Promise<ReadResult> {
    const stored = this.position ?? LogPosition.from('0');
    const pos = new LogPosition(stored, this.tty);
    const query: Record<string, string> = { stdout: '1', stderr: '1', timestamps: '1', since: pos.sinceParam };
    if (follow) query.follow = '1';
    let res: LogStream;
    try {
      res = await this.host.openLogs(this.id, query, this.host.signal);
    } catch (err) {
      if (this.host.signal.aborted) return 'stopped';
      if (err instanceof DockerApiError && err.status === 404) return 'gone';
      if (err instanceof DockerApiError && (err.status === 501 || (err.status === 400 && /does not support reading|logging driver/i.test(err.message)))) {
        this.host.failed(this, 'unsupported_driver', err);
        return 'unsupported';
      }
      this.host.failed(this, 'stream', err);
      return 'error';
    }
    // dockerd flushes every message as its own HTTP chunk: lines are gathered over one turn of the
    // event loop and emitted together, so the position and the counters are worked out once per turn.
    let lines: LogLine[] = [];
    const asm = lineAssembler(this.tty, {
      line: (l) => lines.push(l),
      engineError: (m) => this.host.failed(this, 'engine', new Error(m)),
      malformed: (r) => this.host.failed(this, r === 'stdin frame' ? 'stdin_frame' : 'malformed', new Error(r)),
    }, this.host.maxLineBytes);
    const emitGathered = () => {
      const batch = lines;
      lines = [];
      this.emitBatch(pos, batch);
    };
    return new Promise<ReadResult>((resolve) => {
      let settled = false;
      let scheduled = false;
      let turnBytes = 0;
      // The stream is paused while any hold is on: the sink catching up, or reads being coalesced.
      let holds = 0;
      const hold = () => {
        if (holds++ === 0) res.pause();
      };
      const unhold = () => {
        if (--holds === 0 && !settled) res.resume();
      };
      const finish = (r: ReadResult) => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const turn = () => {
        scheduled = false;
        if (settled) return;
        emitGathered();
        if (this.host.overBudget()) {
          hold();
          void this.host.relief().then(unhold);
        }
        // A live stream that trickles in (dockerd flushes each message): let it gather for a few
        // milliseconds, so that one read carries many lines rather than one.
        if (follow && turnBytes < COALESCE_BYTES) {
          hold();
          setTimeout(unhold, COALESCE_MS);
        }
        turnBytes = 0;
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          asm.push(chunk);
        } catch (err) {
          // A frame header that is not one: what came before it is good; the rest is read again
          // from the position after a reconnect.
          emitGathered();
          this.host.failed(this, 'frame', err);
          res.destroy();
          finish('error');
          return;
        }
        turnBytes += chunk.length;
        if (!scheduled) {
          scheduled = true;
          setImmediate(turn);
        }
      });
      res.on('end', () => {
        try {
          asm.end(!follow);
        } catch (err) {
          this.host.failed(this, 'frame', err);
        }
        emitGathered();
        finish('ended');
      });
      res.on('error', (err) => {
        if (this.host.signal.aborted) return finish('stopped');
        this.host.failed(this, 'stream', err);
        finish('error');
      });
      // 'close' without 'end': the connection was cut (engine gone, stop). What was read is kept.
      res.on('close', () => {
        if (!settled) emitGathered();
        finish(this.host.signal.aborted ? 'stopped' : 'error');
      });
    });
  }

  /** Emits assembled lines; the last one carries the position after it. */
  private emitBatch(pos: LogPosition, lines: LogLine[]): void {
    if (lines.length === 0) return;
    const events: ShipEvent[] = [];
    let bytes = 0;
    let truncated = 0;
    let skipped = 0;
    let newest: LogLine | undefined;
    for (const l of lines) {
      if (!pos.accept(l)) {
        skipped += 1;
        continue;
      }
      let ev: ShipEvent;
      try {
        ev = logLineToEvent({ message: l.message, stream: l.stream, time: l.time, canonicalTime: true, truncated: l.truncated }, { context: this.context, webServer: this.webServer });
      } catch (err) {
        this.host.failed(this, 'decode', err);
        continue;
      }
      if (l.truncated) truncated += 1;
      events.push(ev);
      bytes += l.bytes;
      newest = l;
    }
    if (pos.skipShort > 0 && this.errorOnce('skip_short')) {
      this.host.failed(this, 'rotated', new Error(`${pos.skipShort} already-read lines were no longer in the log (rotated); reading on from the first newer line`));
    }
    if (events.length === 0) {
      if (skipped > 0) this.host.counted(this, 0, 0, 0, skipped, undefined);
      return;
    }
    this.position = pos.current();
    const checkpoint = { key: positionKey(this.id), value: LogPosition.stringify(this.position) };
    const lastIndex = events.length - 1;
    for (let i = 0; i < lastIndex; i += 1) this.host.emit(events[i]!);
    this.host.emit(events[lastIndex]!, checkpoint);
    this.lines += events.length;
    this.bytes += bytes;
    this.lastLineTime = newest!.time;
    this.host.counted(this, events.length, bytes, truncated, skipped, Date.now() / 1000 - (newest!.sec + newest!.nsec / 1e9));
  }

  /** For status(): the stored position in readable form. */
  positionSummary(): { since: string; skip: number; last?: string; done?: string } | undefined {
    const p = this.position;
    if (!p) return undefined;
    const since = nanosToTime(p.since);
    return { since, skip: p.skip, ...(p.last ? { last: nanosToTime(p.last) } : {}), ...(p.done ? { done: p.done } : {}) };
  }
}

function nanosToTime(n: string): string {
  try {
    const b = BigInt(n);
    const sec = Number(b / 1_000_000_000n);
    return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${(b % 1_000_000_000n).toString().padStart(9, '0')}Z`;
  } catch {
    return n;
  }
}

function isRunning(insp: ContainerInspect): boolean {
  return insp.State?.Running === true;
}

/** `State.FinishedAt` when the container has ever stopped. */
function finishedAt(insp: ContainerInspect): string | undefined {
  const f = insp.State?.FinishedAt;
  return f && f !== ZERO_TIME && !f.startsWith('0001-') ? f : undefined;
}
