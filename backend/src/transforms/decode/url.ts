// Request-target decoding for access logs and JSON request logs.
//
// `url.original` is the target exactly as written in the line. `url.path` and `url.query` are
// percent-decoded, leniently (a `%` not followed by two hex digits stays as it is, nothing throws):
//
// - The query also takes `+` as a space (form encoding), in the first round only, so a literal `+`
//   written as `%2B` stays a `+`.
// - Decoding repeats while a round still changes the text and `%XX` escapes remain, up to
//   MAX_DECODE_ROUNDS (3) rounds in all. Attackers double-encode (`%252e%252e%252f` → `%2e%2e%2f`
//   → `../`) to slip past filters that decode once, so the decoded fields show what a lax backend
//   may finally see. When a second or third round changed something, `url.double_encoded` is true.
//   The price: a legitimate value that really contains `%41`, sent as `%2541`, shows as `A`.
// - Bytes that do not form valid UTF-8 (overlong `%c0%af`, lone `%ff`) keep their `%XX` form, so a
//   rule can still match them; the ASCII escapes around them are decoded.

export const MAX_DECODE_ROUNDS = 3;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i += 1) HEX[48 + i] = i;
for (let i = 0; i < 6; i += 1) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? HEX[c]! : -1;
}

function hasEscape(s: string): boolean {
  let i = s.indexOf('%');
  while (i >= 0 && i + 2 < s.length) {
    if (hexAt(s, i + 1) >= 0 && hexAt(s, i + 2) >= 0) return true;
    i = s.indexOf('%', i + 1);
  }
  return false;
}

/** One round of lenient percent-decoding (see the module comment). */
export function percentDecodeOnce(s: string, plusAsSpace: boolean): string {
  const hasPct = hasEscape(s);
  if (!hasPct) return plusAsSpace && s.includes('+') ? s.replaceAll('+', ' ') : s;
  const ascii = decodeAscii(s, plusAsSpace);
  if (ascii !== undefined) return ascii;
  const out = decodeBytes(s, plusAsSpace, false);
  if (out !== undefined) return out;
  // Invalid UTF-8 after decoding: decode only the ASCII escapes and keep the others literal.
  return decodeBytes(s, plusAsSpace, true) ?? s;
}

/** Fast path: ASCII text whose escapes are all below %80 decodes without a byte buffer. */
function decodeAscii(s: string, plusAsSpace: boolean): string | undefined {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (c === 0x25 && i + 2 < s.length) {
      const h1 = hexAt(s, i + 1);
      const h2 = hexAt(s, i + 2);
      if (h1 >= 0 && h2 >= 0) {
        if (h1 >= 8) return undefined;
        out += s.slice(last, i) + String.fromCharCode(h1 * 16 + h2);
        i += 2;
        last = i + 1;
      }
    } else if (c === 0x2b && plusAsSpace) {
      out += s.slice(last, i) + ' ';
      last = i + 1;
    }
  }
  return out + s.slice(last);
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function decodeBytes(s: string, plusAsSpace: boolean, asciiOnly: boolean): string | undefined {
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  let ascii = true;
  for (let i = 0; i < src.length; i += 1) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length) {
      const h1 = src[i + 1]! < 128 ? HEX[src[i + 1]!]! : -1;
      const h2 = src[i + 2]! < 128 ? HEX[src[i + 2]!]! : -1;
      if (h1 >= 0 && h2 >= 0) {
        const v = h1 * 16 + h2;
        if (!asciiOnly || v < 0x80) {
          if (v >= 0x80) ascii = false;
          out[n++] = v;
          i += 2;
          continue;
        }
      }
    }
    if (b === 0x2b && plusAsSpace) {
      out[n++] = 0x20;
      continue;
    }
    if (b >= 0x80) ascii = false;
    out[n++] = b;
  }
  if (ascii) return out.toString('latin1', 0, n);
  try {
    return utf8Strict.decode(out.subarray(0, n));
  } catch {
    return undefined;
  }
}

export interface DecodedComponent {
  value: string;
  /** Rounds that changed the text (0 when there was nothing to decode). */
  rounds: number;
}

/** Percent-decodes up to MAX_DECODE_ROUNDS rounds; `plusAsSpace` applies in the first round. */
export function decodeComponent(s: string, plusAsSpace: boolean, maxRounds = MAX_DECODE_ROUNDS): DecodedComponent {
  let cur = s;
  let rounds = 0;
  for (let r = 0; r < maxRounds; r += 1) {
    if (r > 0 && !hasEscape(cur)) break;
    const next = percentDecodeOnce(cur, plusAsSpace && r === 0);
    if (next === cur) break;
    cur = next;
    rounds += 1;
  }
  return { value: cur, rounds };
}

export interface UrlParts {
  original: string;
  path?: string;
  query?: string;
  domain?: string;
  double_encoded?: boolean;
}

/** Longest target decoded into path/query; longer ones keep only `url.original` (still bounded). */
const MAX_TARGET = 64 * 1024;

/**
 * Splits an HTTP request target (origin form `/a?b`, absolute form `http://h/a?b`, authority form
 * `h:443`, asterisk `*`) into the `url.*` fields.
 */
export function urlFields(target: string): UrlParts {
  if (target.length > MAX_TARGET) return { original: target.slice(0, MAX_TARGET) };
  const parts: UrlParts = { original: target };
  let rest = target;
  const c0 = target.charCodeAt(0);
  if (c0 !== 47 /* / */ && c0 !== 42 /* * */) {
    const scheme = target.indexOf('://');
    if (scheme > 0 && scheme < 10) {
      const hostStart = scheme + 3;
      let hostEnd = hostStart;
      while (hostEnd < target.length) {
        const c = target.charCodeAt(hostEnd);
        if (c === 47 || c === 63 || c === 35) break;
        hostEnd += 1;
      }
      let host = target.slice(hostStart, hostEnd);
      const at = host.lastIndexOf('@');
      if (at >= 0) host = host.slice(at + 1);
      if (host.startsWith('[')) {
        const close = host.indexOf(']');
        host = close > 0 ? host.slice(1, close) : host;
      } else {
        const colon = host.indexOf(':');
        if (colon >= 0) host = host.slice(0, colon);
      }
      if (host) parts.domain = host;
      rest = target.slice(hostEnd) || '/';
    } else if (!target.includes('/')) {
      // authority form (CONNECT host:port) or garbage: no path.
      return parts;
    }
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  let rounds = 0;
  if (rawPath.indexOf('%') < 0) {
    parts.path = rawPath;
  } else {
    const p = decodeComponent(rawPath, false);
    parts.path = p.value;
    rounds = p.rounds;
  }
  if (q >= 0) {
    const rawQuery = rest.slice(q + 1);
    if (rawQuery.indexOf('%') < 0 && rawQuery.indexOf('+') < 0) {
      parts.query = rawQuery;
    } else {
      const d = decodeComponent(rawQuery, true);
      parts.query = d.value;
      if (d.rounds > rounds) rounds = d.rounds;
    }
  }
  if (rounds > 1) parts.double_encoded = true;
  return parts;
}
