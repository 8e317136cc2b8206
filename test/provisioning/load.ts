import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

// Reads provisioning/ the way Grafana does (YAML, one document per file) and lists the alert rules'
// queries for the syntax and live checks.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PROVISIONING = path.join(ROOT, 'provisioning');

/** Parses one YAML file; throws with file:line:column on a syntax error or a duplicate key. */
export function readYaml<T = Record<string, unknown>>(file: string): T {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${path.relative(ROOT, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as T;
}

/** Every *.yaml / *.yml below provisioning/, relative to it. */
export function yamlFiles(dir = PROVISIONING): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export interface RuleQuery {
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: { refId: string; expr?: string; type?: string; expression?: string; conditions?: { evaluator: { type: string; params: number[] } }[]; [k: string]: unknown };
  refId: string;
}
export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: RuleQuery[];
  noDataState: string;
  execErrState: string;
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused?: boolean;
}
export interface RuleGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: AlertRule[];
}

export const rulesFile = () => readYaml<{ apiVersion: number; groups: RuleGroup[] }>(path.join(PROVISIONING, 'alerting/rules.yaml'));
export const datasourcesFile = () => readYaml<{ apiVersion: number; datasources: { name: string; uid: string; type: string; url: string; access: string; isDefault?: boolean; jsonData?: Record<string, unknown> }[] }>(path.join(PROVISIONING, 'datasources/shipwatch.yaml'));

/** The datasource type of each provisioned UID. */
export function datasourceTypes(): Map<string, string> {
  return new Map(datasourcesFile().datasources.map((d) => [d.uid, d.type]));
}

/** Every query of every provisioned alert rule, with its language from the datasource it names. */
export function alertRuleQueries(): { where: string; language: 'promql' | 'logql'; expr: string; rule: AlertRule }[] {
  const types = datasourceTypes();
  return rulesFile().groups.flatMap((g) => g.rules.flatMap((rule) => rule.data
    .filter((q) => q.datasourceUid !== '__expr__')
    .map((q) => {
      const type = types.get(q.datasourceUid);
      if (type !== 'prometheus' && type !== 'loki') throw new Error(`rule ${rule.uid} ${q.refId}: datasource ${q.datasourceUid} is not a provisioned Prometheus or Loki`);
      return { where: `rule ${rule.uid} ${q.refId}`, language: type === 'prometheus' ? 'promql' as const : 'logql' as const, expr: String(q.model.expr ?? ''), rule };
    })));
}

/** `${NAME}` / `$NAME` references in a text: the environment variables Grafana will interpolate. */
export function envReferences(text: string): string[] {
  return [...text.matchAll(/\$\{(\w+)\}|\$([A-Za-z_]\w*)/g)].map((m) => (m[1] ?? m[2])!);
}

/** Every string value in a parsed YAML document (comments are not values: Grafana never reads them). */
export function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringValues);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringValues);
  return [];
}

/**
 * The string values of a provisioning file that Grafana interpolates with the environment: all of
 * them, except alert rules' annotations and queries, which Grafana leaves alone (they hold
 * `{{ $labels.x }}` templates and query text).
 */
export function interpolatedStrings(relativeFile: string): string[] {
  const doc = readYaml<Record<string, unknown>>(path.join(PROVISIONING, relativeFile));
  if (relativeFile === 'alerting/rules.yaml') {
    const groups = (doc.groups as RuleGroup[]).map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, data: _d, ...rest }) => rest) }));
    return stringValues({ ...doc, groups });
  }
  return stringValues(doc);
}
