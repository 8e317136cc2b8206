import type { Dashboard, DatasourceKind, DatasourceRef, Panel, Target, Variable } from './model.js';

// Small constructors for the dashboard JSON: every dashboard picks its Prometheus and Loki through
// datasource variables, so the JSON never names a datasource UID and works on any Grafana.

export const PROM: DatasourceRef = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
export const LOKI: DatasourceRef = { type: 'loki', uid: '${DS_LOKI}' };

/** Grafana's current schema version for 12.x dashboards (older Grafanas migrate it on load). */
const SCHEMA_VERSION = 41;

export function datasourceVariable(kind: DatasourceKind): Variable {
  const name = kind === 'prometheus' ? 'DS_PROMETHEUS' : 'DS_LOKI';
  return { name, label: kind === 'prometheus' ? 'Prometheus' : 'Loki', type: 'datasource', query: kind, current: {}, options: [], refresh: 1, regex: '', hide: 0 };
}

interface QueryVariableOptions {
  name: string;
  label: string;
  /** What “All” stands for in the queries: `.+` where the label must exist, `.*` where it may be absent. */
  allValue: '.*' | '.+';
  description?: string;
}

/** A multi-value variable over a Prometheus label: `label_values(<selector>, <label>)`. */
export function promLabelVariable(o: QueryVariableOptions & { selector: string; labelName: string }): Variable {
  const definition = `label_values(${o.selector}, ${o.labelName})`;
  return {
    name: o.name, label: o.label, type: 'query', datasource: PROM, definition, description: o.description,
    // The classic string form: every Grafana version reads it (newer ones convert it in the editor).
    query: definition,
    includeAll: true, allValue: o.allValue, multi: true, refresh: 2, sort: 1, regex: '', current: { text: ['All'], value: ['$__all'] }, options: [], hide: 0,
  };
}

/** A multi-value variable over a Loki stream label, limited to the streams `selector` selects. */
export function lokiLabelVariable(o: QueryVariableOptions & { selector: string; labelName: string }): Variable {
  return {
    name: o.name, label: o.label, type: 'query', datasource: LOKI, definition: `label_values(${o.selector}, ${o.labelName})`, description: o.description,
    query: { type: 1, label: o.labelName, stream: o.selector, refId: 'LokiVariableQueryEditor-VariableQuery' },
    includeAll: true, allValue: o.allValue, multi: true, refresh: 2, sort: 1, regex: '', current: { text: ['All'], value: ['$__all'] }, options: [], hide: 0,
  };
}

export function customVariable(o: QueryVariableOptions & { values: string[] }): Variable {
  return {
    name: o.name, label: o.label, type: 'custom', query: o.values.join(','), description: o.description,
    includeAll: true, allValue: o.allValue, multi: true, current: { text: ['All'], value: ['$__all'] },
    options: o.values.map((v) => ({ text: v, value: v, selected: false })), hide: 0,
  };
}

export function textboxVariable(name: string, label: string, description: string, value = ''): Variable {
  return { name, label, type: 'textbox', query: value, description, current: { text: value, value }, options: [], hide: 0 };
}

/** Table panels of instant queries: one row per series, its last value. */
export const REDUCE_TO_LAST = [{ id: 'reduce', options: { reducers: ['lastNotNull'] } }];

export function prom(expr: string, legendFormat = '', refId = 'A'): Target {
  return { refId, datasource: PROM, expr, legendFormat, range: true, instant: false, editorMode: 'code' };
}

/** An instant Prometheus query as a table (one row per series). */
export function promTable(expr: string, refId = 'A'): Target {
  return { refId, datasource: PROM, expr, range: false, instant: true, format: 'table', editorMode: 'code' };
}

export function loki(expr: string, legendFormat = '', refId = 'A'): Target {
  return { refId, datasource: LOKI, expr, legendFormat, queryType: 'range', editorMode: 'code' };
}

export function lokiInstant(expr: string, legendFormat = '', refId = 'A'): Target {
  return { refId, datasource: LOKI, expr, legendFormat, queryType: 'instant', editorMode: 'code' };
}

/** Targets A, B, C... from [expr, legend] pairs. */
export function targets(make: (expr: string, legend: string, refId: string) => Target, list: [string, string][]): Target[] {
  return list.map(([expr, legend], i) => make(expr, legend, String.fromCharCode(65 + i)));
}

/** A panel before layout: its size, the rest as Grafana wants it. */
export type PanelSpec = Omit<Panel, 'id' | 'gridPos'> & { w: number; h: number };

function ds(t: Target[]): DatasourceRef | undefined {
  return t[0]?.datasource;
}

