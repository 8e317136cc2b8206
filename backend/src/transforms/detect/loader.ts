// Builds a rule set from files: read each file, merge lists and macros, apply local overrides,
// compile every rule, link parents, and index the roots. A problem refuses the smallest thing it
// can (one rule, one macro, one file) and is recorded with its place; everything else loads.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConditionError, type Loc, type Node, type Scalar } from './ast.js';
import { compileCondition, compileExceptions, type ExceptionCheck, type ExceptionSpec, type Pred, type SharedTests, type TracePred } from './compile.js';
import { expandCondition, type ExpandEnv, type MacroDef } from './expand.js';
import { compileField, DEFAULT_KNOWN_FIELDS, isKnownField, type Getter } from './fields.js';
import { applyListOverrides, applyMacroOverrides, applyRuleOverrides } from './overrides.js';
import { parseCondition, ParseError } from './parser.js';
import { LeafMemos } from './leaf-memo.js';
import { RegexUnions } from './regex-union.js';
import { findGuards, RootIndex, type Guards } from './rule-index.js';
import { readFile, type ExceptionDef, type FileDefs, type RuleDef } from './schema.js';
import { compileTemplate, type Template } from './template.js';
import type { EngineOptions, LoadIssue, Origin, RuleFile, RuleInfo } from './types.js';
import { SourceText, type Pos } from './yaml-source.js';

export interface CompiledRule {
  id: number;
  level: number;
  def: RuleDef;
  test: Pred;
  trace: TracePred;
  exceptions?: ExceptionCheck;
  /** Exceptions for traces: which one matched. */
  exceptionNames: string[];
  template: Template;
  groups: string[];
  mitre: string[];
  frequency?: number;
  timeframeMs?: number;
  same: Getter[];
  different: Getter[];
  ignoreMs?: number;
  /** Rule id + hash of its definition: correlation state survives a reload only if this is unchanged. */
  stateKey: string;
  parent?: CompiledRule;
  children: CompiledRule[];
  /** Where the index files the rule (roots only). */
  guards: Guards;
  seen: number;
  runtimeErrors: number;
}

export interface RuleSet {
  /** Answers of macro comparisons for the event being evaluated (nextEvent() before each event). */
  memos: LeafMemos;
  /** Every rule that compiled, enabled or not. */
  byId: Map<number, CompiledRule>;
  roots: CompiledRule[];
  index: RootIndex<CompiledRule>;
  infos: RuleInfo[];
  issues: LoadIssue[];
  files: number;
  active: number;
}

export const MAX_RULE_FILE_BYTES = 8 * 1024 * 1024;

/** Reads *.yaml / *.yml of a directory in name order; a missing directory is an empty one. */
export function readRuleDir(dir: string, origin: Origin, issues: LoadIssue[]): RuleFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') issues.push({ file: dir, line: 1, column: 1, message: `cannot read rules directory: ${(e as Error).message}`, severity: 'error' });
    return [];
  }
  const out: RuleFile[] = [];
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      if (st.size > MAX_RULE_FILE_BYTES) {
        issues.push({ file: path, line: 1, column: 1, message: `rule file larger than ${MAX_RULE_FILE_BYTES} bytes; refused`, severity: 'error' });
        continue;
      }
      out.push({ name: path, text: readFileSync(path, 'utf8'), origin });
    } catch (e) {
      issues.push({ file: path, line: 1, column: 1, message: `cannot read rule file: ${(e as Error).message}`, severity: 'error' });
    }
  }
  return out;
}

// Higher levels are tried before lower, then lower ids. Level-0 children therefore come last: a
// grouping rule (say "any 4xx response") never hides a sibling detection (an SQL injection that
// got a 404); allow-listing inside a branch is what exceptions are for.
const SIBLING_ORDER = (a: { level: number; id: number }, b: { level: number; id: number }): number => b.level - a.level || a.id - b.id;

