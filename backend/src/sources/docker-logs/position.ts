// Where a container's log is resumed, durable with the events it covers.
//
// What dockerd does (measured on 20.10, json-file): `since` is inclusive and exact to the
// nanosecond. Lines are served in the order they were written to the log file, which is NOT time
// order: stdout and stderr are stamped by two copier goroutines before they take the driver's lock,
// so a stderr line stamped earlier can be written after a stdout line stamped later (589 of 400,000
// lines of a container writing both streams flat out, by up to 33 ms). Within one stream times never
// go back.
//
// So a position is not just "the last time": it is a `since` that no line still to be read is
// before, and how many of the lines already taken are at or after it (dockerd serves them again
// first, in the same order, and they are skipped):
//
//   since = max(since of this read, min over the streams of max(last time of the stream, newest - W))
//   skip  = lines taken with a time >= since
//
// where W (REORDER_WINDOW) bounds how much earlier than the newest line a line still to come can be
// stamped. A stream that has been quiet a long time bounds nothing by its own last time, W does. With
// a TTY there is one stream and since = the newest line's time, skip = lines at exactly that time.
// `last` (the newest time taken) guards the skip: a re-served line newer than it is new whatever the
// count says (the log was rotated and the old lines are gone).

import { compareTime, dockerSince, nanosText, splitNanos } from './timestamp.js';

/** How much earlier than the newest line a line still to come may be stamped (stream reordering). */
export const REORDER_WINDOW_NS = 2_000_000_000;
/** Taken-line times kept per stream to count `skip`; past this the count may fall short (duplicates, never loss). */
const MAX_WINDOW_ENTRIES = 1 << 20;
const MIN_WINDOW_CAPACITY = 64;

export interface StoredPosition {
  /** Unix nanoseconds, decimal: the `since` of the next read. */
  since: string;
  /** Lines dockerd serves first from `since` that were already taken. */
  skip: number;
  /** Unix nanoseconds of the newest line taken. */
  last?: string;
  /** The container's `State.FinishedAt` when its log was read to the end after it stopped. */
  done?: string;
}

/**
 * Times of the lines taken from one stream, oldest first (non-decreasing: one stream never goes
 * back), in a ring of typed arrays: a container logging flat out keeps hundreds of thousands of
 * times in the window, and plain arrays of that size cost more to grow and trim than the rest of
 * the position.
 */
class TimeWindow {
  private sec = new Float64Array(MIN_WINDOW_CAPACITY);
  private nsec = new Int32Array(MIN_WINDOW_CAPACITY);
  /** Ring index of the oldest time. */
  private start = 0;
  private size = 0;
  lastSec = -1;
  lastNsec = 0;

  push(sec: number, nsec: number): void {
    if (this.size === this.sec.length) {
      if (this.size >= MAX_WINDOW_ENTRIES) this.dropOldest();
      else this.resize(this.sec.length * 2);
    }
    const i = (this.start + this.size) & (this.sec.length - 1);
    this.sec[i] = sec;
    this.nsec[i] = nsec;
    this.size += 1;
    if (compareTime(sec, nsec, this.lastSec, this.lastNsec) > 0) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
  }

  get hasLast(): boolean {
    return this.lastSec >= 0;
  }

  /** Drops times before (sec, nsec). */
  trim(sec: number, nsec: number): void {
    const mask = this.sec.length - 1;
    while (this.size > 0 && compareTime(this.sec[this.start]!, this.nsec[this.start]!, sec, nsec) < 0) {
      this.start = (this.start + 1) & mask;
      this.size -= 1;
    }
    // A burst is over: give its memory back.
    if (this.sec.length > MIN_WINDOW_CAPACITY && this.size * 8 < this.sec.length) this.resize(Math.max(MIN_WINDOW_CAPACITY, this.sec.length / 4));
  }

  /** Times at or after (sec, nsec). The window is sorted except for clock steps: count from the end. */
  countFrom(sec: number, nsec: number): number {
    const mask = this.sec.length - 1;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const i = (this.start + mid) & mask;
      if (compareTime(this.sec[i]!, this.nsec[i]!, sec, nsec) < 0) lo = mid + 1;
      else hi = mid;
    }
    return this.size - lo;
  }

  private dropOldest(): void {
    this.start = (this.start + 1) & (this.sec.length - 1);
    this.size -= 1;
  }

  /** Copies the window, oldest first, into rings of `capacity` (a power of two, >= size). */
  private resize(capacity: number): void {
    const sec = new Float64Array(capacity);
    const nsec = new Int32Array(capacity);
    const mask = this.sec.length - 1;
    for (let k = 0; k < this.size; k += 1) {
      const i = (this.start + k) & mask;
      sec[k] = this.sec[i]!;
      nsec[k] = this.nsec[i]!;
    }
    this.sec = sec;
    this.nsec = nsec;
    this.start = 0;
  }
}

/** A line's time and stream, as the position needs them. */
export interface TimedLine {
  sec: number;
  nsec: number;
  stream: 'stdout' | 'stderr';
}

/**
 * The position of one container's log during one read (one `GET .../logs` from `since`). Create it
 * from the stored position; feed it every line in the order dockerd serves them; `accept` says
 * which are new; `serialize` gives what to store with the last accepted line.
 */
