// JSON lines (pino, bunyan, zap, logrus JSON, winston, Serilog compact, ECS, nginx `escape=json`
// formats, ...). The object is flattened into dotted keys and fed to the alias table (fields.ts).
//
// Nested JSON is not kept as a `json` object. It is flattened into `log.fields` instead, with these
// bounds, so that a hostile line costs at most one JSON.parse and a bounded walk:
//   - at most MAX_LEAVES (256) values are visited; the rest are dropped (`log.fields_truncated`);
//   - objects are descended to MAX_DEPTH (4) levels (`a.b.c.d`); a deeper value, and an array that
//     is not a short list of scalars, is kept as JSON text of at most MAX_FIELD_VALUE characters;
//   - 10,000 keys or 1,000 nesting levels therefore cost the parse and a walk of 256 values.
// A line that starts with `{` but is not a JSON object (truncated, invalid, too deep for the parser)
// is left to the other decoders and usually ends as `plain`.

import { MAX_ARRAY, MAX_FIELD_VALUE, StructuredBuilder } from './fields.js';
import type { DecodedLog, FieldValue } from './types.js';

export const MAX_LEAVES = 256;
export const MAX_DEPTH = 4;

/** A JSON line, or undefined when it is not a JSON object. */
export function parseJsonLog(s: string): DecodedLog | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const b = new StructuredBuilder('json');
  const budget = { left: MAX_LEAVES };
  walk(b, obj as Record<string, unknown>, '', 1, budget);
  return b.out;
}

function walk(b: StructuredBuilder, obj: Record<string, unknown>, prefix: string, depth: number, budget: { left: number }): void {
  for (const k in obj) {
    if (budget.left <= 0) {
      b.truncated();
      return;
    }
    const v = obj[k];
    const key = prefix ? prefix + k : k;
    if (v === null || typeof v !== 'object') {
      budget.left -= 1;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) b.add(key, v);
      continue;
    }
    if (Array.isArray(v)) {
      budget.left -= 1;
      b.keep(key, arrayValue(v));
      continue;
    }
    if (depth >= MAX_DEPTH) {
      budget.left -= 1;
      b.keep(key, boundedJson(v, MAX_FIELD_VALUE));
      continue;
    }
    walk(b, v as Record<string, unknown>, key + '.', depth + 1, budget);
  }
}

function arrayValue(a: unknown[]): FieldValue {
  if (a.length <= MAX_ARRAY) {
    let scalars = true;
    for (const x of a) {
      if (x !== null && typeof x === 'object') {
        scalars = false;
        break;
      }
    }
    if (scalars) {
      return a.map((x) => (typeof x === 'string' ? (x.length > MAX_FIELD_VALUE ? x.slice(0, MAX_FIELD_VALUE) : x) : (x as number | boolean | null)));
    }
  }
  return boundedJson(a, MAX_FIELD_VALUE);
}

/** JSON text of a value, stopped once it reaches `max` characters (a deep value cannot blow up). */
export function boundedJson(v: unknown, max: number): string {
  const parts: string[] = [];
  let len = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    len += s.length;
    return len < max;
  };
  const rec = (x: unknown, depth: number): boolean => {
    if (x === null || typeof x !== 'object') {
      if (typeof x === 'string') return push(JSON.stringify(x.length > max ? x.slice(0, max) : x));
      if (typeof x === 'number' || typeof x === 'boolean') return push(String(x));
      return push('null');
    }
    if (depth > 32) return push('…');
    if (Array.isArray(x)) {
      if (!push('[')) return false;
      for (let i = 0; i < x.length; i += 1) {
        if (i > 0 && !push(',')) return false;
        if (!rec(x[i], depth + 1)) return false;
      }
      return push(']');
    }
    if (!push('{')) return false;
    let first = true;
    for (const k in x as Record<string, unknown>) {
      if (!first && !push(',')) return false;
      first = false;
      if (!push(JSON.stringify(k.length > max ? k.slice(0, max) : k) + ':')) return false;
      if (!rec((x as Record<string, unknown>)[k], depth + 1)) return false;
    }
    return push('}');
  };
  rec(v, 0);
  const s = parts.join('');
  return s.length > max ? s.slice(0, max) : s;
}
