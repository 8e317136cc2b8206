// The subset of Grafana's dashboard JSON model that the Shipwatch dashboards use. Written out here
// (rather than imported from @grafana/schema) so that the generator runs with plain Node and the
// JSON stays exactly what we build, field by field.

export type DatasourceKind = 'prometheus' | 'loki';

/** A reference to the datasource chosen in the dashboard's `DS_*` variable (never a fixed UID). */
export interface DatasourceRef {
  type: DatasourceKind;
  uid: string;
}

export interface Target {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat?: string;
  /** Prometheus: range or instant query. */
  range?: boolean;
  instant?: boolean;
  format?: 'time_series' | 'table';
  /** Loki: `range` for graphs and logs, `instant` for tables and stats over the dashboard range. */
  queryType?: 'range' | 'instant';
  editorMode?: 'code';
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DatasourceRef;
  targets?: Target[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  transformations?: unknown[];
  collapsed?: boolean;
  panels?: Panel[];
}

export interface Variable {
  name: string;
  label?: string;
  type: 'datasource' | 'query' | 'custom' | 'textbox' | 'interval';
  description?: string;
  query: unknown;
  definition?: string;
  datasource?: DatasourceRef;
  current?: Record<string, unknown>;
  options?: unknown[];
  includeAll?: boolean;
  allValue?: string;
  multi?: boolean;
  refresh?: number;
  regex?: string;
  sort?: number;
  hide?: number;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Bumped by the generator whenever the rest of the dashboard changes (see revisions.ts). */
  revision?: number;
  id: null;
  editable: boolean;
  graphTooltip: number;
  schemaVersion: number;
  time: { from: string; to: string };
  refresh: string;
  timezone: string;
  links: unknown[];
  annotations: { list: unknown[] };
  templating: { list: Variable[] };
  panels: Panel[];
}
