// Docker's log timestamps (`timestamps=1`): RFC 3339 in UTC with up to nine fractional digits,
// `2026-11-27T00:32:25.568928025Z`. dockerd 20.10 writes nine digits; other versions write Go's
// RFC3339Nano, which drops trailing zeros (`...25.56892Z`, or no fraction at all). Both are read.

import { daysInMonth, rfc3339ToNanos } from '../../event/time.js';

/** One line's time: Unix seconds and nanoseconds, and the canonical RFC 3339 text (nine digits, Z). */
export interface LineTime {
  sec: number;
  nsec: number;
  /** `event.time` as DESIGN.md §3 wants it. */
  time: string;
}

const ZERO = 48;

function digits(buf: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i += 1) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const PAD = ['', '00000000', '0000000', '000000', '00000', '0000', '000', '00', '0', ''];

/**
 * Parses the timestamp in `buf[start, end)` without allocating more than the result. Undefined
 * when it is not an RFC 3339 time.
 */
export function parseDockerTime(buf: Buffer, start: number, end: number): LineTime | undefined {
  const len = end - start;
  // yyyy-mm-ddThh:mm:ss[.f{1,9}]Z
  if (len >= 20 && len <= 30 && buf[start + 4] === 45 && buf[start + 7] === 45 && buf[start + 10] === 84
    && buf[start + 13] === 58 && buf[start + 16] === 58 && buf[end - 1] === 90) {
    const y = digits(buf, start, 4);
    const mo = digits(buf, start + 5, 2);
    const d = digits(buf, start + 8, 2);
    const h = digits(buf, start + 11, 2);
    const mi = digits(buf, start + 14, 2);
    const s = digits(buf, start + 17, 2);
    // Only a date and time that exist: the text is then already event.time's canonical form
    // (logLineToEvent takes it as it is), and a 31 February or a leap second goes to the general parser.
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59) {
      let nsec = 0;
      let ok = true;
      const fracLen = len - 21; // digits between '.' and 'Z'
      if (len === 20) {
        // no fraction
      } else if (buf[start + 19] === 46 && fracLen >= 1) {
        const f = digits(buf, start + 20, fracLen);
        if (f < 0) ok = false;
        else nsec = f * 10 ** (9 - fracLen);
      } else ok = false;
      if (ok) {
        const sec = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
        const time = fracLen === 9
          ? buf.toString('latin1', start, end)
          : `${buf.toString('latin1', start, start + 19)}.${len === 20 ? '000000000' : buf.toString('latin1', start + 20, end - 1) + PAD[fracLen]}Z`;
        return { sec, nsec, time };
      }
    }
  }
  // Anything else RFC 3339 (an offset instead of Z): the general parser.
  if (len < 20 || len > 40) return undefined;
  const n = rfc3339ToNanos(buf.toString('latin1', start, end));
  if (n === undefined || n < 0n) return undefined;
  return fromNanos(n);
}

/** A LineTime from Unix nanoseconds. */
export function fromNanos(n: bigint): LineTime {
  const sec = Number(n / 1_000_000_000n);
  const nsec = Number(n % 1_000_000_000n);
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  return { sec, nsec, time: `${base}.${String(nsec).padStart(9, '0')}Z` };
}

/** Unix nanoseconds as a decimal string (positions are stored that way). */
export function nanosText(sec: number, nsec: number): string {
  if (sec === 0) return String(nsec);
  return `${sec}${String(nsec).padStart(9, '0')}`;
}

/** `seconds.nanoseconds`, the form of the Docker API's `since` and `until`. */
export function dockerSince(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** Splits a decimal nanosecond string; undefined when it is not one. */
export function splitNanos(text: string | undefined): { sec: number; nsec: number } | undefined {
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text)) return undefined;
  const n = BigInt(text);
  return { sec: Number(n / 1_000_000_000n), nsec: Number(n % 1_000_000_000n) };
}

/** a < b: -1, equal: 0, a > b: 1. */
export function compareTime(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  if (aSec !== bSec) return aSec < bSec ? -1 : 1;
  if (aNsec !== bNsec) return aNsec < bNsec ? -1 : 1;
  return 0;
}
