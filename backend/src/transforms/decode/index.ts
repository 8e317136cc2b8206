// Application log decoding: one container log line → the fields of DESIGN.md §3.
//
// decodeLogLine() tries the cheap, discriminating checks first and falls back to `plain`:
//   `{`                         → JSON object (invalid JSON falls through, usually to plain)
//   `<PRI>`, `Mmm dd hh:mm:ss`  → syslog (sshd lines decoded further)
//   `[Www Mmm ...] [mod:level]` → Apache error log
//   `yyyy/mm/dd hh:mm:ss [lvl]` → nginx error log
//   `host ident user [time] "request" status bytes ...` → nginx / Apache access log
//   `yyyy-mm-ddThh:mm:ss... host tag:` → syslog with an RFC 3339 timestamp
//   `key=`                      → logfmt
//   anything else               → plain (a level word among the first three words sets log.level)
// Every decoder is a linear scan or one JSON.parse, and nothing throws: any string, however long or
// binary, yields a DecodedLog.

import { normalizeRfc3339, nowRfc3339 } from '../../event/time.js';
import { newEventId, type ShipEvent } from '../../event/event.js';
import { parseAccessLog, parseApacheError, parseNginxError, type WebServer } from './access-log.js';
import { parseJsonLog } from './json-log.js';
import { levelFromWord } from './level.js';
import { parseIsoTime } from './util.js';
import { looksLikeLogfmt, parseLogfmt } from './logfmt.js';
import { parseSyslog, syslogTime, type SyslogTimeOptions } from './syslog.js';
import type { DecodedLog } from './types.js';

export type { DecodedLog, LogFormat, LogLevel, FieldValue } from './types.js';
export { webServerFromImage, type WebServer } from './access-log.js';
export { syslogTime, type SyslogTimeOptions } from './syslog.js';
export { urlFields, decodeComponent, MAX_DECODE_ROUNDS } from './url.js';
export { normalizeLevel } from './level.js';

export interface DecodeOptions {
  /** Which server wrote an access log line (from the image: webServerFromImage). Default `nginx`. */
  webServer?: WebServer;
}

/** Decodes one log line. Never throws. */
export function decodeLogLine(line: string, opts?: DecodeOptions): DecodedLog {
  try {
    return decode(trimEol(line), opts?.webServer ?? 'nginx');
  } catch {
    // Defensive: the decoders are written not to throw; a bug must not lose the line.
    return { log: { format: 'plain' } };
  }
}

function trimEol(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 10 && c !== 13) break;
    e -= 1;
  }
  return e === s.length ? s : s.slice(0, e);
}

function decode(s: string, web: WebServer): DecodedLog {
  let c = s.charCodeAt(0);
  if (c === 32 || c === 9) {
    const t = s.trimStart();
    if (t.charCodeAt(0) === 123) {
      s = t;
      c = 123;
    }
  }
  let r: DecodedLog | undefined;
  if (c === 123 /* { */) {
    r = parseJsonLog(s);
    if (r) return r;
  } else if (c === 60 /* < */) {
    r = parseSyslog(s);
  } else if (c === 91 /* [ */) {
    r = parseApacheError(s);
  } else if (c >= 48 && c <= 57) {
    // digits: an IPv4 client (access log), an nginx error line, an RFC 3339 syslog line
    const c4 = s.charCodeAt(4);
    if (c4 === 47) r = parseNginxError(s);
    else if (c4 === 45) r = parseSyslog(s);
    r ??= parseAccessLog(s, web);
  } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 58 || c === 95 || c === 64) {
    // letters: a month (syslog), a host name or IPv6 client (access log), a logfmt key
    if (c >= 65 && c <= 83 && s.charCodeAt(3) === 32) r = parseSyslog(s);
    if (!r && looksLikeLogfmt(s)) r = parseLogfmt(s);
    r ??= parseAccessLog(s, web);
  }
  return r ?? plain(s);
}

function plain(s: string): DecodedLog {
  const out: DecodedLog = { log: { format: 'plain' } };
  // A level word among the first three words: `ERROR ...`, `[warn] ...`, `2024-01-01 12:00:00 INFO ...`.
  // A leading RFC 3339 time sets log.time.
  let i = 0;
  const n = Math.min(s.length, 80);
  for (let w = 0; w < 3 && i < n; w += 1) {
    while (i < n && s.charCodeAt(i) === 32) i += 1;
    const start = i;
    while (i < n && s.charCodeAt(i) !== 32) i += 1;
    const len = i - start;
    if (w === 0 && len >= 20 && len <= 40 && s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57) {
      const t = parseIsoTime(s.slice(0, i));
      if (t) out.log.time = t;
    }
    if (len >= 3 && len <= 13) {
      const l = levelFromWord(s.slice(start, i));
      if (l) {
        out.log.level = l;
        break;
      }
    }
  }
  return out;
}

