// Web server logs: NCSA common / combined access log lines (nginx and Apache), with an optional
// leading virtual host (Apache `vhost_combined`) and optional extra fields after the user agent,
// plus the nginx and Apache *error* log lines that carry a client and a request.
//
// Hand-written scanners, no regex: each step is an indexOf or a bounded loop, so a line is read in
// one linear pass and a hostile line cannot cause backtracking.
//
//   1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://r/" "Mozilla/4.08" extra...
//
// nginx and Apache write the same combined format. The format is reported as `nginx` unless the
// caller hints `apache` (from the image name, see webServerFromImage) or the line carries Apache's
// `\"` quoting (nginx writes `\x22`).

import type { DecodedLog, LogLevel } from './types.js';
import { urlFields } from './url.js';
import { daysInMonth } from '../../event/time.js';
import { clip, digitsAt, formatUtc, monthAt, msToRfc3339, sourceFromHost, MAX_FIELD } from './util.js';

export type WebServer = 'nginx' | 'apache';

/** `apache` for images named like Apache httpd, else `nginx` (the hint for decodeLogLine). */
export function webServerFromImage(image: string | undefined): WebServer {
  if (!image) return 'nginx';
  const i = image.toLowerCase();
  return i.includes('httpd') || i.includes('apache') ? 'apache' : 'nginx';
}

/** Undoes the access-log escapes: nginx `\xHH`, Apache `\"`, `\\`, `\n`, `\t`, `\r`. */
export function unescapeLogString(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i += 1) {
    if (s.charCodeAt(i) !== 92 || i + 1 >= s.length) continue;
    const n = s[i + 1];
    let rep: string | undefined;
    let len = 2;
    if (n === 'x' && i + 3 < s.length) {
      const v = parseInt(s.slice(i + 2, i + 4), 16);
      if (!Number.isNaN(v) && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
        rep = String.fromCharCode(v);
        len = 4;
      }
    } else if (n === '"' || n === '\\') rep = n;
    else if (n === 'n') rep = '\n';
    else if (n === 't') rep = '\t';
    else if (n === 'r') rep = '\r';
    if (rep === undefined) continue;
    out += s.slice(last, i) + rep;
    last = i + len;
    i += len - 1;
  }
  return out + s.slice(last);
}

/** `10/Oct/2000:13:55:36 -0700` (optionally `.123` after the seconds) to canonical RFC 3339. */
export function parseClfTime(t: string): string | undefined {
  // Access logs stamp whole seconds: the lines of one second share one conversion.
  if (t === lastClf) return lastClfTime;
  const time = convertClfTime(t);
  lastClf = t;
  lastClfTime = time;
  return time;
}
let lastClf = '';
let lastClfTime: string | undefined;

function convertClfTime(t: string): string | undefined {
  if (t.length < 20 || t.charCodeAt(2) !== 47 || t.charCodeAt(6) !== 47 || t.charCodeAt(11) !== 58) return undefined;
  const day = digitsAt(t, 0, 2);
  const m = monthAt(t, 3);
  const mon = m < 0 ? undefined : m;
  const year = digitsAt(t, 7, 4);
  const hh = digitsAt(t, 12, 2);
  const mm = digitsAt(t, 15, 2);
  const ss = digitsAt(t, 18, 2);
  if (day < 1 || mon === undefined || year < 0 || hh < 0 || mm < 0 || ss < 0) return undefined;
  let i = 20;
  let fracNanos = 0;
  if (t.charCodeAt(i) === 46) {
    let j = i + 1;
    let digits = '';
    while (j < t.length && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) {
      if (digits.length < 9) digits += t[j];
      j += 1;
    }
    fracNanos = Number(digits.padEnd(9, '0'));
    i = j;
  }
  let offsetMin = 0;
  if (t.charCodeAt(i) === 32) {
    const sign = t[i + 1];
    const oh = digitsAt(t, i + 2, 2);
    const om = digitsAt(t, i + 4, 2);
    if ((sign !== '+' && sign !== '-') || oh < 0 || om < 0) return undefined;
    offsetMin = (oh * 60 + om) * (sign === '-' ? -1 : 1);
  }
  if (offsetMin === 0) return formatUtc(year, mon + 1, day, hh, mm, ss, fracNanos);
  if (day > daysInMonth(year, mon + 1)) return undefined;
  return msToRfc3339(Date.UTC(year, mon, day, hh, mm, ss) - offsetMin * 60_000, fracNanos);
}

