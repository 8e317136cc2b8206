// From the bytes of `GET /containers/{id}/logs?timestamps=1` to whole log lines.
//
// dockerd's log copier reads a container's output into a 16 KiB buffer and logs one message per
// line; a line longer than the buffer is logged as several partial messages of 16 KiB each, the
// last one ending with the newline. With `timestamps=1` the API writes every message, partial or
// not, as `<RFC 3339 time> <bytes>`; dockerd 20.10 gives every partial of a line the time of the
// first. So:
//   - without a TTY each message is one frame (see frames.ts) and a frame whose payload does not
//     end with `\n` is a partial: its bytes continue the stream's pending line (stdout and stderr
//     are joined separately: their frames interleave);
//   - with a TTY there are no frames: a message ends at `\n`, or after exactly 16 KiB without one,
//     and the next message starts with its own timestamp, directly after the last byte.
// The line keeps the time of its first partial. Its length is capped at `maxLineBytes`; the rest
// is read and dropped, and the line flagged truncated.

import { FrameDemuxer, STDERR, STDIN, STDOUT, SYSTEM, type FrameHandler } from './frames.js';
import { CappedLine } from '../../util/capped-line.js';
import { fromNanos, parseDockerTime, type LineTime } from './timestamp.js';

export type StreamName = 'stdout' | 'stderr';

export interface LogLine extends LineTime {
  stream: StreamName;
  message: string;
  /** Bytes of the line as the container wrote it, newline included (before any truncation). */
  bytes: number;
  truncated: boolean;
  /** The line had no readable timestamp: it carries the time of the line before it. */
  untimed?: boolean;
}

export interface LineEvents {
  line(line: LogLine): void;
  /** A message of the engine itself (system-error frame: "Error grabbing logs: ..."). */
  engineError?(message: string): void;
  /** Something that is not what the protocol promises, skipped or repaired (counted). */
  malformed?(reason: string): void;
}

/** dockerd's copier buffer: the size of each partial message. */
export const PARTIAL_SIZE = 16 * 1024;
/** Longest timestamp prefix looked at (RFC 3339 with nanoseconds and an offset is 35). */
const MAX_TS = 40;
const NL = 10;
const SPACE = 32;

/** The line being assembled for one stream, with the time of its first partial. */
class Pending extends CappedLine {
  t: LineTime | undefined;
  untimed = false;

  override reset(): void {
    super.reset();
    this.t = undefined;
    this.untimed = false;
  }
}

function isTimestampByte(b: number): boolean {
  // digits - . : T Z +
  return (b >= 48 && b <= 57) || b === 45 || b === 46 || b === 58 || b === 84 || b === 90 || b === 43;
}

/** Common to both modes: the time of lines that have none, line completion. */
abstract class Assembler {
  protected lastTime: LineTime | undefined;

  constructor(
    protected readonly events: LineEvents,
    protected readonly maxLineBytes: number,
  ) {}

  abstract push(chunk: Buffer): void;
  /** The stream ended. `final`: nothing more will ever come, so a line without its newline is whole. */
  abstract end(final: boolean): void;

  protected timeFor(p: Pending): void {
    if (p.t === undefined) {
      p.t = this.lastTime ?? fromNanos(BigInt(Date.now()) * 1_000_000n);
      p.untimed = true;
    }
  }

  protected finish(p: Pending, stream: StreamName, hasNewline: boolean): void {
    this.timeFor(p);
    const t = p.t!;
    const line: LogLine = {
      stream, sec: t.sec, nsec: t.nsec, time: t.time, message: p.text(hasNewline), bytes: p.total, truncated: p.truncated,
    };
    if (p.untimed) line.untimed = true;
    p.reset();
    this.events.line(line);
  }
}

/** Lines from the multiplexed (framed) stream of a container without a TTY. */
export class FramedLineAssembler extends Assembler implements FrameHandler {
  readonly demuxer: FrameDemuxer;
  private readonly pending: [Pending, Pending] = [new Pending(), new Pending()];
  // the frame being read
  private inTs = false;
  private readonly tsBuf = Buffer.alloc(MAX_TS);
  private tsLen = 0;
  private lastByte = -1;
  private system = '';

