// Value tests behind each operator. A test sees one field value; `anyElement` lifts it to array
// fields (any element may match). A missing field (undefined or null) fails every operator except
// `exists`, and `!=` too: a rule never fires because a field is absent, only because it differs.

import type { Op, Scalar } from './ast.js';
import { compileCidrs } from './cidr.js';
import { compileGlob, compileRegexSet, type StringTest } from './regex.js';
import type { RegexCompiler } from './regex-union.js';

export type ValueTest = (v: unknown) => boolean;

/** Numbers, and strings that read as one; NaN otherwise (booleans and blanks are not numbers). */
export function toNumber(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x.length === 0 || x.length > 64) return NaN;
    const n = +x;
    return n === 0 && x.trim() === '' ? NaN : n;
  }
  return NaN;
}

function toText(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return undefined;
}

export function anyElement(test: ValueTest): ValueTest {
  return (v) => {
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i += 1) if (test(v[i])) return true;
      return false;
    }
    return test(v);
  };
}

/** Equality with coercion: a number literal also equals a numeric string, a string literal a number's text. */
export function equalsTest(lit: Scalar): ValueTest {
  if (typeof lit === 'number') {
    return (x) => (typeof x === 'number' ? x === lit : typeof x === 'string' ? toNumber(x) === lit : false);
  }
  const text = String(lit);
  if (typeof lit === 'boolean') {
    return (x) => (typeof x === 'boolean' ? x === lit : typeof x === 'string' ? x === text : false);
  }
  return (x) => (typeof x === 'string' ? x === text : typeof x === 'number' || typeof x === 'boolean' ? String(x) === text : false);
}

/** Membership with the same coercions as `=`, in one hash lookup. */
export function memberTest(items: Scalar[]): ValueTest {
  if (items.length === 1) return equalsTest(items[0]!);
  const texts = new Set<string>();
  const numbers = new Set<number>();
  const bools = new Set<boolean>();
  for (const it of items) {
    if (typeof it === 'number') numbers.add(it);
    else if (typeof it === 'boolean') bools.add(it);
    else texts.add(it);
  }
  const hasNumbers = numbers.size > 0;
  return (x) => {
    if (typeof x === 'string') return texts.has(x) || (hasNumbers && numbers.has(toNumber(x))) || (x === 'true' ? bools.has(true) : x === 'false' ? bools.has(false) : false);
    if (typeof x === 'number') return numbers.has(x) || texts.has(String(x));
    if (typeof x === 'boolean') return bools.has(x) || texts.has(String(x));
    return false;
  };
}

function orderTest(op: '<' | '<=' | '>' | '>=', lit: number): ValueTest {
  switch (op) {
    case '<':
      return (x) => toNumber(x) < lit;
    case '<=':
      return (x) => toNumber(x) <= lit;
    case '>':
      return (x) => toNumber(x) > lit;
    case '>=':
      return (x) => toNumber(x) >= lit;
  }
}

function textTest(pred: StringTest): ValueTest {
  return (x) => {
    const s = toText(x);
    return s !== undefined && pred(s);
  };
}

function stringOp(op: 'contains' | 'startswith' | 'endswith', needles: string[]): StringTest {
  if (needles.length === 1) {
    const n = needles[0]!;
    if (op === 'contains') return (s) => s.includes(n);
    if (op === 'startswith') return (s) => s.startsWith(n);
    return (s) => s.endsWith(n);
  }
  // Plain loops: these run per event and rule, and a callback per call would be garbage.
  const k = needles.length;
  if (op === 'contains') {
    return (s) => {
      for (let i = 0; i < k; i += 1) if (s.includes(needles[i]!)) return true;
      return false;
    };
  }
  if (op === 'startswith') {
    return (s) => {
      for (let i = 0; i < k; i += 1) if (s.startsWith(needles[i]!)) return true;
      return false;
    };
  }
  return (s) => {
    for (let i = 0; i < k; i += 1) if (s.endsWith(needles[i]!)) return true;
    return false;
  };
}

// Several case-insensitive rules usually read the same field of the same event (a URL, a log
// message); remembering the last conversion saves lowercasing it once per rule.
let lastIn = '';
let lastOut = '';
function lower(s: string): string {
  if (s !== lastIn) {
    lastIn = s;
    lastOut = s.toLowerCase();
  }
  return lastOut;
}

export class OperandError extends Error {
  constructor(
    message: string,
    /** Index of the offending value, when one value is at fault. */
    readonly valueIndex?: number,
  ) {
    super(message);
  }
}

const SINGLE_VALUE = new Set<Op>(['=', '!=', '<', '<=', '>', '>=']);

/** Builds the test of one comparison; throws OperandError when the values do not suit the operator. */
export function buildTest(op: Op, values: Scalar[], listGiven: boolean, regex: RegexCompiler = compileRegexSet): ValueTest {
  if (op === 'exists') return (v) => v !== undefined && v !== null;
  if (SINGLE_VALUE.has(op) && (listGiven || values.length !== 1)) {
    throw new OperandError(`'${op}' takes one value, not a list${op === '=' ? " (use 'in' for a list)" : ''}`);
  }
  switch (op) {
    case '=':
      return anyElement(equalsTest(values[0]!));
    case '!=': {
      const eq = anyElement(equalsTest(values[0]!));
      return (v) => v !== undefined && v !== null && !eq(v);
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const n = toNumber(values[0]);
      if (Number.isNaN(n)) throw new OperandError(`'${op}' compares numbers; ${JSON.stringify(values[0])} is not a number`, 0);
      return anyElement(orderTest(op, n));
    }
    case 'in':
    case 'intersects':
      return values.length === 0 ? () => false : anyElement(memberTest(values));
    case 'contains':
    case 'startswith':
    case 'endswith':
      return values.length === 0 ? () => false : anyElement(textTest(stringOp(op, values.map(String))));
    case 'icontains':
    case 'istartswith':
    case 'iendswith': {
      if (values.length === 0) return () => false;
      const base = op === 'icontains' ? 'contains' : op === 'istartswith' ? 'startswith' : 'endswith';
      const inner = stringOp(base, values.map((v) => String(v).toLowerCase()));
      return anyElement(textTest((s) => inner(lower(s))));
    }
    case 'glob': {
      if (values.length === 0) return () => false;
      const tests = values.map((g, i) => {
        try {
          return compileGlob(String(g));
        } catch (e) {
          throw new OperandError((e as Error).message, i);
        }
      });
      const any: StringTest = (str) => {
        for (let i = 0; i < tests.length; i += 1) if (tests[i]!(str)) return true;
        return false;
      };
      return anyElement(textTest(tests.length === 1 ? tests[0]! : any));
    }
    case 'regex': {
      if (values.length === 0) return () => false;
      const patterns = values.map(String);
      patterns.forEach((p, i) => {
        try {
          compileRegexSet([p]);
        } catch (e) {
          throw new OperandError((e as Error).message, i);
        }
      });
      return anyElement(textTest(regex(patterns)));
    }
    case 'in_cidr': {
      if (values.length === 0) return () => false;
      values.forEach((c, i) => {
        try {
          compileCidrs([String(c)]);
        } catch (e) {
          throw new OperandError((e as Error).message, i);
        }
      });
      const inRange = compileCidrs(values.map(String));
      return anyElement((x) => typeof x === 'string' && inRange(x));
    }
  }
}
