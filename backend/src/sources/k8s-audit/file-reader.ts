// Follows a Kubernetes audit log file (the API server's log backend, `--audit-log-path`: JSON
// lines, one audit Event per line) and emits each event.
//
// - Polling (default every 250 ms), rotation (rename, copytruncate, while stopped) and the durable
//   position are FileTail's (../file-tail/tail.ts). The position goes to the store as the checkpoint
//   `k8s.audit.file:<absolute path>` with every event, in the same transaction, so after a crash the
//   store holds an event if and only if the position is past it.
// - Lines that are not JSON or not audit Events are counted (`shipwatch_malformed_input_total
//   {source="k8s_audit"}`) and skipped; a line longer than the limit too.

import path from 'node:path';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { normalizeAuditEvent, type NormalizeAuditOptions } from '../../transforms/normalize/k8s-audit.js';
import type { Logger } from '../../util/log.js';
import { parseFilePosition, type FilePosition } from '../file-tail/position.js';
import { FileTail } from '../file-tail/tail.js';
import { auditMetrics, type AuditMetrics } from './metrics.js';

const WARN_EVERY_MS = 10_000;

export interface AuditLogReaderOptions {
  path: string;
  emitter: Emitter;
  /** Where the stored position is read from at start (the Store). */
  store: { position(key: string): string | undefined };
  metrics: CollectorMetrics;
  log: Logger;
  hostName?: string;
  /** Time between two looks at the file (default 250 ms). */
  pollMs?: number;
  /** Without a stored position, start at the beginning of the file (default) or at its end. */
  startAt?: 'beginning' | 'end';
  /** Longest line (default 16 MiB); longer ones are skipped and counted as malformed. */
  maxLineBytes?: number;
  /** Bytes read at once (default 1 MiB); the store commits each chunk's events before the next read. */
  readChunkBytes?: number;
  normalize?: Omit<NormalizeAuditOptions, 'hostName'>;
}

/** The stored position (checkpoint value, JSON): the offset just after the last complete line taken. */
export type AuditFilePosition = FilePosition;

export const parseAuditFilePosition: (text: string | undefined) => AuditFilePosition | undefined = parseFilePosition;

export interface AuditLogReaderStatus {
  path: string;
  state: 'stopped' | 'starting' | 'waiting' | 'following' | 'error';
  /** The file being read (the path, or a rotated file being finished). */
  file?: string;
  inode?: string;
  offset?: number;
  events: number;
  bad_lines: number;
  rotations: number;
  last_error?: string;
}

export class AuditLogReader {
  readonly path: string;
  readonly key: string;
  private readonly m: AuditMetrics;
  private readonly pollMs: number;
  private readonly normOpts: NormalizeAuditOptions;
  private readonly tail: FileTail;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failed = false;
  private counts = { events: 0, bad_lines: 0 };
  private lastError: string | undefined;
  private lastWarn = 0;

  constructor(private readonly o: AuditLogReaderOptions) {
    this.path = path.resolve(o.path);
    this.key = `k8s.audit.file:${this.path}`;
    this.m = auditMetrics(o.metrics.registry);
    this.pollMs = o.pollMs ?? 250;
    const maxLine = o.maxLineBytes ?? 16 * 1024 * 1024;
    this.normOpts = { ...o.normalize, ...(o.hostName ? { hostName: o.hostName } : {}) };
    this.tail = new FileTail({
      path: this.path, key: this.key, store: o.store, emitter: o.emitter, log: o.log, what: 'the Kubernetes audit log',
      startAt: o.startAt ?? 'beginning', maxLineBytes: maxLine, buffer: Buffer.allocUnsafe(o.readChunkBytes ?? 1024 * 1024),
      consumer: {
        begin: () => undefined,
        line: (data, s, e, _start, end) => this.line(data, s, e, end),
        tooLong: (start) => this.bad(`line longer than ${maxLine} bytes (k8s.audit_log_max_line)`, start),
      },
      onRotation: (kind) => this.m.rotations.inc({ kind }),
      onBytes: (n) => this.m.fileBytes.inc(n),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling, closes the file and waits until what was emitted is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tail.halt();
    await this.running;
    await this.tail.close();
    await this.o.emitter.flush();
  }

  status(): AuditLogReaderStatus {
    const state: AuditLogReaderStatus['state'] = this.stopped && !this.running ? 'stopped' : this.failed ? 'error' : this.tail.state;
    const s: AuditLogReaderStatus = { path: this.path, state, ...this.counts, rotations: this.tail.rotations };
    const f = this.tail.file;
    if (f) {
      s.file = f.name;
      s.inode = String(f.ino);
      s.offset = this.tail.offset!;
    }
    if (this.lastError) s.last_error = this.lastError;
    return s;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule(this.pollMs));
    }, ms);
  }

  /** One look at the file: reads what is new, handles rotation. Polls never overlap. */
  poll(): Promise<void> {
    if (!this.running) {
      this.running = this.step().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async step(): Promise<void> {
    try {
      await this.tail.poll();
      if (this.lastError) this.o.log.info({ path: this.path }, 'audit log file readable again');
      this.lastError = undefined;
      this.failed = false;
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== this.lastError) this.o.log.warn({ path: this.path, err: msg }, 'cannot read the Kubernetes audit log file; retrying');
      this.lastError = msg;
      this.failed = true;
    }
  }

  private warn(fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarn >= WARN_EVERY_MS) {
      this.lastWarn = now;
      this.o.log.warn(fields, msg);
    } else {
      this.o.log.debug(fields, msg);
    }
  }

  /** One line, data[s, e) without its newline; `end` is the file offset after the newline. */
  private line(data: Buffer, s: number, e: number, end: number): void {
    let stop = e;
    if (stop > s && data[stop - 1] === 0x0d) stop -= 1;
    const text = data.toString('utf8', s, stop);
    if (text.trim().length === 0) return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      this.bad(`invalid JSON: ${(err as Error).message}`, end);
      return;
    }
    const ev = normalizeAuditEvent(obj, this.normOpts, text);
    if (!('event' in ev)) {
      this.bad(ev.error, end);
      return;
    }
    this.o.emitter.emit(ev, this.tail.checkpoint(end));
    this.counts.events += 1;
    this.m.events.inc({ input: 'file', result: 'accepted' });
  }

  private bad(error: string, offset: number): void {
    this.counts.bad_lines += 1;
    this.o.metrics.malformedTotal.inc({ source: 'k8s_audit' });
    this.m.events.inc({ input: 'file', result: 'rejected' });
    this.warn({ path: this.tail.file?.name ?? this.path, offset, err: error }, 'skipped a malformed line of the Kubernetes audit log');
  }
}
