// Local overrides change shipped rules without editing shipped files, so an upgrade that replaces
// rules/ keeps the user's tuning. They apply after every file is read, in file order; a later
// override of the same setting wins, exceptions and list items accumulate.

import type { Scalar } from './ast.js';
import type { MacroDef } from './expand.js';
import type { FileDefs, RuleDef } from './schema.js';

type Issue = (file: string, pos: { line: number; column: number }, message: string, severity: 'error' | 'warning', ruleId?: number) => void;

export function applyListOverrides(files: FileDefs[], lists: Map<string, Scalar[] | null>, issue: Issue): void {
  for (const f of files) {
    for (const ov of f.listOverrides) {
      const cur = lists.get(ov.name);
      if (cur === undefined) {
        issue(f.file, ov.pos, `no list '${ov.name}' to override; ignored`, 'warning');
        continue;
      }
      if (cur === null) {
        issue(f.file, ov.pos, `list '${ov.name}' did not load; override ignored`, 'warning');
        continue;
      }
      lists.set(ov.name, ov.mode === 'append' ? [...cur, ...ov.items] : [...ov.items]);
    }
  }
}

export function applyMacroOverrides(files: FileDefs[], macros: Map<string, MacroDef & { file: string }>, issue: Issue): void {
  for (const f of files) {
    for (const ov of f.macroOverrides) {
      if (!macros.has(ov.name)) {
        issue(f.file, ov.pos, `no macro '${ov.name}' to override; ignored`, 'warning');
        continue;
      }
      macros.set(ov.name, { name: ov.name, text: ov.text, map: ov.map, file: ov.file });
    }
  }
}

export function applyRuleOverrides(files: FileDefs[], rules: Map<number, RuleDef>, issue: Issue): void {
  for (const f of files) {
    for (const ov of f.ruleOverrides) {
      const rule = rules.get(ov.id);
      if (!rule) {
        issue(f.file, ov.pos, `no rule ${ov.id} to override; ignored`, 'warning', ov.id);
        continue;
      }
      if (ov.enabled !== undefined) rule.enabled = ov.enabled;
      if (ov.level !== undefined) rule.level = ov.level;
      for (const e of ov.exceptions) {
        if (rule.exceptions.some((x) => x.name === e.name)) {
          issue(f.file, e.loc.map(e.loc.offset), `rule ${ov.id} already has an exception '${e.name}'; rename it`, 'error', ov.id);
          continue;
        }
        rule.exceptions.push(e);
      }
      rule.overridden = true;
    }
  }
}
