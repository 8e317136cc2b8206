// Syslog lines: RFC 3164 (`Dec 10 06:55:46 host tag[pid]: message`, optionally `<PRI>`-prefixed,
// optionally with fractional seconds), the high-precision form with an RFC 3339 timestamp
// (rsyslog's `RSYSLOG_FileFormat`), and RFC 5424 (`<34>1 2003-10-11T22:14:15.003Z host app procid
// msgid [sd] message`). Lines from sshd (`sshd` or OpenSSH 9.8's `sshd-session`) are decoded
// further by sshd.ts and reported as `log.format = sshd`; the others as `syslog`.
//
// RFC 3164 timestamps carry no year and no zone: `log.time` is not set for them; syslogTime() turns
// `log.syslog.timestamp` into an event time against a reference time.

import { levelFromNumber, levelFromWord } from './level.js';
import { decodeSshd } from './sshd.js';
import type { DecodedLog } from './types.js';
import { clip, digitsAt, monthAt, msToRfc3339, parseIsoTime, MAX_MESSAGE } from './util.js';
import { normalizeRfc3339 } from '../../event/time.js';

export interface SyslogHeader {
  priority?: number;
  /** The timestamp as written. */
  timestamp: string;
  /** Canonical time when the timestamp carries a year and a zone (RFC 3339 forms). */
  time?: string;
  hostname?: string;
  appname?: string;
  pid?: number;
  /** Where the message starts in the line. */
  msgStart: number;
}

/** Length of an RFC 3164 timestamp at i (`Mmm dd hh:mm:ss[.frac]`), or 0. */
function bsdTimestampLength(s: string, i: number): number {
  if (s.charCodeAt(i + 3) !== 32 || monthAt(s, i) < 0) return 0;
  const d1 = s.charCodeAt(i + 4);
  if (!(d1 === 32 || (d1 >= 48 && d1 <= 51)) || digitsAt(s, i + 5, 1) < 0 || s.charCodeAt(i + 6) !== 32) return 0;
  if (s.charCodeAt(i + 9) !== 58 || s.charCodeAt(i + 12) !== 58) return 0;
  if (digitsAt(s, i + 7, 2) < 0 || digitsAt(s, i + 10, 2) < 0 || digitsAt(s, i + 13, 2) < 0) return 0;
  let e = i + 15;
  if (s.charCodeAt(e) === 46) {
    let j = e + 1;
    while (j < s.length && j - e <= 9 && digitsAt(s, j, 1) >= 0) j += 1;
    if (j > e + 1) e = j;
  }
  return e - i;
}

/** The syslog header of a line, or undefined when the line does not start with one. */
export function parseSyslogHeader(s: string): SyslogHeader | undefined {
  let i = 0;
  let priority: number | undefined;
  if (s.charCodeAt(0) === 60) {
    const close = s.indexOf('>', 1);
    if (close < 2 || close > 4) return undefined;
    const p = digitsAt(s, 1, close - 1);
    if (p < 0 || p > 191) return undefined;
    priority = p;
    i = close + 1;
    if (s.charCodeAt(i) === 49 && s.charCodeAt(i + 1) === 32) return parse5424(s, i + 2, priority);
  }
  let timestamp: string;
  let time: string | undefined;
  const tl = bsdTimestampLength(s, i);
  if (tl > 0) {
    timestamp = s.slice(i, i + tl);
    i += tl;
  } else {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    const sp = s.indexOf(' ', i);
    if (sp < 0 || sp - i > 40) return undefined;
    timestamp = s.slice(i, sp);
    time = parseIsoTime(timestamp);
    if (!time) return undefined;
    i = sp;
  }
  if (s.charCodeAt(i) !== 32) return undefined;
  i += 1;
  // host, then tag; or the tag straight away when the host is missing.
  const t1End = s.indexOf(' ', i);
  const tok1 = s.slice(i, t1End < 0 ? s.length : t1End);
  let hostname: string | undefined;
  let tagStart = i;
  if (!isTag(tok1)) {
    hostname = tok1;
    if (t1End < 0) return time ? undefined : { priority, timestamp, time, hostname, msgStart: s.length };
    tagStart = t1End + 1;
  }
  const h: SyslogHeader = { priority, timestamp, time, hostname, msgStart: tagStart };
  // tag[pid]: — at most 64 characters of tag.
  let j = tagStart;
  const limit = Math.min(s.length, tagStart + 64);
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (c === 91 || c === 58 || c === 32) break;
    j += 1;
  }
  if (j === tagStart) return time ? undefined : h;
  const app = s.slice(tagStart, j);
  if (s.charCodeAt(j) === 91) {
    const close = s.indexOf(']', j + 1);
    if (close < 0 || close - j > 12) return h;
    const pid = digitsAt(s, j + 1, close - j - 1);
    if (close - j > 1 && pid >= 0) h.pid = pid;
    j = close + 1;
  }
  if (s.charCodeAt(j) !== 58) return time ? undefined : h;
  // `2024-01-01T00:00:00Z INFO main: ...` is an application line, not syslog.
  if (time && (!hostname || levelFromWord(hostname))) return undefined;
  h.appname = app;
  h.msgStart = s.charCodeAt(j + 1) === 32 ? j + 2 : j + 1;
  return h;
}

/** `tag:` or `tag[pid]:` — a host name never ends with a colon. */
function isTag(tok: string): boolean {
  return tok.length >= 2 && tok.charCodeAt(tok.length - 1) === 58;
}