export function buildRuleSet(files: RuleFile[], opts: EngineOptions = {}, preIssues: LoadIssue[] = []): RuleSet {
  const issues: LoadIssue[] = [...preIssues];
  const knownFields = opts.knownFields ?? DEFAULT_KNOWN_FIELDS;
  const issue = (file: string, pos: Pos, message: string, severity: 'error' | 'warning', ruleId?: number): void => {
    const it: LoadIssue = { file, line: pos.line, column: pos.column, message, severity };
    if (ruleId !== undefined) it.ruleId = ruleId;
    issues.push(it);
  };
  const locIssue = (file: string, loc: Loc, message: string, severity: 'error' | 'warning', ruleId?: number): void => issue(file, loc.map(loc.offset), message, severity, ruleId);

  // 1. Read files.
  const defs: FileDefs[] = [];
  for (const f of files) {
    const src = new SourceText(f.name, f.text);
    defs.push(readFile(src, f.origin ?? 'shipped', issues));
  }

  // 2. Lists: one namespace across files; the first definition wins.
  const lists = new Map<string, Scalar[] | null>();
  const listWhere = new Map<string, string>();
  for (const d of defs) {
    for (const l of d.lists) {
      if (lists.has(l.name)) {
        issue(d.file, l.pos, `list '${l.name}' is already defined (${listWhere.get(l.name)}); this definition is refused (use overrides.lists to extend it)`, 'error');
        continue;
      }
      lists.set(l.name, l.items);
      listWhere.set(l.name, `${d.file}:${l.pos.line}`);
    }
  }
  applyListOverrides(defs, lists, issue);

  // 3. Macros: same namespace rule; parse, then check each on its own so a bad macro is reported once.
  const macros = new Map<string, MacroDef & { file: string }>();
  const macroWhere = new Map<string, string>();
  for (const d of defs) {
    for (const m of d.macros) {
      if (macros.has(m.name)) {
        issue(d.file, m.pos, `macro '${m.name}' is already defined (${macroWhere.get(m.name)}); this definition is refused (use overrides.macros to replace it)`, 'error');
        continue;
      }
      macros.set(m.name, { name: m.name, text: m.text, map: m.map, file: m.file });
      macroWhere.set(m.name, `${d.file}:${m.pos.line}`);
    }
  }
  applyMacroOverrides(defs, macros, issue);

  const seenWarnings = new Set<string>();
  let warnFile = '';
  let warnRule: number | undefined;
  // Warnings raised while expanding belong to the file of the text being expanded; macros from
  // other files are inlined into rules, so the file is tracked per macro via its mapper.
  const macroFileByMapper = new Map<unknown, string>();
  for (const m of macros.values()) macroFileByMapper.set(m.map, m.file);
  const fileForLoc = (loc: Loc, fallback: string): string => macroFileByMapper.get(loc.map) ?? fallback;
  const env: ExpandEnv = {
    lists,
    macros,
    knownFields,
    warn: (loc, message) => {
      const inMacro = macroFileByMapper.has(loc.map);
      const file = fileForLoc(loc, warnFile);
      const p = loc.map(loc.offset);
      const key = `${file}:${p.line}:${p.column}:${message}`;
      if (seenWarnings.has(key)) return;
      seenWarnings.add(key);
      issue(file, p, message, 'warning', inMacro ? undefined : warnRule);
    },
  };

  for (const m of macros.values()) {
    try {
      m.raw = parseCondition(m.text);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      m.error = e.message;
      issue(m.file, m.map(e.offset), `macro '${m.name}': ${e.message}`, 'error');
    }
  }
  // Checking a macro inlines the macros it uses; repeat until no new failure appears so that a
  // macro built on a broken one is refused too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of macros.values()) {
      if (m.error !== undefined || !m.raw) continue;
      warnFile = m.file;
      try {
        compileCondition(expandCondition(m.raw, m.text, m.map, env, m.name));
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        m.error = e.message;
        changed = true;
        const file = fileForLoc(e.loc, m.file);
        issue(file, e.loc.map(e.loc.offset), `macro '${m.name}': ${e.message}`, 'error');
      }
    }
  }

  // 4. Rules: ids are unique across all files; the first definition wins.
  const ruleDefs = new Map<number, RuleDef>();
  const allDefs: RuleDef[] = [];
  for (const d of defs) {
    for (const r of d.rules) {
      allDefs.push(r);
      const first = ruleDefs.get(r.id);
      if (first) {
        r.error = `duplicate rule id ${r.id} (first defined at ${first.file}:${first.pos.line})`;
        issue(r.file, r.pos, `${r.error}; this one is refused`, 'error', r.id);
        continue;
      }
      ruleDefs.set(r.id, r);
    }
  }
  applyRuleOverrides(defs, ruleDefs, issue);

  // 5. Compile each rule on its own (the regex tests of a field share one union, built at the end).
  const byId = new Map<number, CompiledRule>();
  const shared: SharedTests = { unions: new RegexUnions(), memos: new LeafMemos() };
  for (const def of ruleDefs.values()) {
    if (def.error !== undefined) continue;
    warnFile = def.file;
    warnRule = def.id;
    const compiled = compileRule(def, env, knownFields, shared, (loc, message, severity, file) => {
      locIssue(file ?? fileForLoc(loc, def.file), loc, message, severity, def.id);
    });
    if (compiled) byId.set(def.id, compiled);
  }
  shared.unions.seal();

  // 6. Parents: unknown, refused or cyclic parents refuse the child alone.
  const state = new Map<number, 'ok' | 'bad'>();
  const refuse = (r: CompiledRule, message: string, pos: Pos): void => {
    r.def.error = message;
    issue(r.def.file, pos, message, 'error', r.id);
    byId.delete(r.id);
    state.set(r.id, 'bad');
  };
  for (const start of [...byId.values()]) {
    if (state.has(start.id)) continue;
    const path: CompiledRule[] = [];
    const onPath = new Set<number>();
    let cur: CompiledRule | undefined = start;
    let outcome: 'ok' | 'bad' = 'ok';
    let reason = '';
    while (cur) {
      const known = state.get(cur.id);
      if (known) {
        outcome = known;
        reason = `parent ${cur.id} did not load`;
        break;
      }
      if (onPath.has(cur.id)) {
        const cycleStart = path.findIndex((r) => r.id === cur!.id);
        const cycle = path.slice(cycleStart);
        const text = [...cycle.map((r) => r.id), cur.id].join(' -> ');
        for (const r of cycle) refuse(r, `parent cycle: ${text}`, r.def.parent!.pos);
        path.length = cycleStart;
        outcome = 'bad';
        reason = `parent ${cur.id} did not load (parent cycle)`;
        break;
      }
      path.push(cur);
      onPath.add(cur.id);
      const p: { id: number; pos: Pos } | undefined = cur.def.parent;
      if (!p) break;
      const parent = byId.get(p.id);
      if (!parent) {
        const exists = ruleDefs.has(p.id);
        refuse(cur, exists ? `parent ${p.id} did not load` : `parent ${p.id} is not defined`, p.pos);
        path.pop();
        outcome = 'bad';
        reason = `parent ${cur.id} did not load`;
        break;
      }
      cur = parent;
    }
    // Walk back down the chain: each rule inherits its parent's fate.
    for (let i = path.length - 1; i >= 0; i -= 1) {
      const r = path[i]!;
      if (outcome === 'bad') {
        refuse(r, reason, r.def.parent!.pos);
        reason = `parent ${r.id} did not load`;
      } else state.set(r.id, 'ok');
    }
  }
  for (const r of byId.values()) {
    if (r.def.parent) {
      r.parent = byId.get(r.def.parent.id);
      r.parent?.children.push(r);
    }
  }

  // 7. Active tree: enabled rules whose ancestors are all enabled.
  const isActive = (r: CompiledRule): boolean => {
    for (let c: CompiledRule | undefined = r; c; c = c.parent) if (!c.def.enabled) return false;
    return true;
  };
  let active = 0;
  const roots: CompiledRule[] = [];
  for (const r of byId.values()) {
    if (r.def.enabled && r.parent && !isActive(r.parent)) {
      issue(r.def.file, r.def.parent!.pos, `parent ${r.parent.id} is disabled, so this rule never runs`, 'warning', r.id);
    }
    r.children = r.children.filter((c) => c.def.enabled).sort(SIBLING_ORDER);
    if (isActive(r)) {
      active += 1;
      if (!r.parent) roots.push(r);
    }
  }
  roots.sort(SIBLING_ORDER);

  const infos: RuleInfo[] = allDefs.map((d) => {
    const info: RuleInfo = {
      id: d.id,
      level: d.level,
      description: d.description,
      groups: d.groups,
      mitre: d.mitre,
      enabled: d.enabled,
      file: d.file,
      line: d.pos.line,
      overridden: d.overridden,
      runtimeErrors: 0,
    };
    if (d.parent) info.parent = d.parent.id;
    if (d.error !== undefined) info.error = d.error;
    return info;
  });

  return { memos: shared.memos, byId, roots, index: new RootIndex(roots, opts.useIndex !== false), infos, issues: dedupe(issues), files: files.length, active };
}

