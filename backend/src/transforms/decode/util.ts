// Small helpers shared by the decoders. Nothing here throws on any input.

import { daysInMonth } from '../../event/time.js';

/** Bound for decoded text fields (user agent, referrer, user, message parts). */
export const MAX_FIELD = 8 * 1024;
/** Bound for `message`. */
export const MAX_MESSAGE = 64 * 1024;

export function clip(s: string, max: number = MAX_FIELD): string {
  return s.length > max ? s.slice(0, max) : s;
}

const P2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const ZEROS = '000000000';

function nanos9(n: number): string {
  if (n === 0) return ZEROS;
  const s = String(n);
  return s.length >= 9 ? s : ZEROS.slice(s.length) + s;
}

function year4(y: number): string {
  return y >= 1000 ? String(y) : String(y).padStart(4, '0');
}

/**
 * Canonical RFC 3339 (UTC, nine digits) from UTC calendar parts, without a Date: the decoders call
 * this once per line. Undefined when the parts are not a real date (Feb 30) or out of 1..9999.
 */
export function formatUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: number): string | undefined {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  return `${year4(y)}-${P2[mo]}-${P2[d]}T${P2[h]}:${P2[mi]}:${P2[s]}.${nanos9(nanos)}Z`;
}

/** Epoch milliseconds plus the nanoseconds below the millisecond, as canonical RFC 3339 (9 digits). */
export function msToRfc3339(ms: number, subMsNanos = 0): string | undefined {
  if (!Number.isFinite(ms) || ms < -62135596800000 || ms > 253402300799999) return undefined;
  const whole = Math.floor(ms);
  const secs = Math.floor(whole / 1000);
  // A fractional millisecond comes from a float (epoch seconds with decimals): keep microseconds.
  let nanos = (whole - secs * 1000) * 1_000_000 + (ms === whole ? 0 : Math.round((ms - whole) * 1000) * 1000) + subMsNanos;
  if (nanos > 999_999_999) nanos = 999_999_999;
  // civil-from-days (H. Hinnant), on whole days since the epoch
  const days = Math.floor(secs / 86400);
  let rem = secs - days * 86400;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  const sec = rem - mi * 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return formatUtc(y, m, d, h, mi, sec, nanos);
}

/** Month (0-11) of the English abbreviation at s[i..i+3), or -1; no allocation. */
export function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  switch (a) {
    case 74: // J
      if (b === 97 && c === 110) return 0; // Jan
      if (b === 117) return c === 110 ? 5 : c === 108 ? 6 : -1; // Jun, Jul
      return -1;
    case 70: return b === 101 && c === 98 ? 1 : -1; // Feb
    case 77: return b === 97 ? (c === 114 ? 2 : c === 121 ? 4 : -1) : -1; // Mar, May
    case 65: return b === 112 && c === 114 ? 3 : b === 117 && c === 103 ? 7 : -1; // Apr, Aug
    case 83: return b === 101 && c === 112 ? 8 : -1; // Sep
    case 79: return b === 99 && c === 116 ? 9 : -1; // Oct
    case 78: return b === 111 && c === 118 ? 10 : -1; // Nov
    case 68: return b === 101 && c === 99 ? 11 : -1; // Dec
    default: return -1;
  }
}

/** Digits at s[i..i+n) as a number, or -1. */
export function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k += 1) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Whether the text is shaped like an IPv4 or IPv6 address (cheap check, not a validation). */
export function isIpLike(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (c === 58) colons += 1;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 37)) return false;
  }
  if (colons >= 2) return true;
  if (colons === 0 && dots === 3) {
    const c = s.charCodeAt(0);
    return c >= 48 && c <= 57;
  }
  return false;
}

/** Sets source.ip for an address, source.domain for a host name. */
export function sourceFromHost(host: string): { ip?: string; domain?: string } | undefined {
  if (!host || host === '-') return undefined;
  if (isIpLike(host)) return { ip: host };
  // `::ffff:1.2.3.4` passes isIpLike; `1.2.3.4:5678` (client with port) does not: strip the port.
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(':') === colon && isIpLike(host.slice(0, colon))) return { ip: host.slice(0, colon) };
  return { domain: clip(host, 255) };
}

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM|±HHMM|±HH)` to canonical RFC 3339; undefined for
 * anything else, including a time without a zone (its meaning would be a guess).
 */
export function parseIsoTime(s: string): string | undefined {
  if (s.length < 20 || s.length > 40) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const se = digitsAt(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return undefined;
  let i = 19;
  let frac = 0;
  if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
    i += 1;
    let n = 0;
    let scale = 100_000_000;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (n < 9) frac += c * scale;
      scale = Math.floor(scale / 10);
      n += 1;
      i += 1;
    }
    if (n === 0) return undefined;
  }
  let off = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== s.length) return undefined;
  } else if (z === 43 || z === 45) {
    const oh = digitsAt(s, i + 1, 2);
    let om = 0;
    const rest = s.length - (i + 3);
    if (rest === 0) om = 0;
    else if (rest === 3 && s.charCodeAt(i + 3) === 58) om = digitsAt(s, i + 4, 2);
    else if (rest === 2) om = digitsAt(s, i + 3, 2);
    else return undefined;
    if (oh < 0 || om < 0) return undefined;
    off = (oh * 60 + om) * (z === 45 ? -1 : 1);
  } else {
    return undefined;
  }
  if (d > daysInMonth(y, mo)) return undefined;
  if (off === 0) return formatUtc(y, mo, d, h, mi, Math.min(se, 59), frac);
  return msToRfc3339(Date.UTC(y, mo - 1, d, h, mi, Math.min(se, 59)) - off * 60_000, frac);
}

/** Epoch number in seconds, milliseconds, microseconds or nanoseconds (by magnitude) to RFC 3339. */
export function epochToRfc3339(n: number): string | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n >= 1e17) return msToRfc3339(Math.floor(n / 1e6), Math.round(n % 1e6));
  if (n >= 1e14) return msToRfc3339(Math.floor(n / 1e3), Math.round((n % 1e3) * 1e3));
  if (n >= 1e11) return msToRfc3339(n);
  return msToRfc3339(n * 1000);
}