function parse5424(s: string, i: number, priority: number): SyslogHeader | undefined {
  const tokens: string[] = [];
  let j = i;
  for (let k = 0; k < 5; k += 1) {
    const sp = s.indexOf(' ', j);
    if (sp < 0) return undefined;
    tokens.push(s.slice(j, sp));
    j = sp + 1;
  }
  const [ts, host, app, procid] = tokens as [string, string, string, string, string];
  const time = ts === '-' ? undefined : normalizeRfc3339(ts);
  if (ts !== '-' && !time) return undefined;
  // Structured data: `-` or `[...]` groups (quoted values may hold `]`, escaped as `\]`).
  if (s.charCodeAt(j) === 45) {
    j += 1;
  } else {
    while (s.charCodeAt(j) === 91) {
      let inQ = false;
      let k = j + 1;
      for (; k < s.length; k += 1) {
        const c = s.charCodeAt(k);
        if (c === 92) k += 1;
        else if (c === 34) inQ = !inQ;
        else if (c === 93 && !inQ) break;
      }
      j = k + 1;
    }
  }
  if (s.charCodeAt(j) === 32) j += 1;
  if (s.startsWith('\ufeff', j)) j += 1;
  const h: SyslogHeader = { priority, timestamp: ts, time, msgStart: Math.min(j, s.length) };
  if (host !== '-') h.hostname = host;
  if (app !== '-') h.appname = app;
  const pid = digitsAt(procid, 0, procid.length);
  if (procid !== '-' && procid.length > 0 && procid.length < 11 && pid >= 0) h.pid = pid;
  return h;
}

/** A syslog line (sshd lines decoded further), or undefined when it has no syslog header. */
export function parseSyslog(s: string): DecodedLog | undefined {
  const h = parseSyslogHeader(s);
  if (!h) return undefined;
  const msg = s.slice(h.msgStart);
  const isSshd = h.appname === 'sshd' || h.appname === 'sshd-session';
  const out: DecodedLog = { log: { format: isSshd ? 'sshd' : 'syslog', syslog: { timestamp: h.timestamp } } };
  const sl = out.log.syslog!;
  if (h.hostname) sl.hostname = clip(h.hostname, 255);
  if (h.appname) sl.appname = clip(h.appname, 64);
  if (h.priority !== undefined) {
    sl.priority = h.priority;
    const l = levelFromNumber(h.priority & 7);
    if (l) out.log.level = l;
  }
  if (h.time) out.log.time = h.time;
  if (h.appname || h.pid !== undefined) {
    out.process = {};
    if (h.appname) out.process.name = sl.appname;
    if (h.pid !== undefined) out.process.pid = h.pid;
  }
  out.message = clip(msg, MAX_MESSAGE);
  if (isSshd) decodeSshd(msg, out);
  return out;
}

export interface SyslogTimeOptions {
  /** Offset of the clock that wrote the line, in minutes east of UTC (default 0: UTC). */
  utcOffsetMinutes?: number;
  /** How far after the reference a line may be and still get the reference's year (default 0). */
  futureToleranceMs?: number;
}

/**
 * Event time of a syslog timestamp. RFC 3339 forms are taken as they are. An RFC 3164 timestamp
 * (`Dec 10 06:55:46`, no year) gets the latest year, from the reference's year back, that does not
 * put it after the reference (plus `futureToleranceMs`): a `Dec 31` line read on `Jan 1` belongs to
 * the previous year, and `Feb 29` goes back to the last leap year. Returns canonical RFC 3339 with
 * nine digits, or undefined for text that is not a syslog timestamp.
 */
export function syslogTime(timestamp: string, reference: string | number | Date, opts: SyslogTimeOptions = {}): string | undefined {
  const tl = bsdTimestampLength(timestamp, 0);
  if (tl === 0 || tl !== timestamp.length) return parseIsoTime(timestamp) ?? normalizeRfc3339(timestamp);
  const refMs = typeof reference === 'number' ? reference : typeof reference === 'string' ? Date.parse(reference) : reference.getTime();
  if (!Number.isFinite(refMs)) return undefined;
  const mon = monthAt(timestamp, 0);
  const day = timestamp.charCodeAt(4) === 32 ? digitsAt(timestamp, 5, 1) : digitsAt(timestamp, 4, 2);
  const hh = digitsAt(timestamp, 7, 2);
  const mm = digitsAt(timestamp, 10, 2);
  const ss = digitsAt(timestamp, 13, 2);
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  let frac = 0;
  if (timestamp.length > 16) frac = Number(timestamp.slice(16).padEnd(9, '0').slice(0, 9));
  const offsetMs = (opts.utcOffsetMinutes ?? 0) * 60_000;
  const limit = refMs + (opts.futureToleranceMs ?? 0);
  const refYear = new Date(refMs + offsetMs).getUTCFullYear();
  for (let y = refYear; y >= refYear - 8; y -= 1) {
    const dayMs = Date.UTC(y, mon, day);
    if (new Date(dayMs).getUTCMonth() !== mon) continue; // Feb 29 in a common year
    const ms = dayMs + ((hh * 60 + mm) * 60 + Math.min(ss, 59)) * 1000 - offsetMs;
    if (ms <= limit) return msToRfc3339(ms, frac);
  }
  return undefined;
}
