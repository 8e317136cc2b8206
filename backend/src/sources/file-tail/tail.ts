// Follows one growing file of lines across rotations, with a position that becomes durable with the
// events it covers. Shared by the Kubernetes audit log reader and the pod (CRI) log source.
//
// - Polled by its owner (`poll()`), not fs.watch, which misses renames and truncations.
// - The position is the file's inode, a byte offset, and a fingerprint of the file's first bytes
//   (length + SHA-256 of up to 256 bytes); the owner emits it (`checkpoint()`) with its events, so
//   the store holds an event if and only if the position is past it.
// - A partial last line is not handed on until its newline arrives.
// - Rotation by rename (logrotate `create`, the API server's and the kubelet's own rotation): the
//   path now names another inode. The old file is read to its end and, once it stayed the same for
//   one poll, closed (a last line without newline is taken then); the new file is read from its start.
// - Rotation by copy + truncate (logrotate `copytruncate`): the open file shrank below what was
//   read, or its first bytes changed (truncated and refilled between two polls): read it again from
//   the start.
// - After a restart: the stored inode still at the path with the same first bytes and at least the
//   stored size → resume at the offset; the inode now elsewhere in the same directory (rotated while
//   stopped) → finish that file from the offset, then the new one from the start; otherwise the file
//   was replaced → its start.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../util/log.js';
import { HEAD_BYTES, hashHead, parseFilePosition, type FilePosition } from './position.js';

const NL = 0x0a;
const MAX_DIR_SCAN = 10_000;

/** The file being read. */
export interface TailFile {
  readonly name: string;
  readonly ino: bigint;
}

/** What the owner does with the bytes. */
export interface TailConsumer {
  /**
   * Reading starts in a file: at a stored position (`resumed`, with its `extra`) or at the start of
   * a new, rotated-in or truncated file (`resumed` undefined). State of the previous file is dropped.
   */
  begin(file: TailFile, resumed: FilePosition | undefined): void;
  /**
   * One line, `data[s, e)` without its newline; `start` and `end` are the file offsets of its first
   * byte and of the byte after its newline. `data` is reused after the call: copy what is kept.
   */
  line(data: Buffer, s: number, e: number, start: number, end: number): void;
  /** A line longer than maxLineBytes, skipped up to its newline; `start` is its file offset. */
  tooLong(start: number): void;
  /** The file was read to its end and is left (rotated away): complete what is pending. */
  finish?(file: TailFile): void;
}

export interface FileTailOptions {
  path: string;
  /** Checkpoint key of the position. */
  key: string;
  /** Where the stored position is read from at the first open. */
  store: { position(key: string): string | undefined };
  /** flush() resolves once what was emitted is committed (between two reads, and before a file is left). */
  emitter: { flush(): Promise<void> };
  log: Logger;
  /** What the file is, in log messages ("the Kubernetes audit log"). */
  what: string;
  /** Without a stored position, the file found at the first open starts at its beginning (default) or end. */
  startAt?: 'beginning' | 'end';
  maxLineBytes: number;
  /** The read buffer; may be shared by tails that are never polled at the same time. */
  buffer: Buffer;
  consumer: TailConsumer;
  onRotation?: (kind: 'rename' | 'truncate') => void;
  onBytes?: (n: number) => void;
}

export type TailState = 'starting' | 'waiting' | 'following';

interface OpenFile extends TailFile {
  fh: fs.FileHandle;
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

export class FileTail {
  readonly path: string;
  state: TailState = 'starting';
  rotations = 0;
  private cur: OpenFile | undefined;
  /** The stored position, until the first open has used it (null: looked, none). */
  private resume: FilePosition | null | undefined;
  private saidWaiting = false;
  private closed = false;

  constructor(private readonly o: FileTailOptions) {
    this.path = path.resolve(o.path);
  }

  /** The file being read: the path, or a rotated file being finished. */
  get file(): TailFile | undefined {
    return this.cur;
  }

  /** Bytes consumed of the current file. */
  get offset(): number | undefined {
    return this.cur?.lineStart;
  }

  /** Whether the path names nothing and no rotated file is still being finished. */
  get idle(): boolean {
    return this.cur === undefined;
  }

  /** The position for a checkpoint: the current file at `offset`, with the consumer's `extra`. */
  checkpoint(offset: number, extra?: Record<string, unknown>): { key: string; value: string } {
    const f = this.cur!;
    const p: FilePosition = { ino: String(f.ino), offset, head_len: f.head.length, head: f.headHash };
    if (extra) p.extra = extra;
    return { key: this.o.key, value: JSON.stringify(p) };
  }

  /** One look: opens the file if needed, reads what is new, handles rotation. The owner never overlaps polls. */
  async poll(): Promise<void> {
    if (this.closed) return;
    if (!this.cur) await this.open();
    if (this.cur) {
      await this.follow(this.cur);
      if (this.cur) this.state = 'following';
    }
  }

  /** Stops reading at the next chunk boundary (a poll under way returns soon); then close(). */
  halt(): void {
    this.closed = true;
  }

