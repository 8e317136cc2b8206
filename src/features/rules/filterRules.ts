import type { Rule, Severity } from '../../api/types';

/** Level 0 groups or silences events and never alerts, so it has no severity (DESIGN §4). */
export type LevelBucket = Severity | 'silent';

export function levelBucket(level: number): LevelBucket {
  if (level <= 0) {
    return 'silent';
  }
  if (level <= 3) {
    return 'low';
  }
  if (level <= 7) {
    return 'medium';
  }
  return level <= 11 ? 'high' : 'critical';
}

export type Tristate = 'all' | 'yes' | 'no';

export interface RuleFilter {
  search: string;
  group?: string;
  level?: LevelBucket;
  enabled: Tristate;
  overridden: Tristate;
  source: 'all' | 'shipped' | 'local';
}

export const NO_FILTER: RuleFilter = { search: '', enabled: 'all', overridden: 'all', source: 'all' };

function matchesTristate(value: boolean, want: Tristate): boolean {
  return want === 'all' || (want === 'yes') === value;
}

/** Free text matches the id, description, groups, MITRE ids and file name, ignoring case. */
function matchesSearch(rule: Rule, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return true;
  }
  const text = [String(rule.id), rule.description, ...rule.groups, ...rule.mitre, rule.file].join(' ').toLowerCase();
  return words.every((w) => text.includes(w));
}

export function filterRules(rules: Rule[], f: RuleFilter): Rule[] {
  return rules.filter(
    (r) =>
      matchesSearch(r, f.search) &&
      (f.group === undefined || r.groups.includes(f.group)) &&
      (f.level === undefined || levelBucket(r.level) === f.level) &&
      matchesTristate(r.enabled, f.enabled) &&
      matchesTristate(r.overridden, f.overridden) &&
      (f.source === 'all' || r.source === f.source)
  );
}

/** Every group any rule carries, sorted, for the group filter. */
export function ruleGroups(rules: Rule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.groups))].sort();
}

/** The file name without its directory: the API sends absolute paths of the collector's host. */
export function fileBaseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Users' rules take ids from 200000 (rules/README.md); suggest the next free one. */
export function nextLocalRuleId(rules: Rule[]): number {
  return Math.max(199_999, ...rules.map((r) => r.id)) + 1;
}
