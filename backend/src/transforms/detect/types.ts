// Shapes shared by the loader, the engine and the API layer.

export type Origin = 'shipped' | 'local';

export interface RuleFile {
  name: string;
  text: string;
  /** Overrides are accepted from local files only; shipped files are never edited by users. */
  origin?: Origin;
}

export interface LoadIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  ruleId?: number;
  severity: 'error' | 'warning';
}

export interface LoadReport {
  files: number;
  rules: number;
  active: number;
  errors: number;
  warnings: number;
  issues: LoadIssue[];
}

export interface RuleInfo {
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
  /** Set when the rule was refused; the rule then never runs. */
  error?: string;
  runtimeErrors: number;
}

export interface ClauseTrace {
  /** Source text of the comparison, as written in the rule or the macro. */
  clause: string;
  field?: string;
  op?: string;
  /** What the field held (long strings, big arrays and objects are summarized). */
  value?: unknown;
  missing?: boolean;
  result: boolean;
  /** Name of the macro the clause came from, when it came from one. */
  macro?: string;
}

export interface CorrelationTrace {
  count: number;
  frequency: number;
  timeframe: string;
  reached: boolean;
}

export interface RuleTrace {
  ruleId: number;
  level: number;
  parent?: number;
  /** The condition alone (before exceptions and correlation). */
  conditionMatched: boolean;
  /** Name of the exception that removed the event, if one did. */
  exception?: string;
  correlation?: CorrelationTrace;
  /** Condition, exceptions and correlation all passed. */
  matched: boolean;
  /** Set on the deepest matching rule of a tree: what became of the match. */
  outcome?: 'alert' | 'suppressed' | 'silent';
  error?: string;
  clauses: ClauseTrace[];
}

export interface EngineOptions {
  /** Bound of the correlation/suppression state (keys across all rules); oldest keys go first. */
  maxCorrelationKeys?: number;
  /**
   * Field names rules may use without a warning. An entry ending with '.' is a prefix, any other
   * entry an exact name. Default: the families of DESIGN.md §3.
   */
  knownFields?: string[];
  /** False tries every root on every event; for tests that check the index skips nothing. */
  useIndex?: boolean;
}
