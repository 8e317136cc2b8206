// Lines of a CRI container log file (what containerd and CRI-O write under /var/log/pods, the
// kubelet's log format): one entry per file line,
//
//     <RFC 3339 nano time> <stdout|stderr> <tags> <content>
//
// where the first tag is `P` (a partial: the runtime cut the line at its buffer size, 16 KiB by
// default, and the rest follows in later entries) or `F` (the entry ends the line); more tags may
// follow after `:`. Partials are joined per stream until the `F` (stdout and stderr entries
// interleave), capped at the configured line size with the Docker log source's CappedLine. The
// line keeps the time of its first partial.
//
// Resuming exactly: an event is stored with the file offset where reading resumes. While a partial
// of the other stream is pending that offset must stay before it (or the partial is lost), so the
// lines of a stream completed after it would be read again: the position then also carries, per
// stream, the end offset of the last line emitted, and lines of that stream ending at or before it
// are skipped after a restart (within one stream, entries are in file order).

import { nanosToRfc3339, rfc3339ToNanos } from '../../event/time.js';
import { CappedLine } from '../../util/capped-line.js';

export type CriStream = 'stdout' | 'stderr';
const STREAMS: readonly CriStream[] = ['stdout', 'stderr'];
const SPACE = 0x20;
/** RFC 3339 with nanoseconds and an offset is 35 bytes. */
const MAX_TIME = 40;

export interface CriLine {
  stream: CriStream;
  /** RFC 3339, nine digits, UTC: the time of the line's first entry. */
  time: string;
  message: string;
  /** Content bytes as the container wrote them (before the cap). */
  bytes: number;
  truncated: boolean;
}

/** Where to resume: the offset, and per stream the end of the last line emitted past it. */
export interface CriResume {
  offset: number;
  extra?: { skip: Partial<Record<CriStream, number>> };
}

export interface CriEvents {
  line(line: CriLine, resume: CriResume): void;
  /** An entry that is not CRI (skipped, never stops the file). */
  malformed(reason: string, offset: number): void;
}

class Pending extends CappedLine {
  time = '';
  /** File offset of the first entry of the line. */
  start = 0;
}

/** Parses one CRI entry; a string says why it is not one. */
export function parseCriEntry(data: Buffer, s: number, e: number): { time: string; stream: CriStream; partial: boolean; content: number } | string {
  const sp1 = data.indexOf(SPACE, s);
  if (sp1 < 0 || sp1 >= e) return 'no time, stream and tag';
  if (sp1 - s > MAX_TIME) return 'time too long';
  const nanos = rfc3339ToNanos(data.toString('latin1', s, sp1));
  if (nanos === undefined) return 'time is not RFC 3339';
  const sp2 = data.indexOf(SPACE, sp1 + 1);
  if (sp2 < 0 || sp2 >= e) return 'no stream and tag';
  const stream = data.toString('latin1', sp1 + 1, sp2);
  if (stream !== 'stdout' && stream !== 'stderr') return `stream "${stream.slice(0, 20)}" is neither stdout nor stderr`;
  // The tag ends at the next space, or at the end of an entry with empty content.
  let sp3 = data.indexOf(SPACE, sp2 + 1);
  if (sp3 < 0 || sp3 > e) sp3 = e;
  const tag = data[sp2 + 1];
  const tagEnd = data.indexOf(0x3a /* : */, sp2 + 1);
  const firstTagLen = (tagEnd >= 0 && tagEnd < sp3 ? tagEnd : sp3) - (sp2 + 1);
  if (firstTagLen !== 1 || (tag !== 0x50 /* P */ && tag !== 0x46 /* F */)) return `tag "${data.toString('latin1', sp2 + 1, Math.min(sp3, sp2 + 21))}" is neither P nor F`;
  return { time: nanosToRfc3339(nanos), stream, partial: tag === 0x50, content: Math.min(sp3 + 1, e) };
}

/** Joins the entries of one CRI log file into lines. */
export class CriAssembler {
  private readonly pending: Record<CriStream, Pending> = { stdout: new Pending(), stderr: new Pending() };
  /** End offset of the last line emitted, per stream. */
  private emitted: Partial<Record<CriStream, number>> = {};
  /** After a resume: entries of a stream ending at or before this were emitted before the restart. */
  private skipUpTo: Partial<Record<CriStream, number>> = {};

  constructor(
    private readonly cap: number,
    private readonly events: CriEvents,
  ) {}

  /** A new file, or the stored position of one (its `extra`). */
  begin(extra: Record<string, unknown> | undefined): void {
    for (const s of STREAMS) this.pending[s].reset();
    this.emitted = {};
    this.skipUpTo = {};
    const skip = (extra as CriResume['extra'] | undefined)?.skip;
    if (skip && typeof skip === 'object') {
      for (const s of STREAMS) {
        const v = skip[s];
        if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) this.skipUpTo[s] = this.emitted[s] = v;
      }
    }
  }

  /** One file line `data[s, e)` (without newline) at file offsets [start, end). `data` is reused after the call. */
  entry(data: Buffer, s: number, e: number, start: number, end: number): void {
    const p = parseCriEntry(data, s, e);
    if (typeof p === 'string') {
      this.events.malformed(p, start);
      return;
    }
    const skip = this.skipUpTo[p.stream];
    if (skip !== undefined && end <= skip) return; // emitted before the restart
    const line = this.pending[p.stream];
    if (!line.active) {
      line.time = p.time;
      line.start = start;
    }
    if (p.partial) {
      // Kept beyond this call: copied out of the reused read buffer.
      line.add(Buffer.from(data.subarray(p.content, e)), 0, e - p.content, this.cap);
      line.retain();
      return;
    }
    line.add(data, p.content, e, this.cap);
    this.complete(p.stream, end);
  }

  /** The file is left (rotated away): a line whose `F` never came is complete as it is. */
  finish(end: number): void {
    for (const s of STREAMS) if (this.pending[s].active) this.complete(s, end);
  }

  private complete(stream: CriStream, end: number): void {
    const line = this.pending[stream];
    const out: CriLine = { stream, time: line.time, message: line.text(false), bytes: line.total, truncated: line.truncated };
    line.reset();
    this.emitted[stream] = end;
    this.events.line(out, this.resumeAfter(end));
  }

  /** Where to resume once everything up to `end` was handled: before any pending partial. */
  private resumeAfter(end: number): CriResume {
    let offset = end;
    for (const s of STREAMS) if (this.pending[s].active && this.pending[s].start < offset) offset = this.pending[s].start;
    if (offset === end) return { offset };
    const skip: Partial<Record<CriStream, number>> = {};
    for (const s of STREAMS) {
      const v = this.emitted[s];
      if (v !== undefined && v > offset) skip[s] = v;
    }
    return { offset, extra: { skip } };
  }
}
