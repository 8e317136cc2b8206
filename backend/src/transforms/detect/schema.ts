// Reads one rule file into definitions, checking each field where it is written so that every
// complaint carries its line and column. Nothing here looks across files; linking is the loader's.

import { isMap, isScalar, isSeq, type Node as YNode, type Pair, type Scalar as YScalar, type YAMLMap } from 'yaml';
import { WORD_OPS, type Loc, type OffsetMapper, type Op, type Scalar } from './ast.js';
import { parseDuration } from './duration.js';
import { isValidFieldPath } from './fields.js';
import type { Origin, LoadIssue } from './types.js';
import type { Pos, SourceText } from './yaml-source.js';

export interface ListDef {
  name: string;
  items: Scalar[] | null;
  file: string;
  pos: Pos;
}

export interface MacroSource {
  name: string;
  text: string;
  map: OffsetMapper;
  file: string;
  pos: Pos;
}

export interface ExceptionCellDef {
  /** A scalar, an inline list, or a list name (for set operators). */
  value: Scalar | Scalar[];
  loc: Loc;
}

export interface ExceptionDef {
  name: string;
  fields: string[];
  fieldLocs: Loc[];
  comps: Op[];
  rows: ExceptionCellDef[][];
  loc: Loc;
  file: string;
  /** Canonical content, part of the rule's definition hash. */
  canonical: unknown;
}

export interface RuleDef {
  id: number;
  file: string;
  origin: Origin;
  pos: Pos;
  level: number;
  description: string;
  descriptionMap: OffsetMapper;
  groups: string[];
  mitre: string[];
  enabled: boolean;
  condition?: { text: string; map: OffsetMapper; pos: Pos };
  parent?: { id: number; pos: Pos };
  frequency?: number;
  timeframeMs?: number;
  same: string[];
  different: string[];
  fieldLocs: { field: string; loc: Loc }[];
  ignoreMs?: number;
  exceptions: ExceptionDef[];
  /** First reason the rule is refused, when it is. */
  error?: string;
  overridden: boolean;
}

export interface RuleOverrideDef {
  id: number;
  file: string;
  pos: Pos;
  enabled?: boolean;
  level?: number;
  exceptions: ExceptionDef[];
}

export interface ListOverrideDef {
  name: string;
  mode: 'append' | 'replace';
  items: Scalar[];
  file: string;
  pos: Pos;
}

