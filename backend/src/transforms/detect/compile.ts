// Conditions are compiled once, at load; an event never walks the syntax tree. Each condition gets
// two forms sharing the same value tests: a fast one that short-circuits (generated code, see
// generateTest), and a tracing one, composed of closures, that evaluates every clause so a trace
// shows why each part held or failed.

import { ConditionError, type CmpNode, type Loc, type Node, type Op, type Scalar } from './ast.js';
import { compileField, type Getter } from './fields.js';
import { buildTest, OperandError, type ValueTest } from './operators.js';
import { summarizeValue } from './trace-value.js';
import type { LeafMemos, MemoSlot } from './leaf-memo.js';
import type { RegexCompiler, RegexUnions } from './regex-union.js';
import type { ClauseTrace } from './types.js';

export type Pred = (ev: unknown) => boolean;
export type TracePred = (ev: unknown, out: ClauseTrace[]) => boolean;

export interface CompiledCondition {
  test: Pred;
  trace: TracePred;
}

function makeTest(op: Op, values: Scalar[], listGiven: boolean, loc: Loc, valueLocs: Loc[], regex?: RegexCompiler): ValueTest {
  try {
    return buildTest(op, values, listGiven, regex);
  } catch (e) {
    if (e instanceof OperandError) {
      const at = e.valueIndex !== undefined ? (valueLocs[e.valueIndex] ?? loc) : loc;
      throw new ConditionError(e.message, at);
    }
    throw e;
  }
}

function all(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (e) => a(e) && b(e);
  }
  if (ps.length === 3) {
    const [a, b, c] = ps as [Pred, Pred, Pred];
    return (e) => a(e) && b(e) && c(e);
  }
  return (e) => {
    for (let i = 0; i < ps.length; i += 1) if (!ps[i]!(e)) return false;
    return true;
  };
}

function any(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (e) => a(e) || b(e);
  }
  return (e) => {
    for (let i = 0; i < ps.length; i += 1) if (ps[i]!(e)) return true;
    return false;
  };
}

/** What the rules of one set share: regex unions per field, answers of macro comparisons per event. */
export interface SharedTests {
  unions: RegexUnions;
  memos: LeafMemos;
}

/** Throws ConditionError (bad regex, glob, CIDR, or operand) with the place of the culprit. */
export function compileCondition(node: Node, shared?: SharedTests): CompiledCondition {
  const leaves: Leaf[] = [];
  const closures = compileClosures(node, leaves, shared?.unions);
  let generated: Pred | undefined;
  try {
    generated = leaves.length <= MAX_GENERATED_LEAVES ? generateTest(node, leaves, shared?.memos) : undefined;
  } catch {
    // Code generation forbidden by the runtime: the closures give the same answers, slower.
    generated = undefined;
  }
  return { test: generated ?? closures.test, trace: closures.trace };
}

interface Leaf {
  node: CmpNode;
  get: Getter;
  test: ValueTest;
}

// Past this size a condition is composed from closures instead of generated as one function.
const MAX_GENERATED_LEAVES = 400;

/**
 * The fast form of a condition, generated as code: one function per comparison (its field read and
 * the common case of its test inlined) and one per rule combining them with && || !. Each
 * generated function has its own inline caches and call targets V8 can inline; composed closures
 * share theirs across every rule. Values never enter the source: they are passed as arguments.
 */
function generateTest(node: Node, leaves: Leaf[], memos: LeafMemos | undefined): Pred | undefined {
  const fns = leaves.map((leaf) => generateLeaf(leaf, memos));
  let next = 0;
  const expr = (n: Node): string => {
    switch (n.kind) {
      case 'const':
        return n.value ? 'true' : 'false';
      case 'not':
        return `!(${expr(n.item)})`;
      case 'and':
      case 'or':
        return `(${n.items.map(expr).join(n.kind === 'and' ? ' && ' : ' || ')})`;
      case 'cmp':
        return `c${next++}(e)`;
    }
  };
  const body = expr(node);
  const names = fns.map((_, i) => `c${i}`).join(', ');
  const factory = new Function('fns', `const [${names}] = fns;\nreturn function rule(e) { return ${body}; };`) as (f: Pred[]) => Pred;
  return factory(fns);
}

