// Event times are RFC 3339 strings with exactly nine fractional digits and a Z, so that they sort
// as text in the store and carry the source's nanoseconds unchanged (a JS Date keeps only ms).

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** Unix nanoseconds (decimal string or bigint) to RFC 3339 with nanoseconds, UTC. */
export function nanosToRfc3339(nanos: string | bigint): string {
  const n = typeof nanos === 'bigint' ? nanos : BigInt(nanos);
  const sec = n / 1_000_000_000n;
  const frac = n % 1_000_000_000n;
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

/** RFC 3339 (any precision, any offset) to Unix nanoseconds; undefined when it is not RFC 3339. */
export function rfc3339ToNanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, date, clock, fraction = '', zone] = m;
  const ms = Date.parse(`${date}T${clock}${zone!.toUpperCase() === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/** Canonical form (UTC, nine digits) of an RFC 3339 time; undefined when it is not RFC 3339. */
export function normalizeRfc3339(text: string): string | undefined {
  const len = text.length;
  // Runtimes stamp lines in bursts within one second: a UTC time in the second last seen here only
  // needs its fraction padded, skipping the parse and the Date round trip.
  if (len >= 21 && len <= 30 && text.charCodeAt(len - 1) === 90 /* Z */ && text.charCodeAt(19) === 46 /* . */ && text.startsWith(lastUtcSecond) && lastUtcSecond !== '') {
    // Already canonical (the Docker and CRI sources stamp nine digits): the text itself, no copy.
    if (len === 30 && digitsOnly(text, 20, 29)) return text;
    const frac = text.slice(20, len - 1);
    if (FRACTION.test(frac)) return `${lastUtcSecond}.${frac.padEnd(9, '0')}Z`;
  }
  const n = rfc3339ToNanos(text);
  if (n === undefined) return undefined;
  const out = nanosToRfc3339(n);
  if (text.charCodeAt(len - 1) === 90 && text.charCodeAt(10) === 84 /* T */ && out.startsWith(text.slice(0, 19))) lastUtcSecond = out.slice(0, 19);
  return out;
}
let lastUtcSecond = '';
const FRACTION = /^\d{1,9}$/;

/** True when text[from, to) is all ASCII digits. */
export function digitsOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function nowRfc3339(): string {
  const ms = Date.now();
  return nanosToRfc3339(BigInt(ms) * 1_000_000n);
}

/** Milliseconds since the epoch of a canonical event time. */
export function timeToMillis(time: string): number {
  return Date.parse(time);
}

/** Unix nanoseconds to the `seconds.nanoseconds` form that the Docker API takes for since/until. */
export function nanosToDockerSince(nanos: string | bigint): string {
  const n = typeof nanos === 'bigint' ? nanos : BigInt(nanos);
  return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** Days in a month (1-12) of a year. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