  constructor(events: LineEvents, maxLineBytes: number) {
    super(events, maxLineBytes);
    this.demuxer = new FrameDemuxer(this, Math.max(64 * 1024 * 1024, maxLineBytes * 4));
  }

  push(chunk: Buffer): void {
    try {
      this.demuxer.push(chunk);
    } finally {
      this.pending[0].retain();
      this.pending[1].retain();
    }
  }

  end(final: boolean): void {
    for (const [i, p] of this.pending.entries()) {
      if (final && p.active) this.finish(p, i === 0 ? 'stdout' : 'stderr', false);
      else p.reset();
    }
  }

  piece(stream: number, buf: Buffer, start: number, end: number, first: boolean, last: boolean): void {
    if (stream === SYSTEM) {
      if (first) this.system = '';
      if (this.system.length < 4096) this.system += buf.toString('utf8', start, Math.min(end, start + 4096));
      if (last) this.events.engineError?.(this.system.trim());
      return;
    }
    if (stream === STDIN) {
      if (first) this.events.malformed?.('stdin frame');
      return;
    }
    const p = this.pending[stream === STDOUT ? 0 : 1];
    const name: StreamName = stream === STDERR ? 'stderr' : 'stdout';
    if (first) {
      // Fast path: a whole one-line message in one piece, nothing pending on its stream.
      if (last && !p.active && end - start > 1 && buf[end - 1] === NL) {
        const sp = buf.indexOf(SPACE, start);
        if (sp > start && sp - start <= MAX_TS && sp < end) {
          const t = parseDockerTime(buf, start, sp);
          if (t) {
            this.lastTime = t;
            p.t = t;
            p.add(buf, sp + 1, end, this.maxLineBytes);
            this.finish(p, name, true);
            return;
          }
        }
      }
      this.inTs = true;
      this.tsLen = 0;
      this.lastByte = -1;
    }
    let i = start;
    if (this.inTs) {
      i = this.readTimestamp(p, buf, start, end);
      if (this.inTs) {
        if (!last) return; // the timestamp continues in the next piece
        this.inTs = false;
        i = this.noTimestamp(p, start, end);
      }
    }
    if (end > i) {
      this.lastByte = buf[end - 1]!;
      p.add(buf, i, end, this.maxLineBytes);
    }
    if (last && this.lastByte === NL) this.finish(p, name, true);
  }

  /** Reads the frame's timestamp prefix from `buf[start, end)`; returns where its content starts. */
  private readTimestamp(p: Pending, buf: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      const b = buf[i]!;
      if (b === SPACE) {
        const t = parseDockerTime(this.tsBuf, 0, this.tsLen);
        this.inTs = false;
        if (!t) return this.noTimestamp(p, start, i);
        this.lastTime = t;
        // A continuation partial keeps the time of the line's first partial.
        if (!p.active) p.t = t;
        return i + 1;
      }
      if (!isTimestampByte(b) || this.tsLen >= MAX_TS) {
        this.inTs = false;
        return this.noTimestamp(p, start, i);
      }
      this.tsBuf[this.tsLen++] = b;
      i += 1;
    }
    return i;
  }

  /**
   * The frame has no timestamp: what was taken for one is content. Bytes collected from earlier
   * pieces are copied into the line; those of this piece (from `start`) are read again as content.
   */
  private noTimestamp(p: Pending, start: number, at: number): number {
    this.events.malformed?.('message without a timestamp');
    const fromEarlier = this.tsLen - (at - start);
    if (fromEarlier > 0) {
      const copy = Buffer.from(this.tsBuf.subarray(0, fromEarlier));
      this.lastByte = copy[copy.length - 1]!;
      p.add(copy, 0, copy.length, this.maxLineBytes);
      p.retain();
    }
    this.tsLen = 0;
    return start;
  }
}