export function timeseries(title: string, unit: string, t: Target[], extra: { description?: string; w?: number; h?: number; stack?: boolean; max?: number } = {}): PanelSpec {
  return {
    type: 'timeseries', title, description: extra.description, w: extra.w ?? 12, h: extra.h ?? 8, datasource: ds(t), targets: t,
    fieldConfig: {
      defaults: {
        unit, ...(extra.max !== undefined ? { max: extra.max } : {}),
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: extra.stack ? 30 : 10, showPoints: 'never', spanNulls: false, stacking: { mode: extra.stack ? 'normal' : 'none', group: 'A' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max', 'lastNotNull'], showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

/** Bars per interval: for event counts (count_over_time), where a line would suggest a rate. */
export function bars(title: string, t: Target[], extra: { description?: string; w?: number; h?: number } = {}): PanelSpec {
  const p = timeseries(title, 'short', t, { ...extra, stack: true });
  const custom = (p.fieldConfig!.defaults.custom as Record<string, unknown>);
  custom.drawStyle = 'bars';
  custom.fillOpacity = 80;
  return p;
}

export function stat(title: string, unit: string, t: Target[], extra: { description?: string; w?: number; h?: number; thresholds?: [number, string][]; colorMode?: 'value' | 'background' } = {}): PanelSpec {
  const steps = [{ color: 'green', value: null }, ...(extra.thresholds ?? []).map(([value, color]) => ({ color, value }))];
  return {
    type: 'stat', title, description: extra.description, w: extra.w ?? 6, h: extra.h ?? 4, datasource: ds(t), targets: t,
    fieldConfig: { defaults: { unit, thresholds: { mode: 'absolute', steps }, color: { mode: 'thresholds' } }, overrides: [] },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: extra.colorMode ?? 'value', graphMode: 'area', textMode: 'auto', justifyMode: 'auto', orientation: 'auto' },
  };
}

export function barGauge(title: string, unit: string, t: Target[], extra: { description?: string; w?: number; h?: number } = {}): PanelSpec {
  return {
    type: 'bargauge', title, description: extra.description, w: extra.w ?? 8, h: extra.h ?? 8, datasource: ds(t), targets: t,
    fieldConfig: { defaults: { unit, color: { mode: 'continuous-GrYlRd' }, min: 0 }, overrides: [] },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true },
  };
}

export function table(title: string, t: Target[], extra: { description?: string; w?: number; h?: number; transformations?: unknown[] } = {}): PanelSpec {
  return {
    type: 'table', title, description: extra.description, w: extra.w ?? 12, h: extra.h ?? 8, datasource: ds(t), targets: t,
    fieldConfig: { defaults: { custom: { align: 'auto', filterable: true } }, overrides: [] },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false } },
    transformations: extra.transformations ?? [],
  };
}

export function logs(title: string, t: Target[], extra: { description?: string; w?: number; h?: number } = {}): PanelSpec {
  return {
    type: 'logs', title, description: extra.description, w: extra.w ?? 24, h: extra.h ?? 12, datasource: ds(t), targets: t,
    options: { showTime: true, wrapLogMessage: true, prettifyLogMessage: false, enableLogDetails: true, sortOrder: 'Descending', dedupStrategy: 'none' },
  };
}

export function row(title: string): PanelSpec {
  return { type: 'row', title, w: 24, h: 1, collapsed: false, panels: [] };
}

/** Places panels left to right, wrapping at Grafana's 24 columns; rows start a new line. Ids in order. */
export function layout(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, i) => {
    const { w, h, ...rest } = spec;
    if (spec.type === 'row' || x + w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const panel: Panel = { id: i + 1, ...rest, gridPos: { h, w, x, y } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    if (spec.type === 'row') {
      y += h;
      x = 0;
      rowHeight = 0;
    }
    // Keep the JSON free of `undefined` holes (description is optional).
    if (panel.description === undefined) delete panel.description;
    return panel;
  });
}

export function dashboard(o: { uid: string; title: string; description: string; tags: string[]; variables: Variable[]; panels: PanelSpec[]; from?: string }): Dashboard {
  return {
    uid: o.uid, title: o.title, description: o.description, tags: ['shipwatch', ...o.tags], id: null, editable: true, graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION, time: { from: o.from ?? 'now-6h', to: 'now' }, refresh: '1m', timezone: 'browser',
    links: [{ type: 'dashboards', tags: ['shipwatch'], asDropdown: true, title: 'Shipwatch', includeVars: false, keepTime: true }],
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
    templating: { list: o.variables.map(clean) },
    panels: layout(o.panels),
  };
}

function clean<T extends object>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
