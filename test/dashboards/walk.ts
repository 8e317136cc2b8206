import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Reads the committed dashboard JSON files (what Grafana and the app plugin load) and lists every
// query in them, so that the tests check the files themselves, not the code that generated them.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DASHBOARD_DIR = path.join(ROOT, 'dashboards');

export const EXPECTED = {
  'container-resources': 'shipwatch-container-resources',
  'docker-engine': 'shipwatch-docker-engine',
  'security-alerts': 'shipwatch-security-alerts',
  'application-logs': 'shipwatch-application-logs',
  'kubernetes-audit': 'shipwatch-kubernetes-audit',
} as const;

export interface JsonDatasource {
  type?: string;
  uid?: string;
}
export interface JsonTarget {
  refId: string;
  expr?: string;
  datasource?: JsonDatasource;
  [k: string]: unknown;
}
export interface JsonPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: JsonDatasource;
  targets?: JsonTarget[];
  panels?: JsonPanel[];
  [k: string]: unknown;
}
export interface JsonVariable {
  name: string;
  type: string;
  query: unknown;
  definition?: string;
  datasource?: JsonDatasource;
  includeAll?: boolean;
  allValue?: string;
  options?: { value: string }[];
  [k: string]: unknown;
}
export interface JsonDashboard {
  uid: string;
  title: string;
  revision: number;
  panels: JsonPanel[];
  templating: { list: JsonVariable[] };
  [k: string]: unknown;
}

export function loadDashboards(): { name: string; file: string; text: string; json: JsonDashboard }[] {
  return Object.keys(EXPECTED).map((name) => {
    const file = path.join(DASHBOARD_DIR, `${name}.json`);
    const text = fs.readFileSync(file, 'utf8');
    return { name, file, text, json: JSON.parse(text) as JsonDashboard };
  });
}

export function allPanels(d: JsonDashboard): JsonPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface Query {
  dashboard: string;
  where: string;
  language: 'promql' | 'logql';
  expr: string;
}

/** The query language of a datasource reference: by its type, or by the DS_* variable it names. */
export function languageOf(ds: JsonDatasource | undefined): 'promql' | 'logql' | undefined {
  if (ds?.type === 'prometheus' || ds?.uid === '${DS_PROMETHEUS}') return 'promql';
  if (ds?.type === 'loki' || ds?.uid === '${DS_LOKI}') return 'logql';
  return undefined;
}

/**
 * Every panel target, plus the selector inside each `label_values(<selector>, <label>)` variable
 * query (a series selector for Prometheus, a stream selector for Loki).
 */
export function queriesOf(name: string, d: JsonDashboard): Query[] {
  const out: Query[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      const language = languageOf(t.datasource ?? p.datasource);
      if (!language) throw new Error(`${name}: panel "${p.title}" target ${t.refId} has no Prometheus or Loki datasource`);
      if (typeof t.expr !== 'string' || t.expr.trim() === '') throw new Error(`${name}: panel "${p.title}" target ${t.refId} has no expr`);
      out.push({ dashboard: name, where: `panel "${p.title}" ${t.refId}`, language, expr: t.expr });
    }
  }
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const language = languageOf(v.datasource);
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.definition ?? '');
    if (!language || !m) throw new Error(`${name}: variable ${v.name} is not a label_values() query on Prometheus or Loki: ${v.definition}`);
    out.push({ dashboard: name, where: `variable ${v.name}`, language, expr: m[1]! });
  }
  return out;
}

/** Values for a dashboard's own variables: the first option of custom ones, `value` for the rest. */
export function variableValues(d: JsonDashboard, value: (v: JsonVariable) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of d.templating.list) out[v.name] = value(v);
  return out;
}