interface RequestLine {
  method?: string;
  target?: string;
  version?: string;
}

/** `GET /x HTTP/1.1` → parts; a target with spaces (malformed) keeps them. */
export function parseRequestLine(req: string): RequestLine {
  const sp = req.indexOf(' ');
  if (sp <= 0 || sp > 20) return {};
  for (let i = 0; i < sp; i += 1) {
    const c = req.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) return {};
  }
  const method = req.slice(0, sp);
  const lastSp = req.lastIndexOf(' ');
  if (lastSp > sp && req.startsWith('HTTP/', lastSp + 1)) {
    return { method, target: req.slice(sp + 1, lastSp), version: req.slice(lastSp + 6) };
  }
  return { method, target: req.slice(sp + 1) };
}

/** Index of the closing quote of a quoted field whose content starts at `from` (backslash-escaped). */
function closingQuote(s: string, from: number): number {
  for (let i = from; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c === 92) i += 1;
    else if (c === 34) return i;
  }
  return -1;
}

type Http = NonNullable<DecodedLog['http']>;

function httpOf(out: DecodedLog): Http {
  return (out.http ??= {});
}

function requestOf(out: DecodedLog): NonNullable<Http['request']> {
  const http = (out.http ??= {});
  return (http.request ??= {});
}

/** Fills http/url fields from a request line into `out`. */
export function applyRequest(out: DecodedLog, req: string): void {
  const r = parseRequestLine(req);
  if (r.method && r.target !== undefined && r.target.length > 0) {
    requestOf(out).method = r.method;
    if (r.version) httpOf(out).version = r.version;
    out.url = urlFields(r.target);
  } else if (req.length > 0 && req !== '-') {
    requestOf(out).line = clip(req);
  }
}

// Which quoting the last unescapeField() calls saw (Apache `\"`, nginx `\xHH`).
let sawApacheQuote = false;
let sawNginxHex = false;

function unescapeField(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  if (raw.includes('\\"')) sawApacheQuote = true;
  if (raw.includes('\\x')) sawNginxHex = true;
  return unescapeLogString(raw);
}