/** One container log line as the sources read it (CRI / Docker). */
export interface ContainerLogLine {
  message: string;
  stream: 'stdout' | 'stderr';
  /** RFC 3339 time stamped by the runtime. */
  time: string;
  /**
   * `time` is already in event.time's canonical form (UTC, nine fraction digits, `Z`), as the
   * Docker source's timestamp parser gives it: it is taken as it is instead of parsed again.
   */
  canonicalTime?: boolean;
  /** The source cut the line at its byte cap (logs.max_line_bytes): `log.truncated` is set. */
  truncated?: boolean;
}

export interface LogEventOptions extends DecodeOptions {
  /** Context fields merged into the event (`host`, `container`, `k8s`...). */
  context?: Record<string, unknown>;
  /**
   * Take `event.time` from the line's own timestamp rather than the runtime's (replaying a file).
   * Syslog lines without a year use syslogTime() against `reference` (default: the runtime time).
   */
  timeFromLine?: { reference?: string | number | Date } & SyslogTimeOptions;
}

/** Longest `log.message` kept in an event (Loki's default line limit is 256 KiB). */
export const MAX_LOG_MESSAGE = 256 * 1024;

/** A ShipEvent (`event.source = log`) for one container log line, decoded. Never throws. */
export function logLineToEvent(line: ContainerLogLine, opts: LogEventOptions = {}): ShipEvent {
  const msg = typeof line.message === 'string' ? line.message : String(line.message);
  const decoded = decodeLogLine(msg, opts);
  let time = typeof line.time !== 'string' ? undefined : line.canonicalTime === true ? line.time : normalizeRfc3339(line.time);
  if (opts.timeFromLine) {
    const own = decoded.log.time ?? (decoded.log.syslog
      ? syslogTime(decoded.log.syslog.timestamp, opts.timeFromLine.reference ?? time ?? Date.now(), opts.timeFromLine)
      : undefined);
    if (own) time = own;
  }
  // Every log event starts with the same keys, in the same order (those a context or a decoder
  // may set, unset until they do): V8 then gives all of them one hidden class, and the rules'
  // field reads stay monomorphic instead of meeting one class per log format and field set.
  // Unset keys are absent from the JSON and read as missing by the rules.
  const ev = {
    event: { id: newEventId(), time: time ?? decoded.log.time ?? nowRfc3339(), source: 'log', action: decoded.event?.action ?? 'log' },
    host: undefined, container: undefined, k8s: undefined, log: undefined, message: undefined, http: undefined, url: undefined,
    source: undefined, user_agent: undefined, user: undefined, process: undefined, auth: undefined, ssh: undefined, error: undefined,
  } as ShipEvent;
  if (opts.context) mergeInto(ev as Record<string, unknown>, opts.context);
  applyDecodedLog(ev, decoded);
  const trimmed = trimEol(msg);
  const log = ev.log as Record<string, unknown>;
  log.stream = line.stream;
  log.message = trimmed.length > MAX_LOG_MESSAGE ? trimmed.slice(0, MAX_LOG_MESSAGE) : trimmed;
  if (trimmed.length > MAX_LOG_MESSAGE || line.truncated === true) log.truncated = true;
  return ev;
}

/**
 * Merges decoded fields into an event (plain objects merge, other values replace). Use this, not a
 * spread: a decoded `event.action` / `event.outcome` must not replace `event.id` and `time`.
 */
export function applyDecodedLog<T extends Record<string, unknown>>(target: T, decoded: DecodedLog): T {
  mergeInto(target, decoded as unknown as Record<string, unknown>);
  return target;
}

/**
 * Copy-on-write merge: `src`'s values are taken by reference and an object of `target` is copied
 * before anything is merged into it, so neither side's nested objects are ever changed. Every line
 * of a container shares that container's context objects instead of a deep copy of them per line
 * (which cost more than decoding the line).
 */
function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const k in src) {
    if (k === '__proto__') continue;
    const v = src[k];
    if (v === undefined) continue;
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) {
      const copy = { ...cur };
      mergeInto(copy, v);
      target[k] = copy;
    } else target[k] = v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
