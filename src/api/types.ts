// JSON shapes of the collector's REST API (backend/src/api/routes/*.ts), as the plugin reads them.
// Fields the plugin does not use are still listed where the collector always sends them, so a
// change on the collector side shows up here in review.

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type EventSource = 'docker' | 'kubernetes' | 'k8s_audit' | 'log' | 'metric' | 'collector';

/** A normalized event (DESIGN §3): nested objects, addressed by dotted paths. */
export interface ShipEvent {
  event: {
    id: string;
    time: string;
    source: EventSource;
    action: string;
    reconciled?: boolean;
    [k: string]: unknown;
  };
  host?: { name: string; [k: string]: unknown };
  container?: {
    id?: string;
    name?: string;
    image?: string;
    compose?: { project?: string; service?: string };
    [k: string]: unknown;
  };
  k8s?: { namespace?: string; pod?: string; node?: string; [k: string]: unknown };
  log?: { stream?: string; message?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface AlertRuleRef {
  id: number;
  level: number;
  description: string;
  groups: string[];
  mitre: string[];
}

export interface Alert {
  id: string;
  time: string;
  rule: AlertRuleRef;
  severity: Severity;
  count: number;
  event: ShipEvent;
}

/** A page of a newest-first list; `next_cursor` is null on the last page. */
export interface AlertsPage {
  alerts: Alert[];
  next_cursor: string | null;
}

export interface EventsPage {
  events: ShipEvent[];
  next_cursor: string | null;
}

/** Query of `GET /alerts`. Times are RFC 3339 or a duration back from now (`15m`, `24h`, `7d`). */
export interface AlertQuery {
  since?: string;
  until?: string;
  min_level?: number;
  severity?: Severity[];
  rule_id?: number;
  group?: string;
  container?: string;
  limit?: number;
  cursor?: string;
}

export interface EventQuery {
  source?: EventSource;
  container?: string;
  since?: string;
  until?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface AlertStats {
  total: number;
  by_severity: Record<Severity, number>;
  by_rule: Array<{ rule_id: number; count: number }>;
  by_group: Array<{ group: string; count: number }>;
  by_container: Array<{ container: string; count: number }>;
}

export interface PostureFinding {
  id: string;
  severity: Severity;
  message: string;
}

/** The latest resource sample of a running container (percent as in `docker stats`). */
export interface ContainerMetrics {
  cpu_percent?: number;
  memory_working_set_bytes?: number;
  memory_limit_bytes?: number;
  memory_percent?: number;
  network_rx_bytes_per_second?: number;
  network_tx_bytes_per_second?: number;
  pids?: number;
}

export interface Container {
  id: string;
  name: string | null;
  image: string | null;
  image_id: string | null;
  state: string;
  health: string | null;
  exit_code: number | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  labels: Record<string, string>;
  compose: { project: string | null; service: string | null };
  /** Posture fields from inspect (privileged, cap_add, mounts, ...). */
  config: Record<string, unknown>;
  posture: PostureFinding[];
  metrics: ContainerMetrics | null;
}

export interface ContainersResponse {
  containers: Container[];
}

export interface LoadIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  ruleId?: number;
  severity: 'error' | 'warning';
}

export interface Rule {
  id: number;
  level: number;
  description: string;
  groups: string[];
  mitre: string[];
  enabled: boolean;
  file: string;
  line: number;
  overridden: boolean;
  parent?: number;
  /** Set when the rule was refused; it then never runs. */
  error?: string;
  runtimeErrors: number;
  source: 'shipped' | 'local';
  /** The rule as written in its file (its item of the `rules` list). */
  yaml?: string;
}

export interface RulesResponse {
  rules: Rule[];
  issues: LoadIssue[];
}

export interface LocalRuleFile {
  name: string;
  yaml: string;
}

export interface LocalRulesResponse {
  files: LocalRuleFile[];
}

export interface ValidationMessage {
  line: number;
  column: number;
  message: string;
}

/** Answer of `POST /rules/validate` and `PUT /rules/local/{name}`. */
export interface ValidationResult {
  ok: boolean;
  errors: ValidationMessage[];
  warnings: ValidationMessage[];
}

export interface ClauseTrace {
  clause: string;
  field?: string;
  op?: string;
  value?: unknown;
  missing?: boolean;
  result: boolean;
  macro?: string;
}

export interface RuleTrace {
  ruleId: number;
  level: number;
  parent?: number;
  conditionMatched: boolean;
  exception?: string;
  correlation?: { count: number; frequency: number; timeframe: string; reached: boolean };
  matched: boolean;
  outcome?: 'alert' | 'suppressed' | 'silent';
  error?: string;
  clauses: ClauseTrace[];
}

/** One result per input event, in order; an input that is not an event gets an error. */
export type RuleTestResult = { alerts: Alert[]; trace: RuleTrace[] } | { error: string };

export interface RuleTestResponse {
  results: RuleTestResult[];
}

/**
 * Body of a 422 from `POST /rules/test` or `PUT /rules/local/{name}`: the error plus the
 * validation result, when the YAML does not load.
 */
export interface RuleRejection extends Partial<ValidationResult> {
  error: string;
}

/** One source's status; each source adds its own counters, these are the fields the plugin reads. */
export interface SourceStatus {
  enabled?: boolean;
  connected?: boolean;
  state?: string;
  endpoint?: string;
  last_error?: string | { time: string; message: string } | null;
  [k: string]: unknown;
}

export interface LokiHealth {
  enabled: boolean;
  url?: string;
  queued_entries: number;
  queued_bytes: number;
  last_success: string | null;
  last_error: { time: string; message: string } | null;
  retrying: boolean;
}

export interface RulesStatus {
  rules: number;
  active: number;
  errors: number;
  warnings: number;
  reloads: number;
  issues: LoadIssue[];
  [k: string]: unknown;
}

/**
 * `GET /health`. `sources` maps a source name to its status, or to a group of statuses
 * (`k8s_audit: {webhook, file}`).
 */
export interface Health {
  status: 'ok' | 'degraded' | 'stopping';
  version: string;
  sources: Record<string, SourceStatus | Record<string, SourceStatus>>;
  sinks: {
    store?: { path: string; bytes: number; events: number; alerts: number };
    loki?: LokiHealth;
    [k: string]: unknown;
  };
  rules?: RulesStatus;
}

/** The collector's error body: every 4xx/5xx answer carries `error`. */
export interface CollectorErrorBody {
  error: string;
}