export class LogPosition {
  readonly sinceSec: number;
  readonly sinceNsec: number;
  private skipLeft: number;
  private readonly lastSec: number;
  private readonly lastNsec: number;
  private readonly windows: TimeWindow[];
  private newestSec = -1;
  private newestNsec = 0;
  /** Lines taken in this read (accepted or skipped as already taken). */
  taken = 0;
  /** Re-served lines skipped as already taken. */
  skipped = 0;
  /** The skip count could not be honoured completely (older lines gone from the log). */
  skipShort = 0;

  constructor(
    private readonly stored: StoredPosition,
    private readonly tty: boolean,
    private readonly windowNs = REORDER_WINDOW_NS,
  ) {
    const since = splitNanos(stored.since) ?? { sec: 0, nsec: 0 };
    this.sinceSec = since.sec;
    this.sinceNsec = since.nsec;
    this.skipLeft = Number.isInteger(stored.skip) && stored.skip > 0 ? stored.skip : 0;
    const last = splitNanos(stored.last);
    this.lastSec = last?.sec ?? Number.MAX_SAFE_INTEGER;
    this.lastNsec = last?.nsec ?? 0;
    this.windows = tty ? [new TimeWindow()] : [new TimeWindow(), new TimeWindow()];
  }

  /** A position to start from: no line taken yet, read from `sinceNanos`. */
  static from(sinceNanos: string): StoredPosition {
    return { since: sinceNanos, skip: 0 };
  }

  /** The stored text (JSON); undefined when there is none or it is unreadable. */
  static parse(text: string | undefined): StoredPosition | undefined {
    if (!text) return undefined;
    try {
      const v = JSON.parse(text) as Partial<StoredPosition>;
      if (!splitNanos(v.since)) return undefined;
      return {
        since: v.since!,
        skip: typeof v.skip === 'number' && Number.isInteger(v.skip) && v.skip >= 0 ? v.skip : 0,
        ...(splitNanos(v.last) ? { last: v.last } : {}),
        ...(typeof v.done === 'string' ? { done: v.done } : {}),
      };
    } catch {
      return undefined;
    }
  }

  static stringify(p: StoredPosition): string {
    return JSON.stringify(p);
  }

  /** `since` for the Docker API. */
  get sinceParam(): string {
    return dockerSince(this.sinceSec, this.sinceNsec);
  }

  /** Lines still to skip. */
  get skipping(): number {
    return this.skipLeft;
  }

  /**
   * Takes the next line served. False when it was taken before (a re-delivery at the inclusive
   * `since`): skip it. True: it is new.
   */
  accept(line: TimedLine): boolean {
    let fresh = true;
    if (this.skipLeft > 0) {
      if (compareTime(line.sec, line.nsec, this.lastSec, this.lastNsec) <= 0) {
        this.skipLeft -= 1;
        this.skipped += 1;
        fresh = false;
      } else {
        // Newer than anything taken: the rest of the count is gone from the log (rotated away).
        this.skipShort += this.skipLeft;
        this.skipLeft = 0;
      }
    }
    this.taken += 1;
    const w = this.windows[!this.tty && line.stream === 'stderr' ? 1 : 0]!;
    w.push(line.sec, line.nsec);
    if (compareTime(line.sec, line.nsec, this.newestSec, this.newestNsec) > 0) {
      this.newestSec = line.sec;
      this.newestNsec = line.nsec;
    }
    return fresh;
  }

  /** The position after every line fed so far (what to store with the last of them). */
  current(done?: string): StoredPosition {
    if (this.newestSec < 0) {
      const { done: _old, ...rest } = this.stored;
      return done !== undefined ? { ...rest, done } : rest;
    }
    // floor = newest - W
    let fSec = this.newestSec - Math.floor(this.windowNs / 1e9);
    let fNsec = this.newestNsec - (this.windowNs % 1e9);
    if (fNsec < 0) {
      fNsec += 1e9;
      fSec -= 1;
    }
    if (fSec < 0) {
      fSec = 0;
      fNsec = 0;
    }
    // since = min over the streams of max(stream's last, floor), never before this read's since
    let sSec = Number.MAX_SAFE_INTEGER;
    let sNsec = 0;
    const streams = this.tty ? 1 : 2;
    for (let i = 0; i < streams; i += 1) {
      const w = this.windows[i]!;
      let bSec = fSec;
      let bNsec = fNsec;
      if (w.hasLast && compareTime(w.lastSec, w.lastNsec, fSec, fNsec) > 0) {
        bSec = w.lastSec;
        bNsec = w.lastNsec;
      }
      if (compareTime(bSec, bNsec, sSec, sNsec) < 0) {
        sSec = bSec;
        sNsec = bNsec;
      }
    }
    if (compareTime(sSec, sNsec, this.sinceSec, this.sinceNsec) < 0) {
      sSec = this.sinceSec;
      sNsec = this.sinceNsec;
    }
    let skip = 0;
    for (let i = 0; i < streams; i += 1) {
      const w = this.windows[i]!;
      w.trim(fSec, fNsec);
      skip += w.countFrom(sSec, sNsec);
    }
    const p: StoredPosition = { since: nanosText(sSec, sNsec), skip, last: nanosText(this.newestSec, this.newestNsec) };
    if (done !== undefined) p.done = done;
    return p;
  }

  /** The newest line time taken in this read, as Unix seconds (for the lag gauge); undefined before any. */
  get newestSeconds(): number | undefined {
    return this.newestSec < 0 ? undefined : this.newestSec + this.newestNsec / 1e9;
  }
}
