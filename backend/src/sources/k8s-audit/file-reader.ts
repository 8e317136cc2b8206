// Follows a Kubernetes audit log file (the API server's log backend, `--audit-log-path`: JSON
// lines, one audit Event per line) and emits each event.
//
// - Polling (default every 250 ms), not fs.watch, which misses renames and truncations.
// - The position is the file's inode, the byte offset after the last complete line, and a
//   fingerprint of the file's first bytes (length + SHA-256 of up to 256 bytes). It goes to the
//   store as the checkpoint `k8s.audit.file:<absolute path>` with every event, in the same
//   transaction, so after a crash the store holds an event if and only if the position is past it.
// - A partial last line is not consumed until its newline arrives.
// - Rotation by rename (the API server's own rotation, logrotate `create`): the path now names
//   another inode. The old file is read to its end and, once it stayed the same for one poll,
//   closed (a last line without newline is taken then); the new file is read from its start.
// - Rotation by copy + truncate (logrotate `copytruncate`): the open file shrank below what was
//   read, or its first bytes changed (it was truncated and refilled between two polls): read
//   again from the start.
// - After a restart: the stored inode still at the path with the same first bytes and at least
//   the stored size → resume at the offset; the inode now elsewhere in the same directory (rotated
//   while stopped) → finish that file from the offset, then the new one from the start; otherwise
//   the file was replaced → its start.
// - Lines that are not JSON or not audit Events are counted (`shipwatch_malformed_input_total
//   {source="k8s_audit"}`) and skipped; a line longer than the limit too.

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { normalizeAuditEvent, type NormalizeAuditOptions } from '../../transforms/normalize/k8s-audit.js';
import type { Logger } from '../../util/log.js';
import { auditMetrics, type AuditMetrics } from './metrics.js';

const HEAD_BYTES = 256;
const NL = 0x0a;
const WARN_EVERY_MS = 10_000;
const MAX_DIR_SCAN = 10_000;

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

/** The stored position (checkpoint value, JSON). */
export interface AuditFilePosition {
  /** Inode, as a decimal string. */
  ino: string;
  /** Bytes consumed: the offset just after the last complete line taken. */
  offset: number;
  /** Fingerprint of the file's first head_len bytes (SHA-256, hex, first 32 digits). */
  head_len: number;
  head: string;
}

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

interface OpenFile {
  fh: fs.FileHandle;
  name: string;
  ino: bigint;
  /** Next byte to read. */
  readPos: number;
  /** Offset where the line not yet complete begins (= bytes consumed). */
  lineStart: number;
  /** Bytes [lineStart, readPos) when not skipping. */
  carry: Buffer | undefined;
  /** Inside a line longer than the limit: discard up to its newline. */
  skipping: boolean;
  head: Buffer;
  headHash: string;
  /** When the path was first seen naming another file while this one is still read. */
  rotatedAt?: number;
}

export function parseAuditFilePosition(text: string | undefined): AuditFilePosition | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<AuditFilePosition>;
    if (typeof v.ino !== 'string' || !/^\d+$/.test(v.ino)) return undefined;
    if (typeof v.offset !== 'number' || !Number.isSafeInteger(v.offset) || v.offset < 0) return undefined;
    if (typeof v.head_len !== 'number' || !Number.isInteger(v.head_len) || v.head_len < 0 || v.head_len > HEAD_BYTES) return undefined;
    if (typeof v.head !== 'string') return undefined;
    return { ino: v.ino, offset: v.offset, head_len: v.head_len, head: v.head };
  } catch {
    return undefined;
  }
}

function hashHead(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 32);
}