  /** Closes the file (after the last poll returned); the tail can not be polled again. */
  async close(): Promise<void> {
    this.closed = true;
    const cur = this.cur;
    this.cur = undefined;
    await cur?.fh.close().catch(() => undefined);
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
  private async headMatches(fh: fs.FileHandle, pos: FilePosition): Promise<boolean> {
    const b = await readAt(fh, pos.head_len, 0);
    return b.length === pos.head_len && hashHead(b) === pos.head;
  }

  private async open(): Promise<void> {
    const { log, what } = this.o;
    if (this.resume === undefined) this.resume = parseFilePosition(this.o.store.position(this.o.key)) ?? null;
    const st = await statOrUndefined(this.path);
    const saved = this.resume;
    if (saved) {
      const ino = BigInt(saved.ino);
      if (st && st.ino === ino) {
        const f = await this.openFile(this.path, 0, st.ino);
        if (Number(st.size) >= saved.offset && (await this.headMatches(f.fh, saved))) {
          f.readPos = f.lineStart = saved.offset;
          log.info({ path: this.path, offset: saved.offset }, `following ${what} from the stored position`);
          return this.opened(f, saved);
        }
        this.rotated('truncate');
        log.info({ path: this.path, stored_offset: saved.offset, size: Number(st.size) }, `${what} was truncated or replaced while stopped; reading it from the start`);
        return this.opened(f, undefined);
      }
      const rotated = await this.findRotated(saved);
      if (rotated) {
        log.info({ path: this.path, file: rotated.name, offset: saved.offset }, `${what} was rotated while stopped; finishing the rotated file first`);
        return this.opened(rotated, saved);
      }
      if (!st) return this.waiting();
      this.rotated('rename');
      log.warn({ path: this.path, stored_inode: saved.ino }, `the file of the stored position of ${what} is gone (rotated away and removed); reading the current file from the start, lines in between may be missing`);
      return this.opened(await this.openFile(this.path, 0, st.ino), undefined);
    }
    if (!st) return this.waiting();
    if (!st.isFile()) throw new Error(`${this.path} is not a regular file`);
    // `end` applies to the file found at the very first open; files that appear later are new.
    const offset = this.resume === null && this.o.startAt === 'end' && !this.saidWaiting && this.rotations === 0 ? Number(st.size) : 0;
    const f = await this.openFile(this.path, offset, st.ino);
    if (this.rotations === 0) log.info({ path: this.path, offset }, `following ${what}`);
    return this.opened(f, undefined);
  }

  private opened(f: OpenFile, resumed: FilePosition | undefined): void {
    this.cur = f;
    this.resume = null;
    this.saidWaiting = false;
    this.state = 'following';
    this.o.consumer.begin(f, resumed);
  }

  private waiting(): void {
    if (!this.saidWaiting) this.o.log.info({ path: this.path }, `${this.o.what}: file not there yet; waiting for it`);
    this.saidWaiting = true;
    this.state = 'waiting';
  }

  /** The stored file, rotated under another name in the same directory. */
  private async findRotated(saved: FilePosition): Promise<OpenFile | undefined> {
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
    this.rotations += 1;
    this.o.onRotation?.(kind);
  }

  private async follow(f: OpenFile): Promise<void> {
    // Truncated (copytruncate): smaller than what was read, or other first bytes.
    const st = await f.fh.stat({ bigint: true });
    if (Number(st.size) < f.readPos || !(await this.sameHead(f))) {
      this.rotated('truncate');
      this.o.log.info({ path: f.name, read: f.readPos, size: Number(st.size) }, `${this.o.what} truncated (copytruncate); reading it from the start`);
      f.readPos = f.lineStart = 0;
      f.carry = undefined;
      f.skipping = false;
      f.head = await readAt(f.fh, HEAD_BYTES, 0);
      f.headHash = hashHead(f.head);
      this.o.consumer.begin(f, undefined);
    }
    const grew = await this.drain(f);
    if (this.closed) return;

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
    if (f.carry && f.carry.length > 0 && !f.skipping) this.o.consumer.line(f.carry, 0, f.carry.length, f.lineStart, f.readPos);
    f.carry = undefined;
    f.lineStart = f.readPos;
    this.o.consumer.finish?.(f);
    await this.o.emitter.flush();
    await f.fh.close().catch(() => undefined);
    this.cur = undefined;
    this.rotated('rename');
    this.o.log.info({ path: this.path, previous: f.name }, `${this.o.what} rotated; following the new file`);
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
    const buf = this.o.buffer;
    let total = 0;
    while (!this.closed) {
      const { bytesRead } = await f.fh.read(buf, 0, buf.length, f.readPos);
      if (bytesRead === 0) break;
      f.readPos += bytesRead;
      total += bytesRead;
      this.o.onBytes?.(bytesRead);
      this.consume(f, buf.subarray(0, bytesRead));
      await this.o.emitter.flush();
    }
    return total;
  }

  private consume(f: OpenFile, chunk: Buffer): void {
    const max = this.o.maxLineBytes;
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
      if (nl - start > max) this.o.consumer.tooLong(base + start);
      else this.o.consumer.line(data, start, nl, base + start, base + nl + 1);
      start = nl + 1;
    }
    f.lineStart = base + start;
    const rest = data.length - start;
    if (rest === 0) {
      f.carry = undefined;
    } else if (rest > max) {
      this.o.consumer.tooLong(f.lineStart);
      f.carry = undefined;
      f.skipping = true;
    } else {
      f.carry = Buffer.from(data.subarray(start)); // a copy: the read buffer is reused
    }
  }
}