/**
 * Lines from the raw stream of a container with a TTY (one stream, reported as stdout): messages
 * are `<time> <bytes>` back to back, a message ends after `\n` or after PARTIAL_SIZE bytes.
 */
export class RawLineAssembler extends Assembler {
  private readonly p = new Pending();
  private inTs = true;
  private readonly tsBuf = Buffer.alloc(MAX_TS);
  private tsLen = 0;
  /** Bytes of the current message after its timestamp. */
  private msgBytes = 0;

  constructor(events: LineEvents, maxLineBytes: number, private readonly partialSize = PARTIAL_SIZE) {
    super(events, maxLineBytes);
  }

  push(chunk: Buffer): void {
    try {
      this.consume(chunk);
    } finally {
      this.p.retain();
    }
  }

  end(final: boolean): void {
    if (this.inTs && this.tsLen > 0) {
      // a stream that stops inside what looked like a timestamp: those bytes are content
      if (final) this.contentFromTs();
    }
    if (final && this.p.active) this.finish(this.p, 'stdout', false);
    else this.p.reset();
    this.inTs = true;
    this.tsLen = 0;
    this.msgBytes = 0;
  }

  private consume(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.inTs) {
        // Fast path: the whole timestamp is in this chunk.
        if (this.tsLen === 0) {
          const sp = buf.indexOf(SPACE, i);
          if (sp > i && sp - i <= MAX_TS) {
            const t = parseDockerTime(buf, i, sp);
            if (t) {
              this.lastTime = t;
              if (!this.p.active) this.p.t = t;
              this.inTs = false;
              this.msgBytes = 0;
              i = sp + 1;
              continue;
            }
          }
        }
        const b = buf[i]!;
        if (b === SPACE && this.tsLen > 0) {
          const t = parseDockerTime(this.tsBuf, 0, this.tsLen);
          i += 1;
          if (t) {
            this.lastTime = t;
            if (!this.p.active) this.p.t = t;
            this.inTs = false;
            this.msgBytes = 0;
            this.tsLen = 0;
            continue;
          }
          this.tsBuf[this.tsLen++] = b; // the space is content too
          this.contentFromTs();
          continue;
        }
        if (isTimestampByte(b) && this.tsLen < MAX_TS) {
          this.tsBuf[this.tsLen++] = b;
          i += 1;
          continue;
        }
        // Not a timestamp: a message of a driver with another buffer size, or a last partial
        // without newline followed by more output. What was collected is content; so is this byte.
        this.contentFromTs();
        continue;
      }
      const room = this.partialSize - this.msgBytes;
      const limit = Math.min(n, i + room);
      let nl = buf.indexOf(NL, i);
      if (nl >= limit) nl = -1;
      if (nl >= 0) {
        this.p.add(buf, i, nl + 1, this.maxLineBytes);
        i = nl + 1;
        this.finish(this.p, 'stdout', true);
        this.inTs = true;
        this.msgBytes = 0;
      } else {
        this.p.add(buf, i, limit, this.maxLineBytes);
        this.msgBytes += limit - i;
        i = limit;
        if (this.msgBytes >= this.partialSize) {
          // a partial message: the line continues in the next message
          this.inTs = true;
          this.msgBytes = 0;
        }
      }
    }
  }

  /** The bytes taken for a timestamp are content of the current message. */
  private contentFromTs(): void {
    this.events.malformed?.('message without a timestamp');
    this.inTs = false;
    if (this.tsLen === 0) return;
    const copy = Buffer.from(this.tsBuf.subarray(0, this.tsLen));
    this.tsLen = 0;
    this.p.add(copy, 0, copy.length, this.maxLineBytes);
    this.p.retain();
    this.msgBytes += copy.length;
  }
}

/** The assembler for a container: raw when it has a TTY, framed otherwise. */
export function lineAssembler(tty: boolean, events: LineEvents, maxLineBytes: number): FramedLineAssembler | RawLineAssembler {
  return tty ? new RawLineAssembler(events, maxLineBytes) : new FramedLineAssembler(events, maxLineBytes);
}