export interface FileDefs {
  file: string;
  origin: Origin;
  lists: ListDef[];
  macros: MacroSource[];
  rules: RuleDef[];
  ruleOverrides: RuleOverrideDef[];
  listOverrides: ListOverrideDef[];
  macroOverrides: MacroSource[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MITRE = /^(TA|T)\d{4}(\.\d{3})?$/;
const RULE_KEYS = new Set(['id', 'level', 'description', 'groups', 'mitre', 'enabled', 'condition', 'parent', 'frequency', 'timeframe', 'same', 'different', 'ignore', 'exceptions']);
const COMP_OPS = new Set<string>(['=', '!=', '<', '<=', '>', '>=', ...[...WORD_OPS].filter((o) => o !== 'exists')]);
export const MAX_FREQUENCY = 10_000;

/** Collects issues for one file. */
class Reporter {
  constructor(
    readonly src: SourceText,
    readonly issues: LoadIssue[],
  ) {}

  at(pos: Pos, message: string, severity: 'error' | 'warning' = 'error', ruleId?: number): void {
    const issue: LoadIssue = { file: this.src.name, line: pos.line, column: pos.column, message, severity };
    if (ruleId !== undefined) issue.ruleId = ruleId;
    this.issues.push(issue);
  }

  node(node: YNode | null | undefined, message: string, severity: 'error' | 'warning' = 'error', ruleId?: number): void {
    this.at(this.src.nodePos(node), message, severity, ruleId);
  }
}

function pairs(map: YAMLMap): Pair<YNode, YNode | null>[] {
  return map.items as Pair<YNode, YNode | null>[];
}

function keyText(p: Pair<YNode, YNode | null>): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

function scalarValue(node: YNode | null | undefined): Scalar | null | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function readFile(src: SourceText, origin: Origin, issues: LoadIssue[]): FileDefs {
  const rep = new Reporter(src, issues);
  const defs: FileDefs = { file: src.name, origin, lists: [], macros: [], rules: [], ruleOverrides: [], listOverrides: [], macroOverrides: [] };
  if (src.doc.errors.length > 0) {
    for (const e of src.doc.errors) rep.at(src.pos(e.pos[0]), `YAML: ${e.message} (the whole file is refused)`);
    return defs;
  }
  for (const w of src.doc.warnings) rep.at(src.pos(w.pos[0]), `YAML: ${w.message}`, 'warning');
  const root = src.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return defs;
  if (!isMap(root)) {
    rep.node(root, 'a rule file is a mapping with the keys lists, macros, rules (and overrides in the local directory); the whole file is refused');
    return defs;
  }
  for (const p of pairs(root)) {
    const key = keyText(p);
    const val = p.value;
    switch (key) {
      case 'lists':
        readLists(rep, val, defs);
        break;
      case 'macros':
        readMacros(rep, val, defs.macros);
        break;
      case 'rules':
        if (val === null || (isScalar(val) && val.value === null)) break;
        if (!isSeq(val)) {
          rep.node(val, "'rules' must be a list of rules");
          break;
        }
        for (const item of val.items as (YNode | null)[]) {
          const rule = readRule(rep, item, origin);
          if (rule) defs.rules.push(rule);
        }
        break;
      case 'overrides':
        if (origin !== 'local') {
          rep.node(p.key as YNode, "'overrides' is only read from the local rules directory; shipped files are changed by overriding them from there");
          break;
        }
        readOverrides(rep, val, defs);
        break;
      default:
        rep.node(p.key as YNode, `unknown top-level key '${key ?? '?'}' (expected lists, macros, rules, overrides); ignored`, 'warning');
    }
  }
  return defs;
}

function readScalarItems(rep: Reporter, node: YNode | null, what: string): Scalar[] | null {
  if (!isSeq(node)) {
    rep.node(node, `${what} must be a YAML list of strings or numbers`);
    return null;
  }
  const items: Scalar[] = [];
  let ok = true;
  for (const it of node.items as (YNode | null)[]) {
    const v = scalarValue(it);
    if (v === undefined || v === null) {
      rep.node(it, `${what}: items must be strings, numbers or booleans`);
      ok = false;
      continue;
    }
    items.push(v);
  }
  return ok ? items : null;
}

function readLists(rep: Reporter, node: YNode | null, defs: FileDefs): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) {
    rep.node(node, "'lists' must map list names to items");
    return;
  }
  for (const p of pairs(node)) {
    const name = keyText(p);
    const pos = rep.src.nodePos(p.key as YNode);
    if (!name || !NAME.test(name)) {
      rep.at(pos, `list name '${name ?? '?'}' must be letters, digits and underscores`);
      continue;
    }
    const items = readScalarItems(rep, p.value, `list '${name}'`);
    defs.lists.push({ name, items, file: rep.src.name, pos });
  }
}

function readMacros(rep: Reporter, node: YNode | null, out: MacroSource[]): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) {
    rep.node(node, "'macros' must map macro names to conditions");
    return;
  }
  for (const p of pairs(node)) {
    const name = keyText(p);
    const pos = rep.src.nodePos(p.key as YNode);
    if (!name || !NAME.test(name)) {
      rep.at(pos, `macro name '${name ?? '?'}' must be letters, digits and underscores`);
      continue;
    }
    const macro = readMacroBody(rep, p.value, name, pos);
    if (macro) out.push(macro);
  }
}

function readMacroBody(rep: Reporter, node: YNode | null, name: string, pos: Pos): MacroSource | undefined {
  let target = node;
  // `name: {condition: ...}` is accepted too, the form overrides use.
  if (isMap(node)) target = node.get('condition', true) as YNode | null;
  if (!isScalar(target) || typeof target.value !== 'string' || target.value.trim() === '') {
    rep.node(target ?? node, `macro '${name}' must be a condition string`);
    return undefined;
  }
  return { name, text: target.value, map: rep.src.scalarMapper(target as YScalar), file: rep.src.name, pos };
}