async function statOrUndefined(p: string): Promise<import('node:fs').BigIntStats | undefined> {
  try {
    return await fs.stat(p, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readAt(fh: fs.FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export class AuditLogReader {
  readonly path: string;
  readonly key: string;
  private readonly m: AuditMetrics;
  private readonly pollMs: number;
  private readonly maxLine: number;
  private readonly buf: Buffer;
  private readonly normOpts: NormalizeAuditOptions;
  private cur: OpenFile | undefined;
  /** The stored position, until the first open has used it (null: looked, none). */
  private resume: AuditFilePosition | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private state: AuditLogReaderStatus['state'] = 'stopped';
  private counts = { events: 0, bad_lines: 0, rotations: 0 };
  private lastError: string | undefined;
  private lastWarn = 0;
  private saidWaiting = false;

  constructor(private readonly o: AuditLogReaderOptions) {
    this.path = path.resolve(o.path);
    this.key = `k8s.audit.file:${this.path}`;
    this.m = auditMetrics(o.metrics.registry);
    this.pollMs = o.pollMs ?? 250;
    this.maxLine = o.maxLineBytes ?? 16 * 1024 * 1024;
    this.buf = Buffer.allocUnsafe(o.readChunkBytes ?? 1024 * 1024);
    this.normOpts = { ...o.normalize, ...(o.hostName ? { hostName: o.hostName } : {}) };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.state = 'starting';
    this.schedule(0);
  }

  /** Stops polling, closes the file and waits until what was emitted is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    const cur = this.cur;
    this.cur = undefined;
    await cur?.fh.close().catch(() => undefined);
    this.state = 'stopped';
    await this.o.emitter.flush();
  }

  status(): AuditLogReaderStatus {
    const s: AuditLogReaderStatus = { path: this.path, state: this.state, ...this.counts };
    if (this.cur) {
      s.file = this.cur.name;
      s.inode = String(this.cur.ino);
      s.offset = this.cur.lineStart;
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
    if (this.stopped) return;
    try {
      if (!this.cur) await this.open();
      if (this.cur) {
        await this.follow(this.cur);
        if (this.cur) this.state = 'following';
      }
      if (this.lastError) this.o.log.info({ path: this.path }, 'audit log file readable again');
      this.lastError = undefined;
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== this.lastError) this.o.log.warn({ path: this.path, err: msg }, 'cannot read the Kubernetes audit log file; retrying');
      this.lastError = msg;
      this.state = 'error';
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

  private async openFile(name: string, offset: number, ino: bigint): Promise<OpenFile> {
    const fh = await fs.open(name, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      if (st.ino !== ino) throw new Error(`${name} changed while being opened`);
      const head = await readAt(fh, HEAD_BYTES, 0);
      return { fh, name, ino, readPos: offset, lineStart: offset, carry: undefined, skipping: false, head, headHash: hashHead(head) };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Whether the first `pos.head_len` bytes of the open file are the stored ones. */
  private async headMatches(fh: fs.FileHandle, pos: AuditFilePosition): Promise<boolean> {
    const b = await readAt(fh, pos.head_len, 0);
    return b.length === pos.head_len && hashHead(b) === pos.head;
  }

  private async open(): Promise<void> {
    if (this.resume === undefined) this.resume = parseAuditFilePosition(this.o.store.position(this.key)) ?? null;
    const st = await statOrUndefined(this.path);
    const saved = this.resume;
    if (saved) {
      const ino = BigInt(saved.ino);
      if (st && st.ino === ino) {
        const f = await this.openFile(this.path, 0, st.ino);
        if (Number(st.size) >= saved.offset && (await this.headMatches(f.fh, saved))) {
          f.readPos = f.lineStart = saved.offset;
          this.o.log.info({ path: this.path, offset: saved.offset }, 'following the Kubernetes audit log from the stored position');
        } else {
          this.rotated('truncate');
          this.o.log.info({ path: this.path, stored_offset: saved.offset, size: Number(st.size) }, 'the Kubernetes audit log was truncated or replaced while stopped; reading it from the start');
        }
        return this.opened(f);
      }
      const rotated = await this.findRotated(saved);
      if (rotated) {
        this.o.log.info({ path: this.path, file: rotated.name, offset: saved.offset }, 'the Kubernetes audit log was rotated while stopped; finishing the rotated file first');
        return this.opened(rotated);
      }
      if (!st) return this.waiting();
      this.rotated('rename');
      this.o.log.warn({ path: this.path, stored_inode: saved.ino }, 'the file of the stored position is gone (rotated away and removed); reading the current audit log from the start, events in between may be missing');
      return this.opened(await this.openFile(this.path, 0, st.ino));
    }
    if (!st) return this.waiting();
    if (!st.isFile()) throw new Error(`${this.path} is not a regular file`);
    // `end` applies to the file found at the very first start; files that appear later are new.
    const offset = this.resume === null && this.o.startAt === 'end' && !this.saidWaiting && this.counts.rotations === 0 ? Number(st.size) : 0;
    const f = await this.openFile(this.path, offset, st.ino);
    if (this.counts.rotations === 0) this.o.log.info({ path: this.path, offset }, 'following the Kubernetes audit log');
    return this.opened(f);
  }

  private opened(f: OpenFile): void {
    this.cur = f;
    this.resume = null;
    this.saidWaiting = false;
    this.state = 'following';
  }

  private waiting(): void {
    if (!this.saidWaiting) this.o.log.info({ path: this.path }, 'Kubernetes audit log file not there yet; waiting for it');
    this.saidWaiting = true;
    this.state = 'waiting';
  }

  /** The stored file, rotated under another name in the same directory. */
  private async findRotated(saved: AuditFilePosition): Promise<OpenFile | undefined> {
    const dir = path.dirname(this.path);
    let names: string[];
    try {
      names = (await fs.readdir(dir)).slice(0, MAX_DIR_SCAN);
    } catch {
      return undefined;
    }
    const ino = BigInt(saved.ino);
    for (const n of names) {
      const p = path.join(dir, n);
      const st = await statOrUndefined(p).catch(() => undefined);
      if (!st || st.ino !== ino || !st.isFile() || Number(st.size) < saved.offset) continue;
      const f = await this.openFile(p, saved.offset, st.ino).catch(() => undefined);
      if (!f) continue;
      if (await this.headMatches(f.fh, saved)) return f;
      await f.fh.close().catch(() => undefined);
    }
    return undefined;
  }

  private rotated(kind: 'rename' | 'truncate'): void {
    this.counts.rotations += 1;
    this.m.rotations.inc({ kind });
  }

  private async follow(f: OpenFile): Promise<void> {
    // Truncated (copytruncate): smaller than what was read, or other first bytes.
    const st = await f.fh.stat({ bigint: true });
    if (Number(st.size) < f.readPos || !(await this.sameHead(f))) {
      this.rotated('truncate');
      this.o.log.info({ path: f.name, read: f.readPos, size: Number(st.size) }, 'Kubernetes audit log truncated (copytruncate); reading it from the start');
      f.readPos = f.lineStart = 0;
      f.carry = undefined;
      f.skipping = false;
      f.head = await readAt(f.fh, HEAD_BYTES, 0);
      f.headHash = hashHead(f.head);
    }
    const grew = await this.drain(f);
    if (this.stopped) return;

    // Renamed: the path names another file now (or nothing yet: keep reading this one).
    const pst = await statOrUndefined(this.path);
    if (!pst || pst.ino === f.ino) {
      f.rotatedAt = undefined;
      return;
    }
    if (f.rotatedAt === undefined || grew > 0) {
      f.rotatedAt = Date.now(); // let the writer finish: switch once this file stayed the same for a poll
      return;
    }
    if (f.carry && f.carry.length > 0 && !f.skipping) this.line(f, f.carry, 0, f.carry.length, f.readPos);
    f.carry = undefined;
    await this.o.emitter.flush();
    await f.fh.close().catch(() => undefined);
    this.cur = undefined;
    this.rotated('rename');
    this.o.log.info({ path: this.path, previous: f.name }, 'Kubernetes audit log rotated; following the new file');
    await this.open();
    if (this.cur) await this.drain(this.cur);
  }

  /** Compares the file's first bytes with the ones seen; learns more of them while the file is short. */
  private async sameHead(f: OpenFile): Promise<boolean> {
    const now = await readAt(f.fh, HEAD_BYTES, 0);
    if (now.length < f.head.length) return false;
    if (!now.subarray(0, f.head.length).equals(f.head)) return false;
    if (now.length > f.head.length) {
      f.head = now;
      f.headHash = hashHead(now);
    }
    return true;
  }

  /** Reads to the end of the file; the store commits each chunk's events before the next read. */
  private async drain(f: OpenFile): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const { bytesRead } = await f.fh.read(this.buf, 0, this.buf.length, f.readPos);
      if (bytesRead === 0) break;
      f.readPos += bytesRead;
      total += bytesRead;
      this.m.fileBytes.inc(bytesRead);
      this.consume(f, this.buf.subarray(0, bytesRead));
      await this.o.emitter.flush();
    }
    return total;
  }

  private consume(f: OpenFile, chunk: Buffer): void {
    let data = chunk;
    let base = f.readPos - chunk.length; // file offset of data[0]
    if (f.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return;
      f.skipping = false;
      data = chunk.subarray(nl + 1);
      base += nl + 1;
      f.lineStart = base;
    } else if (f.carry) {
      data = Buffer.concat([f.carry, chunk]);
      base = f.lineStart;
    }
    let start = 0;
    for (let nl = data.indexOf(NL); nl >= 0; nl = data.indexOf(NL, start)) {
      this.line(f, data, start, nl, base + nl + 1);
      start = nl + 1;
    }
    f.lineStart = base + start;
    const rest = data.length - start;
    if (rest === 0) {
      f.carry = undefined;
    } else if (rest > this.maxLine) {
      this.bad(f, `line longer than ${this.maxLine} bytes (k8s.audit_log_max_line)`, f.lineStart);
      f.carry = undefined;
      f.skipping = true;
    } else {
      f.carry = Buffer.from(data.subarray(start)); // a copy: the read buffer is reused
    }
  }

  /** One line, data[s, e) without its newline; `end` is the file offset after the newline. */
  private line(f: OpenFile, data: Buffer, s: number, e: number, end: number): void {
    let stop = e;
    if (stop > s && data[stop - 1] === 0x0d) stop -= 1;
    if (stop - s > this.maxLine) {
      this.bad(f, `line longer than ${this.maxLine} bytes (k8s.audit_log_max_line)`, end);
      return;
    }
    const text = data.toString('utf8', s, stop);
    if (text.trim().length === 0) return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      this.bad(f, `invalid JSON: ${(err as Error).message}`, end);
      return;
    }
    const ev = normalizeAuditEvent(obj, this.normOpts);
    if (!('event' in ev)) {
      this.bad(f, ev.error, end);
      return;
    }
    const pos: AuditFilePosition = { ino: String(f.ino), offset: end, head_len: f.head.length, head: f.headHash };
    this.o.emitter.emit(ev, { key: this.key, value: JSON.stringify(pos) });
    this.counts.events += 1;
    this.m.events.inc({ input: 'file', result: 'accepted' });
  }

  private bad(f: OpenFile, error: string, end: number): void {
    this.counts.bad_lines += 1;
    this.o.metrics.malformedTotal.inc({ source: 'k8s_audit' });
    this.m.events.inc({ input: 'file', result: 'rejected' });
    this.warn({ path: f.name, line_end_offset: end, err: error }, 'skipped a malformed line of the Kubernetes audit log');
  }
}