/** An access log line, or undefined when the line is not one. */
export function parseAccessLog(s: string, hint: WebServer = 'nginx'): DecodedLog | undefined {
  const bracket = s.indexOf(' [');
  if (bracket < 5 || bracket > 600) return undefined;
  // Host, ident, user (and an optional leading vhost) before the time.
  const sp1 = s.indexOf(' ');
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 >= bracket) return undefined;
  let sp3 = s.indexOf(' ', sp2 + 1);
  let hostStart = 0;
  let hostEnd = sp1;
  let identEnd = sp2;
  if (sp3 !== bracket) {
    // `vhost:port host ident user [` — one extra leading token, no more.
    if (sp3 < 0 || s.indexOf(' ', sp3 + 1) !== bracket) return undefined;
    hostStart = sp1 + 1;
    hostEnd = sp2;
    identEnd = sp3;
    sp3 = bracket;
  }
  const timeEnd = s.indexOf(']', bracket + 2);
  if (timeEnd < 0 || timeEnd - bracket > 64 || digitsAt(s, bracket + 2, 1) < 0) return undefined;
  if (s.charCodeAt(timeEnd + 1) !== 32 || s.charCodeAt(timeEnd + 2) !== 34) return undefined;
  const reqStart = timeEnd + 3;
  const reqEnd = closingQuote(s, reqStart);
  if (reqEnd < 0 || s.charCodeAt(reqEnd + 1) !== 32) return undefined;
  // status
  const st = reqEnd + 2;
  const status = digitsAt(s, st, 3);
  if (status < 0 || s.charCodeAt(st + 3) !== 32) return undefined;
  // bytes: digits or `-`
  let i = st + 4;
  let bytes = -1;
  if (s.charCodeAt(i) === 45) {
    i += 1;
  } else {
    const b0 = i;
    let v = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i += 1;
    }
    if (i === b0 || i - b0 > 15) return undefined;
    bytes = v;
  }
  if (i < s.length && s.charCodeAt(i) !== 32) return undefined;

  sawApacheQuote = false;
  sawNginxHex = false;
  const out: DecodedLog = { log: { format: hint } };
  const time = parseClfTime(s.slice(bracket + 2, timeEnd));
  if (time) out.log.time = time;
  const src = sourceFromHost(s.slice(hostStart, hostEnd));
  if (src) out.source = src;
  if (sp3 - identEnd !== 2 || s.charCodeAt(identEnd + 1) !== 45) {
    const user = s.slice(identEnd + 1, sp3);
    if (user.length > 0) out.user = { name: clip(unescapeField(user)) };
  }
  applyRequest(out, unescapeField(s.slice(reqStart, reqEnd)));
  httpOf(out).response = bytes < 0 ? { status_code: status } : { status_code: status, body: { bytes } };

  // Combined: ` "referrer" "user agent"`, then anything.
  if (s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) === 34) {
    const refEnd = closingQuote(s, i + 2);
    if (refEnd > 0) {
      if (refEnd - i - 2 > 1 || s.charCodeAt(i + 2) !== 45) {
        const ref = s.slice(i + 2, refEnd);
        if (ref.length > 0) requestOf(out).referrer = clip(unescapeField(ref));
      }
      i = refEnd + 1;
      if (s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) === 34) {
        const uaEnd = closingQuote(s, i + 2);
        if (uaEnd > 0) {
          if (uaEnd - i - 2 > 1 || s.charCodeAt(i + 2) !== 45) {
            const ua = s.slice(i + 2, uaEnd);
            if (ua.length > 0) out.user_agent = { original: clip(unescapeField(ua)) };
          }
          i = uaEnd + 1;
        }
      }
    }
  }
  if (i < s.length) {
    const extra = s.slice(i).trim();
    if (extra) out.log.extra = clip(extra, MAX_FIELD);
  }
  if (sawNginxHex) out.log.format = 'nginx';
  else if (sawApacheQuote) out.log.format = 'apache';
  return out;
}

const NGINX_LEVELS: Record<string, LogLevel> = {
  debug: 'debug', info: 'info', notice: 'info', warn: 'warn', error: 'error', crit: 'fatal', alert: 'fatal', emerg: 'fatal',
};

/** Takes `, name: value` (value quoted or up to the next comma) from an nginx error line's tail. */
function nginxKv(s: string, name: string, from: number): string | undefined {
  const key = `, ${name}: `;
  const k = s.indexOf(key, from);
  if (k < 0) return undefined;
  const v = k + key.length;
  if (s.charCodeAt(v) === 34) {
    const e = closingQuote(s, v + 1);
    return e < 0 ? undefined : s.slice(v + 1, e);
  }
  const e = s.indexOf(',', v);
  return s.slice(v, e < 0 ? s.length : e);
}

/**
 * nginx error log: `2024/01/15 10:00:00 [error] 29#29: *1 open() "/x" failed (2: ...), client:
 * 172.17.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"`. Its time has no
 * zone, so `log.time` is not set from it.
 */