function readStringList(rep: Reporter, node: YNode | null, what: string, ruleId: number | undefined, errors: string[]): { values: string[]; nodes: (YNode | null)[] } {
  if (isScalar(node) && typeof node.value === 'string') return { values: [node.value], nodes: [node] };
  if (!isSeq(node)) {
    const msg = `${what} must be a string or a list of strings`;
    rep.node(node, msg, 'error', ruleId);
    errors.push(msg);
    return { values: [], nodes: [] };
  }
  const values: string[] = [];
  const nodes: (YNode | null)[] = [];
  for (const it of node.items as (YNode | null)[]) {
    if (!isScalar(it) || typeof it.value !== 'string') {
      const msg = `${what}: every item must be a string`;
      rep.node(it, msg, 'error', ruleId);
      errors.push(msg);
      continue;
    }
    values.push(it.value);
    nodes.push(it);
  }
  return { values, nodes };
}

function readInt(rep: Reporter, node: YNode | null, what: string, min: number, max: number, ruleId: number | undefined, errors: string[]): number | undefined {
  const v = scalarValue(node);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const msg = `${what} must be an integer from ${min} to ${max}`;
    rep.node(node, msg, 'error', ruleId);
    errors.push(msg);
    return undefined;
  }
  return v;
}

function readRule(rep: Reporter, node: YNode | null, origin: Origin): RuleDef | undefined {
  if (!isMap(node)) {
    rep.node(node, 'each rule must be a mapping with at least id, level, description and condition');
    return undefined;
  }
  const idNode = node.get('id', true) as YNode | null | undefined;
  const idVal = scalarValue(idNode);
  if (typeof idVal !== 'number' || !Number.isInteger(idVal) || idVal < 1 || idVal > 999_999_999) {
    rep.node(idNode ?? node, idNode === undefined ? "rule without 'id'; refused" : "'id' must be a positive integer; rule refused");
    return undefined;
  }
  const id = idVal;
  const errors: string[] = [];
  const fail = (n: YNode | null | undefined, msg: string): void => {
    rep.node(n ?? node, msg, 'error', id);
    errors.push(msg);
  };
  const warn = (n: YNode | null | undefined, msg: string): void => rep.node(n ?? node, msg, 'warning', id);
  if (origin === 'shipped' && (id < 100_000 || id > 199_999)) warn(idNode, `shipped rule ids are 100000-199999; ${id} may collide with user rules`);
  if (origin === 'local' && id < 200_000) warn(idNode, `user rule ids start at 200000; ${id} may collide with shipped rules (to change a shipped rule, use overrides)`);

  const rule: RuleDef = {
    id,
    file: rep.src.name,
    origin,
    pos: rep.src.nodePos(node),
    level: 0,
    description: '',
    descriptionMap: () => rep.src.nodePos(node),
    groups: [],
    mitre: [],
    enabled: true,
    same: [],
    different: [],
    fieldLocs: [],
    exceptions: [],
    overridden: false,
  };
  const get = (k: string): YNode | null | undefined => node.get(k, true) as YNode | null | undefined;

  for (const p of pairs(node)) {
    const k = keyText(p);
    if (k === undefined || !RULE_KEYS.has(k)) warn(p.key as YNode, `unknown rule key '${k ?? '?'}'; ignored (known: ${[...RULE_KEYS].join(', ')})`);
  }

  const levelNode = get('level');
  if (levelNode === undefined) fail(node, "rule without 'level'");
  else rule.level = readInt(rep, levelNode, "'level'", 0, 15, id, errors) ?? 0;

  const descNode = get('description');
  if (descNode === undefined || descNode === null) {
    if (rule.level > 0) fail(node, "rule without 'description'");
  } else if (!isScalar(descNode) || typeof descNode.value !== 'string') {
    fail(descNode, "'description' must be a string");
  } else {
    rule.description = descNode.value;
    rule.descriptionMap = rep.src.scalarMapper(descNode as YScalar);
  }

  const groupsNode = get('groups');
  if (groupsNode !== undefined && groupsNode !== null) rule.groups = readStringList(rep, groupsNode, "'groups'", id, errors).values;

  const mitreNode = get('mitre');
  if (mitreNode !== undefined && mitreNode !== null) {
    const { values, nodes } = readStringList(rep, mitreNode, "'mitre'", id, errors);
    values.forEach((m, i) => {
      if (!MITRE.test(m)) fail(nodes[i], `'${m}' is not a MITRE ATT&CK id (like T1610, T1611.001 or TA0004)`);
    });
    rule.mitre = values;
  }

  const enabledNode = get('enabled');
  if (enabledNode !== undefined) {
    const v = scalarValue(enabledNode);
    if (typeof v !== 'boolean') fail(enabledNode, "'enabled' must be true or false");
    else rule.enabled = v;
  }

  const condNode = get('condition');
  if (condNode !== undefined) {
    if (!isScalar(condNode) || typeof condNode.value !== 'string' || condNode.value.trim() === '') fail(condNode, "'condition' must be a non-empty string");
    else rule.condition = { text: condNode.value, map: rep.src.scalarMapper(condNode as YScalar), pos: rep.src.nodePos(condNode) };
  }

  const parentNode = get('parent');
  if (parentNode !== undefined) {
    const pid = readInt(rep, parentNode, "'parent'", 1, 999_999_999, id, errors);
    if (pid !== undefined) {
      if (pid === id) fail(parentNode, 'a rule cannot be its own parent');
      else rule.parent = { id: pid, pos: rep.src.nodePos(parentNode) };
    }
  }

  const freqNode = get('frequency');
  const tfNode = get('timeframe');
  if (freqNode !== undefined) rule.frequency = readInt(rep, freqNode, "'frequency'", 2, MAX_FREQUENCY, id, errors);
  if (tfNode !== undefined) {
    const d = parseDuration(scalarValue(tfNode));
    if (typeof d === 'string') fail(tfNode, `'timeframe' ${d}`);
    else rule.timeframeMs = d;
  }
  if (freqNode !== undefined && tfNode === undefined) fail(freqNode, "'frequency' needs a 'timeframe'");
  if (tfNode !== undefined && freqNode === undefined) fail(tfNode, "'timeframe' needs a 'frequency'");

  for (const key of ['same', 'different'] as const) {
    const n = get(key);
    if (n === undefined || n === null) continue;
    const { values, nodes } = readStringList(rep, n, `'${key}'`, id, errors);
    values.forEach((f, i) => {
      if (!isValidFieldPath(f)) fail(nodes[i], `'${f}' is not a field path`);
      else rule.fieldLocs.push({ field: f, loc: rep.src.nodeLoc(nodes[i]) });
    });
    rule[key] = values;
  }
  if (rule.different.length > 0 && freqNode === undefined) fail(get('different'), "'different' only means something with 'frequency' and 'timeframe'");

  const ignoreNode = get('ignore');
  if (ignoreNode !== undefined) {
    const d = parseDuration(scalarValue(ignoreNode));
    if (typeof d === 'string') fail(ignoreNode, `'ignore' ${d}`);
    else rule.ignoreMs = d;
  }
  if (rule.same.length > 0 && freqNode === undefined && ignoreNode === undefined) {
    warn(get('same'), "'same' is used with 'frequency' (correlation key) or 'ignore' (suppression key); alone it does nothing");
  }

  const excNode = get('exceptions');
  if (excNode !== undefined && excNode !== null) rule.exceptions = readExceptions(rep, excNode, id, errors);

  if (errors.length > 0) rule.error = errors[0];
  return rule;
}