function dedupe(issues: LoadIssue[]): LoadIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.severity}:${i.file}:${i.line}:${i.column}:${i.ruleId ?? ''}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

type RuleIssue = (loc: Loc, message: string, severity: 'error' | 'warning', file?: string) => void;

const SET_COMPS = new Set(['in', 'intersects', 'in_cidr']);

function compileRule(def: RuleDef, env: ExpandEnv, knownFields: readonly string[], shared: SharedTests, report: RuleIssue): CompiledRule | undefined {
  const fail = (loc: Loc, message: string, file?: string): undefined => {
    def.error = message;
    report(loc, message, 'error', file);
    return undefined;
  };
  const ruleLoc: Loc = { map: () => def.pos, offset: 0 };

  let node: Node | undefined;
  let test: Pred = () => true;
  let trace: TracePred = () => true;
  if (def.condition) {
    const { text, map } = def.condition;
    try {
      node = expandCondition(parseCondition(text), text, map, env);
      const c = compileCondition(node, shared);
      test = c.test;
      trace = c.trace;
    } catch (e) {
      if (e instanceof ParseError) return fail({ map, offset: e.offset }, e.message);
      if (e instanceof ConditionError) return fail(e.loc, e.message);
      throw e;
    }
  } else if (!def.parent) {
    return fail(ruleLoc, "a rule without 'parent' needs a 'condition'");
  }

  // Exceptions written in the rule refuse the rule when broken; exceptions added by a local
  // override are dropped alone, so a typo in the user's tuning never silences a shipped rule.
  const specs: ExceptionSpec[] = [];
  for (const e of def.exceptions) {
    const fromOverride = e.file !== def.file;
    try {
      const spec = exceptionSpec(e, env, knownFields, (loc, msg) => report(loc, msg, 'warning', e.file));
      compileExceptions([spec]);
      specs.push(spec);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      const message = `exception '${e.name}': ${err.message}`;
      if (!fromOverride) return fail(err.loc, message, e.file);
      report(err.loc, `${message}; this override exception is ignored`, 'error', e.file);
    }
  }

  const tplIssues: { offset: number; message: string }[] = [];
  const tpl = compileTemplate(def.description, tplIssues);
  for (const t of tplIssues) report({ map: def.descriptionMap, offset: t.offset }, `description: ${t.message}`, 'warning');
  for (const f of tpl.fields) {
    if (!isKnownField(f.path, knownFields)) report({ map: def.descriptionMap, offset: f.offset }, `description uses field '${f.path}', which no known source produces`, 'warning');
  }
  for (const { field, loc } of def.fieldLocs) {
    if (!isKnownField(field, knownFields)) report(loc, `field '${field}' is not produced by any known source`, 'warning');
  }

  const hash = createHash('sha1')
    .update(
      JSON.stringify({
        c: def.condition?.text ?? null,
        p: def.parent?.id ?? null,
        f: def.frequency ?? null,
        t: def.timeframeMs ?? null,
        s: def.same,
        d: def.different,
        i: def.ignoreMs ?? null,
        e: def.exceptions.map((x) => x.canonical),
      }),
    )
    .digest('hex')
    .slice(0, 12);

  const rule: CompiledRule = {
    id: def.id,
    level: def.level,
    def,
    test,
    trace,
    exceptionNames: specs.map((s) => s.name),
    template: tpl.render,
    groups: def.groups,
    mitre: def.mitre,
    same: def.same.map(compileField),
    different: def.different.map(compileField),
    stateKey: `${def.id}:${hash}`,
    children: [],
    guards: def.parent ? {} : findGuards(node),
    seen: 0,
    runtimeErrors: 0,
  };
  const exc = compileExceptions(specs);
  if (exc) rule.exceptions = exc;
  if (def.frequency !== undefined) rule.frequency = def.frequency;
  if (def.timeframeMs !== undefined) rule.timeframeMs = def.timeframeMs;
  if (def.ignoreMs !== undefined) rule.ignoreMs = def.ignoreMs;
  return rule;
}

function exceptionSpec(e: ExceptionDef, env: ExpandEnv, knownFields: readonly string[], warn: (loc: Loc, msg: string) => void): ExceptionSpec {
  e.fields.forEach((f, i) => {
    if (!isKnownField(f, knownFields)) warn(e.fieldLocs[i] ?? e.loc, `field '${f}' is not produced by any known source`);
  });
  const rows = e.rows.map((row) =>
    row.map((cell, i) => {
      const comp = e.comps[i]!;
      if (Array.isArray(cell.value)) return { values: cell.value, listGiven: true, loc: cell.loc };
      if (typeof cell.value === 'string' && SET_COMPS.has(comp) && env.lists.has(cell.value)) {
        const items = env.lists.get(cell.value);
        if (items === null || items === undefined) throw new ConditionError(`list '${cell.value}' did not load`, cell.loc);
        return { values: items, listGiven: true, loc: cell.loc };
      }
      return { values: [cell.value], listGiven: false, loc: cell.loc };
    }),
  );
  return { name: e.name, fields: e.fields, comps: e.comps, rows, loc: e.loc };
}