function generateLeaf(leaf: Leaf, memos: LeafMemos | undefined): Pred {
  const { node, get, test } = leaf;
  const values = node.values;
  const lit = values[0];
  let fast = 'vt(v)';
  let k: unknown = lit;
  const single = values.length === 1 && node.listGiven !== true;
  switch (node.op) {
    case 'exists':
      fast = 'v !== undefined && v !== null';
      break;
    case '=':
    case '!=':
      if (single) fast = `typeof v === '${typeof lit}' ? v ${node.op === '=' ? '===' : '!=='} k : vt(v)`;
      break;
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (typeof lit === 'number') fast = `typeof v === 'number' ? v ${node.op} k : vt(v)`;
      break;
    case 'in':
    case 'intersects':
      // With only strings in the set, a string value needs one lookup and no coercion.
      if (values.length > 1 && values.every((x) => typeof x === 'string')) {
        k = new Set(values);
        fast = `typeof v === 'string' ? k.has(v) : vt(v)`;
      } else if (values.length === 1) {
        fast = `typeof v === '${typeof lit}' ? v === k : vt(v)`;
      }
      break;
    default:
      break;
  }
  // A comparison from a macro keeps its answer for the event in the slot the set shares.
  const slot = memos?.slotFor(node);
  const body = slot ? `if (m.at === ep.n) return m.r; const v = get(e); const r = ${fast}; m.at = ep.n; m.r = r; return r;` : `const v = get(e); return ${fast};`;
  const factory = new Function('get', 'vt', 'k', 'm', 'ep', `return function leaf(e) { ${body} };`) as (g: Getter, t: ValueTest, k: unknown, m: MemoSlot | undefined, ep: { n: number } | undefined) => Pred;
  return factory(get, test, k, slot, memos?.epoch);
}

function compileClosures(node: Node, leaves: Leaf[], unions: RegexUnions | undefined): CompiledCondition {
  switch (node.kind) {
    case 'const': {
      const v = node.value;
      return { test: () => v, trace: () => v };
    }
    case 'not': {
      const inner = compileClosures(node.item, leaves, unions);
      const t = inner.test;
      const tr = inner.trace;
      return { test: (e) => !t(e), trace: (e, out) => !tr(e, out) };
    }
    case 'and':
    case 'or': {
      const parts = node.items.map((n) => compileClosures(n, leaves, unions));
      const tests = parts.map((p) => p.test);
      const traces = parts.map((p) => p.trace);
      const isAnd = node.kind === 'and';
      return {
        test: isAnd ? all(tests) : any(tests),
        trace: (e, out) => {
          let acc = isAnd;
          for (const tr of traces) {
            const r = tr(e, out);
            acc = isAnd ? acc && r : acc || r;
          }
          return acc;
        },
      };
    }
    case 'cmp': {
      const get = compileField(node.field);
      const vt = makeTest(node.op, node.values, node.listGiven === true, node.loc, node.valueLocs, unions?.compilerFor(node.field));
      leaves.push({ node, get, test: vt });
      const { field, op, text, macro } = node;
      return {
        test: (e) => vt(get(e)),
        trace: (e, out) => {
          const v = get(e);
          const result = vt(v);
          const entry: ClauseTrace = { clause: text, field, op, result };
          if (v === undefined || v === null) entry.missing = true;
          else entry.value = summarizeValue(v);
          if (macro !== undefined) entry.macro = macro;
          out.push(entry);
          return result;
        },
      };
    }
  }
}

/** One cell of an exception row: the value(s) a field is compared with. */
export interface ExceptionCell {
  values: Scalar[];
  listGiven: boolean;
  loc: Loc;
}

export interface ExceptionSpec {
  name: string;
  fields: string[];
  comps: Op[];
  rows: ExceptionCell[][];
  loc: Loc;
}

/** Returns the name of the first exception whose row matches the event, or undefined. */
export type ExceptionCheck = (ev: unknown) => string | undefined;

const keyOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function compileException(spec: ExceptionSpec): (ev: unknown) => boolean {
  const getters = spec.fields.map(compileField);
  const rows = spec.rows.map((row) => row.map((cell, i) => makeTest(spec.comps[i]!, cell.values, cell.listGiven, cell.loc, [cell.loc])));
  const rowTest = (ev: unknown): boolean => {
    const vals = getters.map((g) => g(ev));
    for (const row of rows) {
      let ok = true;
      for (let i = 0; i < row.length && ok; i += 1) ok = row[i]!(vals[i]);
      if (ok) return true;
    }
    return false;
  };
  // Allow-lists grow long (one row per trusted image or user); plain equality rows become one hash
  // lookup on the event's tuple. Numbers are left to the row tests, whose coercion ("22.0" = 22)
  // a string key could not reproduce.
  const hashable = spec.comps.every((c) => c === '=') && spec.rows.every((r) => r.every((c) => c.values.length === 1 && typeof c.values[0] !== 'number'));
  if (!hashable || spec.rows.length < 4) return rowTest;
  const keys = new Set(spec.rows.map((r) => r.map((c) => String(c.values[0])).join('\u0000')));
  return (ev) => {
    let key = '';
    for (let i = 0; i < getters.length; i += 1) {
      const k = keyOf(getters[i]!(ev));
      if (k === undefined) return rowTest(ev);
      key = i === 0 ? k : `${key}\u0000${k}`;
    }
    return keys.has(key);
  };
}

export function compileExceptions(specs: ExceptionSpec[]): ExceptionCheck | undefined {
  if (specs.length === 0) return undefined;
  const checks = specs.map((s) => ({ name: s.name, hit: compileException(s) }));
  return (ev) => {
    for (const c of checks) if (c.hit(ev)) return c.name;
    return undefined;
  };
}