export function readExceptions(rep: Reporter, node: YNode, ruleId: number, errors: string[]): ExceptionDef[] {
  const fail = (n: YNode | null | undefined, msg: string): void => {
    rep.node(n ?? node, msg, 'error', ruleId);
    errors.push(msg);
  };
  if (!isSeq(node)) {
    fail(node, "'exceptions' must be a list of {name, fields, comps, values}");
    return [];
  }
  const out: ExceptionDef[] = [];
  const names = new Set<string>();
  for (const item of node.items as (YNode | null)[]) {
    if (!isMap(item)) {
      fail(item, 'an exception is a mapping with name, fields, values (and optionally comps)');
      continue;
    }
    const get = (k: string): YNode | null | undefined => item.get(k, true) as YNode | null | undefined;
    for (const p of pairs(item)) {
      const k = keyText(p);
      if (k !== 'name' && k !== 'fields' && k !== 'comps' && k !== 'values') rep.node(p.key as YNode, `unknown exception key '${k ?? '?'}'; ignored`, 'warning', ruleId);
    }
    const nameNode = get('name');
    const name = scalarValue(nameNode);
    if (typeof name !== 'string' || name === '') {
      fail(nameNode ?? item, "an exception needs a 'name'");
      continue;
    }
    if (names.has(name)) fail(nameNode, `exception '${name}' is defined twice in this rule`);
    names.add(name);
    const fieldsNode = get('fields');
    if (fieldsNode === undefined || fieldsNode === null) {
      fail(item, `exception '${name}' needs 'fields'`);
      continue;
    }
    const singleField = isScalar(fieldsNode);
    const before = errors.length;
    const fieldList = readStringList(rep, fieldsNode, `exception '${name}' fields`, ruleId, errors);
    const fieldLocs: Loc[] = [];
    fieldList.values.forEach((f, i) => {
      if (!isValidFieldPath(f)) fail(fieldList.nodes[i], `'${f}' is not a field path`);
      fieldLocs.push(rep.src.nodeLoc(fieldList.nodes[i]));
    });
    if (fieldList.values.length === 0 && errors.length === before) fail(fieldsNode, `exception '${name}' needs at least one field`);
    const compsNode = get('comps');
    let comps: Op[] = fieldList.values.map(() => '=' as Op);
    if (compsNode !== undefined && compsNode !== null) {
      const c = readStringList(rep, compsNode, `exception '${name}' comps`, ruleId, errors);
      if (c.values.length !== fieldList.values.length) fail(compsNode, `exception '${name}': comps must have one operator per field (${fieldList.values.length})`);
      c.values.forEach((op, i) => {
        if (!COMP_OPS.has(op)) fail(c.nodes[i], `'${op}' is not an operator usable in exceptions`);
      });
      comps = c.values as Op[];
    }
    const valuesNode = get('values');
    if (!isSeq(valuesNode)) {
      fail(valuesNode ?? item, `exception '${name}' needs 'values', a list of rows`);
      continue;
    }
    const rows: ExceptionCellDef[][] = [];
    const readCell = (n: YNode | null): ExceptionCellDef | undefined => {
      if (isSeq(n)) {
        const items: Scalar[] = [];
        for (const it of n.items as (YNode | null)[]) {
          const v = scalarValue(it);
          if (v === undefined || v === null) {
            fail(it, 'exception values must be strings, numbers or booleans');
            return undefined;
          }
          items.push(v);
        }
        return { value: items, loc: rep.src.nodeLoc(n) };
      }
      const v = scalarValue(n);
      if (v === undefined || v === null) {
        fail(n, 'exception values must be strings, numbers or booleans');
        return undefined;
      }
      return { value: v, loc: rep.src.nodeLoc(n) };
    };
    for (const rowNode of valuesNode.items as (YNode | null)[]) {
      if (singleField && !isSeq(rowNode)) {
        const cell = readCell(rowNode);
        if (cell) rows.push([cell]);
        continue;
      }
      if (!isSeq(rowNode) || rowNode.items.length !== fieldList.values.length) {
        fail(rowNode, `exception '${name}': each row of values needs ${fieldList.values.length} value(s), one per field`);
        continue;
      }
      const row: ExceptionCellDef[] = [];
      for (const cellNode of rowNode.items as (YNode | null)[]) {
        const cell = readCell(cellNode);
        if (cell) row.push(cell);
      }
      if (row.length === fieldList.values.length) rows.push(row);
    }
    out.push({
      name,
      fields: fieldList.values,
      fieldLocs,
      comps,
      rows,
      loc: rep.src.nodeLoc(item),
      file: rep.src.name,
      canonical: { name, fields: fieldList.values, comps, values: rows.map((r) => r.map((c) => c.value)) },
    });
  }
  return out;
}

