// Validation for the API: a file is checked in the context of the rules already loaded, so a
// child can name a shipped parent and use shipped lists and macros, and a clash of ids is caught.

import { basename } from 'node:path';
import type { DetectionEngine } from './engine.js';
import { buildRuleSet } from './loader.js';
import type { EngineOptions, Origin, RuleFile } from './types.js';

export interface ValidationMessage {
  line: number;
  column: number;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: ValidationMessage[];
  warnings: ValidationMessage[];
}

export interface ValidationContext extends EngineOptions {
  /** Rules to validate against; the engine's local file of the same base name is replaced. */
  engine?: DetectionEngine;
  /** Default 'local': what the API saves. */
  origin?: Origin;
}

export function validateRulesYaml(text: string, fileName: string, context: ValidationContext = {}): ValidationResult {
  const origin = context.origin ?? 'local';
  const base = basename(fileName);
  const others = (context.engine?.sourceFiles() ?? []).filter((f) => !(f.name === fileName || ((f.origin ?? 'shipped') === origin && basename(f.name) === base)));
  const files: RuleFile[] = [...others, { name: fileName, text, origin }];
  const set = buildRuleSet(files, context);
  const errors: ValidationMessage[] = [];
  const warnings: ValidationMessage[] = [];
  for (const i of set.issues) {
    if (i.file !== fileName) continue;
    (i.severity === 'error' ? errors : warnings).push({ line: i.line, column: i.column, message: i.ruleId !== undefined ? `rule ${i.ruleId}: ${i.message}` : i.message });
  }
  return { ok: errors.length === 0, errors, warnings };
}