export function parseNginxError(s: string): DecodedLog | undefined {
  if (s.length < 24 || s.charCodeAt(4) !== 47 || s.charCodeAt(7) !== 47 || s.charCodeAt(10) !== 32 || s.charCodeAt(19) !== 32 || s.charCodeAt(20) !== 91) return undefined;
  if (digitsAt(s, 0, 4) < 0 || digitsAt(s, 11, 2) < 0) return undefined;
  const close = s.indexOf(']', 21);
  if (close < 0 || close > 30) return undefined;
  const level = NGINX_LEVELS[s.slice(21, close)];
  if (!level) return undefined;
  const out: DecodedLog = { log: { format: 'nginx', level } };
  // `29#29: *1 message` → message after the pid#tid and connection number.
  let m = close + 2;
  const colon = s.indexOf(': ', m);
  if (colon > 0 && colon - m < 24) m = colon + 2;
  if (s.charCodeAt(m) === 42) {
    const sp = s.indexOf(' ', m);
    if (sp > 0) m = sp + 1;
  }
  const clientAt = s.indexOf(', client: ', m);
  out.message = clip(s.slice(m, clientAt < 0 ? s.length : clientAt));
  if (clientAt >= 0) {
    const client = nginxKv(s, 'client', clientAt);
    const src = client ? sourceFromHost(client) : undefined;
    if (src) out.source = src;
    const req = nginxKv(s, 'request', clientAt);
    if (req) applyRequest(out, unescapeLogString(req));
    const host = nginxKv(s, 'host', clientAt);
    if (host && out.url && !out.url.domain) {
      const c = host.lastIndexOf(':');
      out.url.domain = clip(c > 0 && !host.includes(']') ? host.slice(0, c) : host, 255);
    }
    const ref = nginxKv(s, 'referrer', clientAt);
    if (ref) requestOf(out).referrer = clip(unescapeLogString(ref));
  }
  return out;
}

const APACHE_LEVELS: Record<string, LogLevel> = {
  emerg: 'fatal', alert: 'fatal', crit: 'fatal', error: 'error', warn: 'warn', notice: 'info', info: 'info', debug: 'debug',
};

/**
 * Apache 2.4 error log: `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1:tid 2] [client
 * 1.2.3.4:5678] AH00128: File does not exist: /x`. Trace levels count as debug.
 */
export function parseApacheError(s: string): DecodedLog | undefined {
  if (s.charCodeAt(0) !== 91 || s.charCodeAt(4) !== 32 || s.charCodeAt(8) !== 32) return undefined;
  const tEnd = s.indexOf('] [', 10);
  if (tEnd < 0 || tEnd > 40) return undefined;
  const lEnd = s.indexOf(']', tEnd + 3);
  if (lEnd < 0 || lEnd - tEnd > 40) return undefined;
  const tag = s.slice(tEnd + 3, lEnd);
  const lc = tag.lastIndexOf(':');
  const lvl = lc >= 0 ? tag.slice(lc + 1) : tag;
  const level = APACHE_LEVELS[lvl] ?? (lvl.startsWith('trace') ? 'debug' : undefined);
  if (!level) return undefined;
  const out: DecodedLog = { log: { format: 'apache', level } };
  let i = lEnd + 1;
  while (s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) === 91) {
    const e = s.indexOf(']', i + 2);
    if (e < 0) break;
    const part = s.slice(i + 2, e);
    if (part.startsWith('client ')) {
      const addr = part.slice(7);
      const src = sourceFromHost(addr);
      if (src) {
        out.source = src;
        const pc = addr.lastIndexOf(':');
        const port = pc > 0 ? Number(addr.slice(pc + 1)) : NaN;
        if (src.ip && Number.isInteger(port) && port > 0 && port < 65536) out.source.port = port;
      }
    } else if (part.startsWith('pid ')) {
      const pid = parseInt(part.slice(4), 10);
      if (Number.isFinite(pid)) out.process = { pid };
    }
    i = e + 1;
  }
  out.message = clip(s.slice(i).trimStart());
  return out;
}