function readOverrides(rep: Reporter, node: YNode | null, defs: FileDefs): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) {
    rep.node(node, "'overrides' must be a mapping with rules, lists, macros");
    return;
  }
  for (const p of pairs(node)) {
    const key = keyText(p);
    const val = p.value;
    if (key === 'rules') {
      if (!isSeq(val)) {
        rep.node(val ?? (p.key as YNode), "'overrides.rules' must be a list of {id, enabled, level, exceptions}");
        continue;
      }
      for (const item of val.items as (YNode | null)[]) {
        if (!isMap(item)) {
          rep.node(item, 'a rule override is a mapping with id and enabled, level or exceptions');
          continue;
        }
        const errors: string[] = [];
        const idNode = item.get('id', true) as YNode | null | undefined;
        const id = readInt(rep, idNode ?? item, 'override id', 1, 999_999_999, undefined, errors);
        if (id === undefined) continue;
        const ov: RuleOverrideDef = { id, file: rep.src.name, pos: rep.src.nodePos(item), exceptions: [] };
        for (const q of pairs(item)) {
          const k = keyText(q);
          if (k === 'id') continue;
          if (k === 'enabled') {
            const v = scalarValue(q.value);
            if (typeof v !== 'boolean') {
              rep.node(q.value, "'enabled' must be true or false", 'error', id);
              errors.push('enabled');
            } else ov.enabled = v;
          } else if (k === 'level') {
            const v = readInt(rep, q.value, "'level'", 0, 15, id, errors);
            if (v !== undefined) ov.level = v;
          } else if (k === 'exceptions') {
            if (q.value) ov.exceptions = readExceptions(rep, q.value, id, errors);
          } else {
            rep.node(q.key as YNode, `a rule override changes enabled, level or exceptions; '${k ?? '?'}' is not supported`, 'error', id);
            errors.push('key');
          }
        }
        // A half-valid override is dropped whole: applying part of what the user wrote would
        // leave the rule in a state nobody asked for.
        if (errors.length === 0) defs.ruleOverrides.push(ov);
      }
    } else if (key === 'lists') {
      if (!isMap(val)) {
        rep.node(val ?? (p.key as YNode), "'overrides.lists' maps list names to {append: [...]} or {replace: [...]}");
        continue;
      }
      for (const q of pairs(val)) {
        const name = keyText(q) ?? '?';
        const pos = rep.src.nodePos(q.key as YNode);
        const body = q.value;
        const append = isMap(body) ? (body.get('append', true) as YNode | null | undefined) : undefined;
        const replace = isMap(body) ? (body.get('replace', true) as YNode | null | undefined) : undefined;
        if (!isMap(body) || (append === undefined) === (replace === undefined) || body.items.length !== 1) {
          rep.at(pos, `list override '${name}' takes exactly one of append: [...] or replace: [...]`);
          continue;
        }
        const items = readScalarItems(rep, (append ?? replace) as YNode | null, `list override '${name}'`);
        if (items) defs.listOverrides.push({ name, mode: append !== undefined ? 'append' : 'replace', items, file: rep.src.name, pos });
      }
    } else if (key === 'macros') {
      if (!isMap(val)) {
        rep.node(val ?? (p.key as YNode), "'overrides.macros' maps macro names to {condition: ...}");
        continue;
      }
      for (const q of pairs(val)) {
        const name = keyText(q) ?? '?';
        const pos = rep.src.nodePos(q.key as YNode);
        if (!isMap(q.value)) {
          rep.at(pos, `macro override '${name}' is a mapping {condition: ...}`);
          continue;
        }
        const m = readMacroBody(rep, q.value, name, pos);
        if (m) defs.macroOverrides.push(m);
      }
    } else {
      rep.node(p.key as YNode, `unknown overrides key '${key ?? '?'}' (expected rules, lists, macros); ignored`, 'warning');
    }
  }
}
