// logfmt (`time=... level=info msg="hello \"world\"" status=200 ok`), as written by go-kit/log,
// logrus' text formatter, Heroku, Grafana's own services. One linear scan:
//   - a key runs up to `=`, a space or a quote; a bare key (no `=`) is the boolean `true`;
//   - a quoted value ends at the first unescaped `"` (or the end of the line) and takes the escapes
//     `\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX`; other backslashes stay as they are;
//   - values stay strings (the alias table turns `status` and `bytes` into numbers).
// At most MAX_PAIRS pairs are read from a line; the alias table (fields.ts) applies as for JSON.

import { StructuredBuilder } from './fields.js';
import type { DecodedLog } from './types.js';

export const MAX_PAIRS = 512;

/** Whether the line starts like logfmt: an identifier followed by `=`. */
export function looksLikeLogfmt(s: string): boolean {
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95 || c0 === 64)) return false;
  const n = Math.min(s.length, 64);
  for (let i = 1; i < n; i += 1) {
    const c = s.charCodeAt(i);
    if (c === 61) return true;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 47 || c === 64)) {
      return false;
    }
  }
  return false;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** A logfmt line, or undefined when no key=value pair could be read. */
export function parseLogfmt(s: string): DecodedLog | undefined {
  const b = new StructuredBuilder('logfmt');
  const n = s.length;
  let i = 0;
  let pairs = 0;
  let withValue = 0;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i += 1;
    if (i >= n) break;
    if (pairs >= MAX_PAIRS) {
      b.truncated();
      break;
    }
    const k0 = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 61 || c === 34 || isSpace(c)) break;
      i += 1;
    }
    const key = s.slice(k0, i);
    if (key.length === 0) {
      // A stray `=` or quote: skip to the next space.
      while (i < n && !isSpace(s.charCodeAt(i))) i += 1;
      continue;
    }
    pairs += 1;
    if (s.charCodeAt(i) !== 61) {
      b.add(key, true);
      continue;
    }
    i += 1;
    withValue += 1;
    if (s.charCodeAt(i) === 34) {
      i += 1;
      const v0 = i;
      let escaped = false;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 92) {
          escaped = true;
          i += 2;
          continue;
        }
        if (c === 34) break;
        i += 1;
      }
      const end = Math.min(i, n);
      const raw = s.slice(v0, end);
      b.add(key, escaped ? unescapeQuoted(raw) : raw);
      i = end + 1;
    } else {
      const v0 = i;
      while (i < n && !isSpace(s.charCodeAt(i))) i += 1;
      b.add(key, s.slice(v0, i));
    }
  }
  return withValue > 0 ? b.out : undefined;
}

function unescapeQuoted(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i += 1) {
    if (s.charCodeAt(i) !== 92 || i + 1 >= s.length) continue;
    const e = s[i + 1];
    let rep: string;
    let len = 2;
    switch (e) {
      case '"': rep = '"'; break;
      case '\\': rep = '\\'; break;
      case 'n': rep = '\n'; break;
      case 't': rep = '\t'; break;
      case 'r': rep = '\r'; break;
      case 'u': {
        const hex = s.slice(i + 2, i + 6);
        if (hex.length === 4 && /^[0-9a-fA-F]{4}$/.test(hex)) {
          rep = String.fromCharCode(parseInt(hex, 16));
          len = 6;
        } else {
          continue;
        }
        break;
      }
      default:
        i += 1;
        continue;
    }
    out += s.slice(last, i) + rep;
    last = i + len;
    i += len - 1;
  }
  return out + s.slice(last);
}
