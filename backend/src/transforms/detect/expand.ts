// Turns a parsed condition into a compilable tree: macros are inlined (each clause remembers which
// macro it came from, for traces), list names become their items, and fields are checked.

import { ConditionError, type CmpNode, type Loc, type Node, type OffsetMapper, type Op, type RawNode, type Scalar } from './ast.js';
import { isKnownField, isValidFieldPath } from './fields.js';

export interface MacroDef {
  name: string;
  text: string;
  map: OffsetMapper;
  raw?: RawNode;
  /** Why the macro cannot be used; rules that use it are refused. */
  error?: string;
}

export interface ExpandEnv {
  /** A list that failed to load maps to null, so its users are refused rather than misread. */
  lists: ReadonlyMap<string, Scalar[] | null>;
  macros: ReadonlyMap<string, MacroDef>;
  knownFields: readonly string[];
  warn(loc: Loc, message: string): void;
}

// Operators whose right side compares as text: a bare word keeps its spelling (1.50 stays "1.50").
const TEXT_OPS = new Set<Op>(['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'glob', 'regex', 'in_cidr']);
// Operators that take a set; a bare list name stands for its items.
const SET_OPS = new Set<Op>(['in', 'intersects', 'in_cidr', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'glob', 'regex']);
const MEMBER_OPS = new Set<Op>(['in', 'intersects', 'in_cidr']);
const EVENT_SOURCES = new Set(['docker', 'kubernetes', 'k8s_audit', 'log', 'metric', 'collector']);
const LOOKS_LIKE_LIST = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const MAX_NODES = 20_000;

export function expandCondition(raw: RawNode, src: string, map: OffsetMapper, env: ExpandEnv, macroName?: string): Node {
  const budget = { nodes: 0 };
  return expand(raw, src, map, env, macroName ? [macroName] : [], macroName, budget);
}

function expand(raw: RawNode, src: string, map: OffsetMapper, env: ExpandEnv, stack: string[], macro: string | undefined, budget: { nodes: number }): Node {
  budget.nodes += 1;
  if (budget.nodes > MAX_NODES) throw new ConditionError(`condition expands to more than ${MAX_NODES} clauses (macros nested too much)`, { map, offset: raw.span.start });
  const at = (offset: number): Loc => ({ map, offset });
  switch (raw.kind) {
    case 'and':
    case 'or': {
      const items: Node[] = [];
      for (const it of raw.items) {
        const n = expand(it, src, map, env, stack, macro, budget);
        if (n.kind === raw.kind) items.push(...n.items);
        else items.push(n);
      }
      return { kind: raw.kind, items };
    }
    case 'not':
      return { kind: 'not', item: expand(raw.item, src, map, env, stack, macro, budget) };
    case 'ref': {
      const def = env.macros.get(raw.name);
      if (!def) {
        if (env.lists.has(raw.name)) throw new ConditionError(`'${raw.name}' is a list, not a macro; write e.g. 'field in (${raw.name})'`, at(raw.span.start));
        throw new ConditionError(`unknown macro '${raw.name}' (to test a boolean field write '${raw.name} = true')`, at(raw.span.start));
      }
      if (stack.includes(raw.name)) throw new ConditionError(`macro cycle: ${[...stack, raw.name].join(' -> ')}`, at(raw.span.start));
      if (def.error !== undefined || !def.raw) throw new ConditionError(`macro '${raw.name}' did not load: ${def.error ?? 'no condition'}`, at(raw.span.start));
      return expand(def.raw, def.text, def.map, env, [...stack, raw.name], raw.name, budget);
    }
    case 'cmp': {
      if (!isValidFieldPath(raw.field)) throw new ConditionError(`'${raw.field}' is not a field path`, at(raw.fieldSpan.start));
      if (!isKnownField(raw.field, env.knownFields)) {
        env.warn(at(raw.fieldSpan.start), `field '${raw.field}' is not produced by any known source; the comparison sees a missing value unless an event carries it`);
      }
      const values: Scalar[] = [];
      const valueLocs: Loc[] = [];
      let listGiven = false;
      const addLiteral = (lit: { kind: 'string' | 'word'; value: Scalar; span: { start: number; end: number } }, inList: boolean): void => {
        if (lit.kind === 'word' && typeof lit.value === 'string' && SET_OPS.has(raw.op)) {
          const items = env.lists.get(lit.value);
          if (items === null) throw new ConditionError(`list '${lit.value}' did not load`, at(lit.span.start));
          if (items) {
            listGiven = true;
            for (const v of items) {
              values.push(v);
              valueLocs.push(at(lit.span.start));
            }
            return;
          }
          if ((inList || MEMBER_OPS.has(raw.op)) && LOOKS_LIKE_LIST.test(lit.value)) {
            env.warn(at(lit.span.start), `'${lit.value}' looks like a list name but no such list is defined; it is compared as the literal text`);
          }
        }
        const text = lit.kind === 'word' && TEXT_OPS.has(raw.op) ? src.slice(lit.span.start, lit.span.end) : lit.value;
        values.push(text);
        valueLocs.push(at(lit.span.start));
      };
      if (raw.rhs?.kind === 'list') {
        listGiven = true;
        for (const lit of raw.rhs.items) addLiteral(lit, true);
      } else if (raw.rhs) {
        addLiteral(raw.rhs.value, false);
      }
      if (raw.field === 'event.source' && (raw.op === '=' || raw.op === '!=' || raw.op === 'in')) {
        for (let i = 0; i < values.length; i += 1) {
          if (!EVENT_SOURCES.has(String(values[i]))) env.warn(valueLocs[i]!, `event.source is one of ${[...EVENT_SOURCES].join(', ')}; '${String(values[i])}' never occurs`);
        }
      }
      const node: CmpNode = {
        kind: 'cmp',
        field: raw.field,
        op: raw.op,
        values,
        valueLocs,
        text: src.slice(raw.span.start, raw.span.end),
        loc: at(raw.span.start),
      };
      if (macro !== undefined) node.macro = macro;
      if (listGiven) node.listGiven = true;
      return node;
    }
  }
}
