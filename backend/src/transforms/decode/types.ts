// Shapes produced by the application log decoders. Every field name follows DESIGN.md §3 (Elastic /
// OpenTelemetry habits); the few additions are documented where they are produced.

/** What a log line was recognised as (`log.format`). */
export type LogFormat = 'json' | 'logfmt' | 'nginx' | 'apache' | 'syslog' | 'sshd' | 'plain';

/** Normalized `log.level`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A flat value kept under `log.fields` (JSON and logfmt lines). */
export type FieldValue = string | number | boolean | null | Array<string | number | boolean | null>;

export interface DecodedLogMeta {
  format: LogFormat;
  level?: LogLevel;
  /** The line's own timestamp, canonical RFC 3339 with nine digits, when it carries a full one. */
  time?: string;
  /** `message repeated N times: [ ... ]` (syslog): the line stands for N occurrences. */
  repeat_count?: number;
  /** JSON / logfmt keys that are not one of the aliases, flat (nested JSON as dotted keys), bounded. */
  fields?: Record<string, FieldValue>;
  /** True when the JSON / logfmt bounds dropped some fields (see fields.ts). */
  fields_truncated?: boolean;
  /** Text after the user agent in an access log line (extra `log_format` fields), unparsed. */
  extra?: string;
  syslog?: {
    /** The header timestamp as written (`Dec 10 06:55:46`, or RFC 3339 for high-precision syslog). */
    timestamp: string;
    hostname?: string;
    appname?: string;
    priority?: number;
  };
}

export interface DecodedLog {
  log: DecodedLogMeta;
  /** The human message of a JSON / logfmt line (its msg/message field), or a syslog line's message. */
  message?: string;
  /** sshd only: a normalized action (`ssh_auth_failed`, `ssh_invalid_user`, ...) and outcome. */
  event?: { action?: string; outcome?: 'success' | 'failure' };
  http?: {
    request?: { method?: string; referrer?: string; line?: string };
    response?: { status_code?: number; body?: { bytes?: number } };
    version?: string;
  };
  url?: {
    original?: string;
    path?: string;
    query?: string;
    domain?: string;
    /** True when a second (or third) round of percent-decoding still changed the path or query. */
    double_encoded?: boolean;
  };
  source?: { ip?: string; port?: number; domain?: string };
  user_agent?: { original: string };
  user?: { name: string };
  process?: { name?: string; pid?: number };
  auth?: {
    outcome?: 'success' | 'failure';
    method?: string;
    invalid_user?: boolean;
    /** `PAM N more authentication failures`: N. */
    failures?: number;
  };
  ssh?: {
    preauth?: boolean;
    /** reverse-mapping / address-mismatch lines ("POSSIBLE BREAK-IN ATTEMPT!"). */
    break_in_attempt?: boolean;
    disconnect_code?: number;
    disconnect_reason?: string;
    protocol?: string;
    key_type?: string;
    key_fingerprint?: string;
  };
  error?: { message?: string };
}
