import type { LocalRuleFile } from '../../api/types';

/**
 * The local file this page writes enable/disable and level overrides of shipped rules into.
 * Overrides apply in file-name order and the later one wins, so the name sorts after the usual
 * hand-written names: a click on this page is the user's latest word.
 */
export const OVERRIDES_FILE = 'zz-rules-page-overrides.yaml';

export interface RuleOverride {
  id: number;
  enabled?: boolean;
  level?: number;
}

export interface OverrideChange {
  /** null removes the key from the override. */
  enabled?: boolean | null;
  level?: number | null;
}

const HEADER = [
  '# Written by the Rules page of the Shipwatch app: enable/disable and level overrides of shipped rules.',
  '# The page reads this file back as JSON (which is YAML too): keep it JSON when editing it by hand,',
  '# and put other overrides (exceptions, lists, macros) in a file of your own.',
];

export class OverrideFileError extends Error {}

function isOverride(value: unknown): value is RuleOverride {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const o = value as Record<string, unknown>;
  const keysKnown = Object.keys(o).every((k) => k === 'id' || k === 'enabled' || k === 'level');
  return (
    keysKnown &&
    Number.isInteger(o.id) &&
    (o.enabled === undefined || typeof o.enabled === 'boolean') &&
    (o.level === undefined || Number.isInteger(o.level))
  );
}

/** The overrides of the page's file; none when the file does not exist yet. */
export function readOverrides(file: LocalRuleFile | undefined): RuleOverride[] {
  if (!file) {
    return [];
  }
  const json = file.yaml
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new OverrideFileError(
      `${file.name} is no longer the JSON this page writes (${err instanceof Error ? err.message : String(err)}); fix it under Local files`
    );
  }
  const rules = (doc as { overrides?: { rules?: unknown } } | null)?.overrides?.rules;
  if (!Array.isArray(rules) || !rules.every(isOverride)) {
    throw new OverrideFileError(`${file.name} holds more than rule enable/level overrides; fix it under Local files`);
  }
  return rules;
}

/** The list with `change` applied to rule `id`; an override left without changes is dropped. */
export function applyOverride(list: RuleOverride[], id: number, change: OverrideChange): RuleOverride[] {
  const current: RuleOverride = list.find((o) => o.id === id) ?? { id };
  const next: RuleOverride = { ...current };
  for (const key of ['enabled', 'level'] as const) {
    const value = change[key];
    if (value === null) {
      delete next[key];
    } else if (value !== undefined) {
      (next as unknown as Record<string, unknown>)[key] = value;
    }
  }
  const others = list.filter((o) => o.id !== id);
  const keep = next.enabled !== undefined || next.level !== undefined;
  return (keep ? [...others, next] : others).sort((a, b) => a.id - b.id);
}

export function renderOverrides(list: RuleOverride[]): string {
  const body = JSON.stringify({ overrides: { rules: list } }, null, 2);
  return `${HEADER.join('\n')}\n${body}\n`;
}

export function findOverride(list: RuleOverride[], id: number): RuleOverride | undefined {
  return list.find((o) => o.id === id);
}
