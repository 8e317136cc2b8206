import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type Database from 'better-sqlite3';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Batch, CommitHook, EncodedBatch } from '../../pipeline/batch.js';
import { registered, type CollectorMetrics } from '../../metrics/registry.js';
import { Backoff, sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import { LokiPushClient, PushError, redactUrl, type PushResponse } from './client.js';
import type { LokiConfig } from './config.js';
import { alertEntry, eventEntry, StreamLabeler, type EntryOptions, type LokiEntry } from './entry.js';
import { LokiOutbox, type OutboxStats, type QueuedEntry } from './outbox.js';

const gzip = promisify(zlib.gzip);

/** gzip level 1: about twice as fast as the default for ~15% more bytes on JSON lines. */
const GZIP_LEVEL = 1;
/** When idle the drain loop also looks at the outbox this often (rows written by another process). */
const IDLE_POLL_MS = 1000;
/** JSON overhead of the push body: `{"streams":[` … `]}`, and per stream `{"stream":…,"values":[…]},`. */
const BODY_OVERHEAD = 14;
const STREAM_OVERHEAD = 24;

export interface LokiSinkDeps {
  metrics: CollectorMetrics;
  log: Logger;
  /** `host` label of events without `host.name`. */
  hostName: string;
  /** Jitter source of the retry backoff (tests make it deterministic). */
  random?: () => number;
}

export interface LokiHealth {
  enabled: boolean;
  /** Push URL without credentials. */
  url?: string;
  queued_entries: number;
  queued_bytes: number;
  /** RFC 3339 time of the last acknowledged push. */
  last_success: string | null;
  last_error: { time: string; message: string } | null;
  /** True while the batch at the head of the queue is being retried (Loki down, 429, 5xx). */
  retrying: boolean;
}

/** An entry read from the outbox (its push value is `buf[start..end]`). */
type Pending = QueuedEntry;

interface PushBatch {
  rows: Pending[];
  /** The gzip-compressed body, once built (kept for retries: the same bytes go again). */
  body?: Promise<Buffer>;
}

const COMMA = Buffer.from(',');
const BODY_OPEN = Buffer.from('{"streams":[');
const BODY_CLOSE = Buffer.from(']}');
const STREAM_CLOSE = Buffer.from(']}');

interface LokiMetrics {
  entriesSent: Counter<string>;
  requests: Counter<'code'>;
  errors: Counter<'reason'>;
  queueBytes: Gauge<string>;
  lastSuccess: Gauge<string>;
  requestSeconds: Histogram<string>;
  batchEntries: Histogram<string>;
}

function lokiMetrics(registry: Registry): LokiMetrics {
  // Reuse the metric when another sink instance on the same registry registered it (tests, restarts).
  const get = <T>(name: string, make: () => T): T => registered(registry, name, make);
  return {
    entriesSent: get('shipwatch_loki_entries_sent_total', () => new Counter({ name: 'shipwatch_loki_entries_sent_total', help: 'Log entries acknowledged by Loki.', registers: [registry] })),
    requests: get('shipwatch_loki_requests_total', () => new Counter({ name: 'shipwatch_loki_requests_total', help: 'Push requests answered by Loki, by HTTP status code.', labelNames: ['code'] as const, registers: [registry] })),
    errors: get('shipwatch_loki_errors_total', () => new Counter({ name: 'shipwatch_loki_errors_total', help: 'Failed push attempts, by reason (network, timeout, http_429, http_5xx, http_4xx).', labelNames: ['reason'] as const, registers: [registry] })),
    queueBytes: get('shipwatch_loki_queue_bytes', () => new Gauge({ name: 'shipwatch_loki_queue_bytes', help: 'Bytes waiting in the durable Loki outbox (entries: shipwatch_queue_depth{queue="loki"}).', registers: [registry] })),
    lastSuccess: get('shipwatch_loki_last_success_timestamp_seconds', () => new Gauge({ name: 'shipwatch_loki_last_success_timestamp_seconds', help: 'Unix time of the last push acknowledged by Loki.', registers: [registry] })),
    requestSeconds: get('shipwatch_loki_request_duration_seconds', () => new Histogram({ name: 'shipwatch_loki_request_duration_seconds', help: 'Duration of push requests that got an HTTP answer.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] })),
    batchEntries: get('shipwatch_loki_batch_entries', () => new Histogram({ name: 'shipwatch_loki_batch_entries', help: 'Entries per push request.', buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000], registers: [registry] })),
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The Loki push sink (DESIGN.md §7). `onCommit` runs inside the store's transaction and appends
 * each event and alert to a durable outbox in the same database, so an entry is queued for Loki
 * exactly when it is stored. A drain loop pushes the outbox in order, one request at a time,
 * gzip-compressed JSON, and deletes what Loki acknowledged. 429, 5xx and network errors retry the
 * same entries with capped exponential backoff (Loki drops exact duplicates, so a batch re-sent
 * after a crash is harmless); other 4xx drop the batch and count it.
 */
export class LokiSink implements CommitHook {
  readonly name = 'loki';
  readonly enabled: boolean;

  private readonly outbox: LokiOutbox;
  private readonly client?: LokiPushClient;
  private readonly entryOpts: EntryOptions;
  private readonly labeler: StreamLabeler;
  private readonly m: LokiMetrics;
  private readonly backoff: Backoff;
  private readonly log: Logger;

  private pending: Pending[] = [];
  private pendingBytes = 0;
  private firstPendingAt: number | undefined;
  private readCursor = 0;
  private inflight: PushBatch | undefined;
  /** The batch after `inflight`, taken and compressed while `inflight` was on the wire. */
  private next: PushBatch | undefined;

  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private flushing = false;
  private wake: (() => void) | undefined;

  private lastSuccess: number | undefined;
  private lastError: { time: string; message: string } | null = null;
  private retrying = false;
  private failures = 0;
  private lastDropLog = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly cfg: LokiConfig,
    private readonly deps: LokiSinkDeps,
  ) {
    this.enabled = cfg.url !== undefined;
    this.log = deps.log.child({ sink: 'loki' });
    this.outbox = new LokiOutbox(db);
    this.m = lokiMetrics(deps.metrics.registry);
    this.backoff = new Backoff(cfg.min_backoff_ms, cfg.max_backoff_ms, deps.random);
    this.entryOpts = { hostName: deps.hostName, externalLabels: cfg.external_labels, structuredMetadata: cfg.structured_metadata };
    this.labeler = new StreamLabeler(this.entryOpts);
    if (this.enabled) this.client = new LokiPushClient(cfg);
    this.setQueueGauges(this.outbox.stats());
  }

  // ---- producer side: inside the store transaction -------------------------------------------

  onCommit(batch: Batch, encoded?: EncodedBatch): void {
    if (!this.enabled) return;
    const entries: LokiEntry[] = [];
    let unserializable = 0;
    batch.events.forEach((ev, i) => {
      // Resource samples are Prometheus's business; Loki gets what happened, not gauges.
      if (ev.event?.source === 'metric') return;
      try {
        entries.push(eventEntry(ev, this.entryOpts, this.labeler, encoded?.events[i]));
      } catch {
        unserializable++;
      }
    });
    for (const [i, alert] of batch.alerts.entries()) {
      try {
        entries.push(alertEntry(alert, this.entryOpts, this.labeler, encoded?.alerts[i]));
      } catch {
        unserializable++;
      }
    }
    if (unserializable > 0) this.deps.metrics.dropsTotal.inc({ stage: 'loki', reason: 'unserializable' }, unserializable);
    if (entries.length === 0) return;
    const { dropped, stats } = this.outbox.append(entries, this.cfg.max_queue_bytes, this.cfg.structured_metadata);
    this.setQueueGauges(stats);
    if (dropped > 0) {
      this.deps.metrics.dropsTotal.inc({ stage: 'loki', reason: 'queue_full' }, dropped);
      const now = Date.now();
      if (now - this.lastDropLog > 10_000) {
        this.lastDropLog = now;
        this.log.warn({ dropped, max_queue_bytes: this.cfg.max_queue_bytes }, 'Loki outbox full: dropping the oldest entries');
      }
    }
    this.notify();
  }

  // ---- drain side ----------------------------------------------------------------------------

  /** Starts the drain loop (no-op when Loki is not configured or already running). */
  start(): void {
    if (!this.enabled || this.loop) return;
    this.abort = new AbortController();
    this.flushing = false;
    this.loop = this.run(this.abort.signal);
  }

  /**
   * Pushes what is queued for at most `deadlineMs` (default `flush_timeout_ms`), then stops. An
   * unfinished request is abandoned; every unacknowledged entry stays in the outbox.
   */
  async stop(deadlineMs: number = this.cfg.flush_timeout_ms): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.flushing = true;
    this.notify();
    const timer = setTimeout(() => this.abort.abort(), deadlineMs);
    try {
      await loop;
    } finally {
      clearTimeout(timer);
      this.abort.abort();
      this.loop = undefined;
      this.client?.close();
    }
  }

  health(): LokiHealth {
    let stats: OutboxStats = { entries: 0, bytes: 0 };
    try {
      stats = this.outbox.stats();
    } catch {
      // database closed
    }
    return {
      enabled: this.enabled,
      url: this.cfg.url ? redactUrl(this.client?.url.toString() ?? this.cfg.url) : undefined,
      queued_entries: stats.entries,
      queued_bytes: stats.bytes,
      last_success: this.lastSuccess !== undefined ? new Date(this.lastSuccess).toISOString() : null,
      last_error: this.lastError,
      retrying: this.retrying,
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.inflight && this.next) {
          this.inflight = this.next;
          this.next = undefined;
        }
        if (!this.inflight) {
          this.inflight = await this.nextBatch(signal);
          if (!this.inflight) {
            if (this.flushing) return;
            continue;
          }
        }
        await this.attempt(this.inflight, signal);
      } catch (err) {
        if (!this.db.open) {
          // The store closed the database under us (stop() should come first): nothing to do.
          this.log.warn('Loki sink: database closed, drain loop stopped');
          return;
        }
        // Not a push failure (those are handled in attempt): a database or programming error.
        this.noteError(`internal: ${errorMessage(err)}`);
        this.m.errors.inc({ reason: 'internal' });
        this.log.error({ err }, 'Loki sink drain loop error');
        await sleep(this.backoff.next(), signal);
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }

  private waitWake(signal: AbortSignal, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Someone else's explicit transaction on this connection may still roll back: never read or ack inside it. */
  private async outsideTransaction(): Promise<void> {
    while (this.db.inTransaction) await sleep(2);
  }

  /** Reads the outbox ahead (whole chunks) until a batch's worth of entries is in memory. */
  private fill(): void {
    while (this.pendingBytes < this.cfg.batch_max_bytes) {
      const chunk = this.outbox.readChunk(this.readCursor, this.cfg.structured_metadata);
      if (!chunk) break;
      for (const e of chunk.entries) {
        this.pending.push(e);
        this.pendingBytes += e.end - e.start + 1;
      }
      this.readCursor = chunk.seq;
    }
  }

  /** Waits until a batch is full, `batch_wait_ms` passed since its first entry, or a flush. */
  private async nextBatch(signal: AbortSignal): Promise<PushBatch | undefined> {
    while (!signal.aborted) {
      await this.outsideTransaction();
      this.fill();
      if (this.pending.length === 0) {
        this.firstPendingAt = undefined;
        if (this.flushing) return undefined;
        await this.waitWake(signal, IDLE_POLL_MS);
        continue;
      }
      const now = Date.now();
      this.firstPendingAt ??= now;
      const due = this.firstPendingAt + this.cfg.batch_wait_ms;
      if (this.flushing || now >= due || this.pendingBytes >= this.cfg.batch_max_bytes) return this.take();
      await this.waitWake(signal, due - now);
    }
    return undefined;
  }

  /** Takes the longest prefix of the pending entries that fits in `batch_max_bytes` (at least one). */
  private take(): PushBatch {
    const max = this.cfg.batch_max_bytes;
    const streams = new Set<string>();
    let bytes = BODY_OVERHEAD;
    let taken = 0;
    let takenBytes = 0;
    for (const r of this.pending) {
      const size = r.end - r.start;
      let add = size + 1;
      if (!streams.has(r.stream)) add += Buffer.byteLength(r.stream) + STREAM_OVERHEAD;
      if (taken > 0 && bytes + add > max) break;
      bytes += add;
      takenBytes += size + 1;
      streams.add(r.stream);
      taken++;
    }
    const rows = this.pending.splice(0, taken);
    this.pendingBytes -= takenBytes;
    // Leftovers keep their age: they are sent as soon as the batch before them is through.
    if (this.pending.length === 0) this.firstPendingAt = undefined;
    return { rows };
  }

  /**
   * Groups a batch by stream (entries within a stream in outbox order) into the push JSON. Runs of
   * entries that sit next to each other in a chunk are copied as one slice.
   */
  static buildBody(rows: readonly Pending[]): Buffer {
    const groups = new Map<string, Array<{ buf: Buffer; start: number; end: number }>>();
    for (const r of rows) {
      let ranges = groups.get(r.stream);
      if (ranges === undefined) {
        ranges = [];
        groups.set(r.stream, ranges);
      }
      const last = ranges[ranges.length - 1];
      // Values of one stream are comma-separated in the chunk: extend the slice over the comma.
      if (last && last.buf === r.buf && last.end + 1 === r.start) last.end = r.end;
      else ranges.push({ buf: r.buf, start: r.start, end: r.end });
    }
    const all: Buffer[] = [BODY_OPEN];
    let first = true;
    for (const [stream, ranges] of groups) {
      all.push(Buffer.from(`${first ? '' : ','}{"stream":${stream},"values":[`));
      first = false;
      for (let i = 0; i < ranges.length; i++) {
        if (i > 0) all.push(COMMA);
        const g = ranges[i]!;
        all.push(g.buf.subarray(g.start, g.end));
      }
      all.push(STREAM_CLOSE);
    }
    all.push(BODY_CLOSE);
    return Buffer.concat(all);
  }

  /**
   * Drops from the batch the rows that the outbox bound deleted meanwhile (they are counted as
   * dropped and must not arrive). False when nothing is left.
   */
  private revalidate(batch: PushBatch): boolean {
    const head = this.outbox.headSeq();
    if (head === undefined) batch.rows = [];
    else if (batch.rows.length > 0 && batch.rows[0]!.seq < head) {
      batch.rows = batch.rows.filter((r) => r.seq >= head);
      batch.body = undefined;
    }
    return batch.rows.length > 0;
  }

  /** True when the head of the outbox moved past the first entry of the batch (go round again). */
  private trimmedSince(batch: PushBatch): boolean {
    const head = this.outbox.headSeq();
    return head === undefined || batch.rows[0]!.seq < head;
  }

  private async attempt(batch: PushBatch, signal: AbortSignal): Promise<void> {
    await this.outsideTransaction();
    if (!this.revalidate(batch)) {
      this.inflight = undefined;
      return;
    }
    batch.body ??= LokiSink.compress(batch.rows);
    const body = await batch.body;
    // The outbox bound may have dropped some of these entries while the body was compressed.
    if (this.trimmedSince(batch)) return;
    const started = performance.now();
    let res: PushResponse;
    try {
      const answer = this.client!.push(body, signal);
      // While Loki works on this batch, prepare the next one (still one request in flight).
      this.prefetch();
      res = await answer;
    } catch (err) {
      if (err instanceof PushError && err.reason === 'aborted') return;
      const reason = err instanceof PushError ? err.reason : 'network';
      this.m.errors.inc({ reason });
      await this.retryLater(`${reason}: ${errorMessage(err)}`, undefined, signal);
      return;
    }
    this.m.requests.inc({ code: String(res.status) });
    this.m.requestSeconds.observe((performance.now() - started) / 1000);
    const { status } = res;
    if (status >= 200 && status < 300) {
      await this.outsideTransaction();
      this.ack(batch);
    } else if (status === 429 || status >= 500) {
      this.m.errors.inc({ reason: status === 429 ? 'http_429' : 'http_5xx' });
      const retryAfter = status === 429 || status === 503 ? res.retryAfterMs : undefined;
      await this.retryLater(`HTTP ${status}: ${res.body.trim()}`, retryAfter, signal);
    } else {
      // Loki refused the batch (bad labels, too old, too long, no tenant, bad auth): retrying
      // cannot help. Loki already kept the valid entries of a partly refused push.
      this.m.errors.inc({ reason: status >= 400 ? 'http_4xx' : 'http_other' });
      await this.outsideTransaction();
      const last = batch.rows[batch.rows.length - 1]!;
      const gone = this.outbox.remove(last.seq, last.idx);
      this.deps.metrics.dropsTotal.inc({ stage: 'loki', reason: `rejected_${status}` }, gone.entries);
      this.noteError(`HTTP ${status}: ${res.body.trim()}`);
      this.log.error({ status, entries: gone.entries, body: res.body.trim() }, 'Loki rejected a push; the batch is dropped');
      this.setQueueGauges(this.outbox.stats());
      this.inflight = undefined;
      this.recovered();
    }
  }

  private static compress(rows: readonly Pending[]): Promise<Buffer> {
    const p = gzip(LokiSink.buildBody(rows), { level: GZIP_LEVEL });
    p.catch(() => {}); // awaited later; avoid an unhandled rejection if the batch is dropped first
    return p;
  }

  /** Takes and compresses the next batch ahead of time when a full one is already waiting. */
  private prefetch(): void {
    if (this.next || this.flushing || this.db.inTransaction) return;
    this.fill();
    if (this.pendingBytes < this.cfg.batch_max_bytes) return;
    const batch = this.take();
    batch.body = LokiSink.compress(batch.rows);
    this.next = batch;
  }

  private ack(batch: PushBatch): void {
    const last = batch.rows[batch.rows.length - 1]!;
    this.outbox.remove(last.seq, last.idx);
    this.m.entriesSent.inc(batch.rows.length);
    this.m.batchEntries.observe(batch.rows.length);
    this.lastSuccess = Date.now();
    this.m.lastSuccess.set(this.lastSuccess / 1000);
    this.setQueueGauges(this.outbox.stats());
    this.inflight = undefined;
    this.recovered();
  }

  private recovered(): void {
    if (this.retrying) this.log.info({ attempts: this.failures }, 'Loki push recovered');
    this.retrying = false;
    this.failures = 0;
    this.backoff.reset();
  }

  private async retryLater(message: string, retryAfterMs: number | undefined, signal: AbortSignal): Promise<void> {
    this.noteError(message);
    this.retrying = true;
    this.failures++;
    const backoff = this.backoff.next();
    const delay = retryAfterMs !== undefined ? Math.min(Math.max(retryAfterMs, this.cfg.min_backoff_ms), this.cfg.max_backoff_ms) : backoff;
    // Loud on the first failure and then every tenth, quiet in between.
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.log.warn({ attempt: this.failures, retry_in_ms: delay, error: message }, 'Loki push failed; retrying the same batch');
    }
    await sleep(delay, signal);
  }

  private noteError(message: string): void {
    this.lastError = { time: new Date().toISOString(), message: message.length > 1024 ? `${message.slice(0, 1024)}…` : message };
  }

  private setQueueGauges(stats: OutboxStats): void {
    this.deps.metrics.queueDepth.set({ queue: 'loki' }, stats.entries);
    this.m.queueBytes.set(stats.bytes);
  }
}
