import type { Alert, ShipEvent } from '../../event/event.js';
import { eventJson } from '../../event/json.js';
import { digitsOnly, rfc3339ToNanos } from '../../event/time.js';
import { LABEL_NAME } from './config.js';

/** One Loki log entry as the outbox keeps it. */
export interface LokiEntry {
  /** The stream's label set as JSON text with a fixed key order (also the stream's identity). */
  stream: string;
  /** Unix nanoseconds as a decimal string: the source's time, never re-stamped. */
  ts: string;
  /** The event or alert as JSON; for a container log line, the line itself (logLine). */
  line: string;
  /** Structured metadata as JSON text (only when enabled and not empty). */
  meta: string | null;
}

/** Loki's default `max_label_value_length` is 2048; a longer value makes it refuse the whole push. */
const MAX_LABEL_VALUE = 1024;

const CANONICAL_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

// Events come in bursts within the same second: remember the last second's conversion.
let lastPrefix = '';
let lastSeconds = '';

/**
 * Unix nanoseconds of an event time. The canonical form (nine digits, Z) is split as text, which
 * is exact and several times faster than going through BigInt; anything else goes through
 * rfc3339ToNanos. Undefined when the text is not RFC 3339 at all.
 */
export function timeToNanos(time: string): string | undefined {
  if (time.length === 30 && time.charCodeAt(29) === 90 /* Z */ && time.charCodeAt(19) === 46 /* . */ && digitsOnly(time, 20, 29)) {
    const prefix = time.slice(0, 19);
    if (prefix === lastPrefix) return lastSeconds + time.slice(20, 29);
    if (CANONICAL_SECONDS.test(prefix)) {
      const ms = Date.parse(`${prefix}Z`);
      if (ms >= 1000) {
        lastPrefix = prefix;
        lastSeconds = String(ms / 1000);
        return lastSeconds + time.slice(20, 29);
      }
    }
  }
  return rfc3339ToNanos(time)?.toString();
}

/** True when `name` is a valid Loki/Prometheus label name. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/** Coerces a label name into a valid one (invalid characters become `_`). */
export function sanitizeLabelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(out)) out = `_${out}`;
  return out;
}

function labelValue(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
  if (typeof v !== 'string' || v === '') return undefined;
  return v.length > MAX_LABEL_VALUE ? v.slice(0, MAX_LABEL_VALUE) : v;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export interface EntryOptions {
  /** Host name when the event has no `host.name`. */
  hostName: string;
  /** Labels added to every stream (validated by the config schema). */
  externalLabels: Record<string, string>;
  structuredMetadata: boolean;
}

/**
 * Builds the stream labels (DESIGN.md §7: low cardinality; empty labels omitted). Alerts go to
 * `source="alert"` streams with their `severity`, under the container/pod of the event that
 * raised them, so `{job="shipwatch", source="alert", severity="critical"}` selects them.
 */
export function streamLabels(ev: ShipEvent, opts: EntryOptions, severity?: string): Record<string, string> {
  const values = labelValues(ev, opts, severity);
  const labels: Record<string, string> = { job: 'shipwatch' };
  for (let i = 0; i < LABEL_ORDER.length; i++) if (values[i] !== undefined) labels[LABEL_ORDER[i]!] = values[i]!;
  for (const [k, v] of Object.entries(opts.externalLabels)) {
    const value = labelValue(v);
    if (value !== undefined) labels[k] = value;
  }
  return labels;
}

const LABEL_ORDER = ['source', 'host', 'container', 'compose_service', 'namespace', 'pod', 'stream', 'severity'] as const;

function labelValues(ev: ShipEvent, opts: EntryOptions, severity?: string): Array<string | undefined> {
  const container = obj(ev.container);
  let name = container?.name;
  if (typeof name === 'string' && name.startsWith('/')) name = name.slice(1);
  const k8s = obj(ev.k8s);
  return [
    labelValue(severity !== undefined ? 'alert' : ev.event?.source),
    labelValue(obj(ev.host)?.name ?? opts.hostName),
    labelValue(name),
    labelValue(obj(container?.compose)?.service),
    labelValue(k8s?.namespace),
    labelValue(k8s?.pod),
    labelValue(obj(ev.log)?.stream),
    severity !== undefined ? labelValue(severity) : undefined,
  ];
}

/** What the lines of one container context share. */
interface LogLineStreams {
  host: unknown;
  k8s: unknown;
  stdout?: string;
  stderr?: string;
  meta?: string | null;
}

/**
 * Stream label sets as JSON text, cached by their values: a few hundred distinct streams carry
 * millions of entries, and building and serializing the object each time would cost more than
 * serializing the event.
 */
export class StreamLabeler {
  private readonly cache = new Map<string, string>();
  /**
   * The label sets and the metadata of container log lines, by their container object: every line
   * of a container shares its context objects (decode's mergeInto), which are replaced, never
   * changed, when the container is renamed. A line then costs one lookup instead of reading eight
   * label values and serializing its metadata.
   */
  private readonly logLines = new WeakMap<object, LogLineStreams>();

  constructor(private readonly opts: EntryOptions) {}

  labelsJson(ev: ShipEvent, severity?: string): string {
    const known = severity === undefined ? this.logLineStreams(ev) : undefined;
    const stream = obj(ev.log)?.stream;
    if (known === undefined || (stream !== 'stdout' && stream !== 'stderr')) return this.byValues(ev, severity);
    return (known[stream] ??= this.byValues(ev, severity));
  }

  /** The structured metadata of an event's entry (JSON text), or null when it has none. */
  metadataJson(ev: ShipEvent): string | null {
    const known = obj(ev.log)?.truncated === true ? undefined : this.logLineStreams(ev);
    if (known === undefined) return metadata(ev);
    if (known.meta === undefined) known.meta = metadata(ev);
    return known.meta;
  }

  private logLineStreams(ev: ShipEvent): LogLineStreams | undefined {
    const container = ev.container;
    if (ev.event?.source !== 'log' || container === null || typeof container !== 'object') return undefined;
    let known = this.logLines.get(container);
    if (known === undefined || known.host !== ev.host || known.k8s !== ev.k8s) {
      known = { host: ev.host, k8s: ev.k8s };
      this.logLines.set(container, known);
    }
    return known;
  }

  private byValues(ev: ShipEvent, severity?: string): string {
    const values = labelValues(ev, this.opts, severity);
    let key = '';
    for (const v of values) {
      if (v !== undefined && v.includes('\u0001')) return JSON.stringify(streamLabels(ev, this.opts, severity));
      key += v === undefined ? '\u0002' : `${v}\u0001`;
    }
    let json = this.cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(streamLabels(ev, this.opts, severity));
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, json);
    }
    return json;
  }
}

function entryTime(time: unknown): string {
  const ns = typeof time === 'string' ? timeToNanos(time) : undefined;
  // An event always carries a valid time (the normalizer guarantees it); if one does not, the
  // entry still goes out, stamped now, rather than being lost.
  return ns ?? `${Date.now()}000000`;
}

function metadata(ev: ShipEvent, ruleId?: number): string | null {
  const meta: Record<string, string> = {};
  const cid = obj(ev.container)?.id;
  if (typeof cid === 'string' && cid !== '') meta.container_id = cid;
  if (ruleId !== undefined) meta.rule_id = String(ruleId);
  // A raw log line cannot say it was cut; the event's log.truncated can, as metadata.
  else if (obj(ev.log)?.truncated === true) meta.truncated = 'true';
  return Object.keys(meta).length > 0 ? JSON.stringify(meta) : null;
}

/**
 * The line of a container log entry: the line as the container wrote it (end of line trimmed, cut at
 * MAX_LOG_MESSAGE), as Promtail, Alloy and Docker's Loki driver send it. Users' own queries then
 * work unchanged (`| json | level="error"` on an app's JSON logs, `|= "POST /login"` with its
 * quotes, `| pattern` on access logs), and Loki receives the log's own bytes: the decoded event as
 * JSON was about 4 times longer (577 bytes for a 120-byte access log line), against Loki's
 * per-stream rate limit (3 MB/s by default) and ingestion billed by the byte. What the decoders
 * found stays with the event: the rules read it, and an alert carries the whole event. Undefined
 * when the event has no message (the entry then carries the event as JSON).
 */
function logLine(ev: ShipEvent): string | undefined {
  const message = obj(ev.log)?.message;
  return typeof message === 'string' ? message : undefined;
}

export function eventEntry(ev: ShipEvent, opts: EntryOptions, labeler?: StreamLabeler, json?: string): LokiEntry {
  return {
    stream: labeler ? labeler.labelsJson(ev) : JSON.stringify(streamLabels(ev, opts)),
    ts: entryTime(ev.event?.time),
    line: (ev.event?.source === 'log' ? logLine(ev) : undefined) ?? json ?? eventJson(ev),
    meta: opts.structuredMetadata ? (labeler ? labeler.metadataJson(ev) : metadata(ev)) : null,
  };
}

export function alertEntry(alert: Alert, opts: EntryOptions, labeler?: StreamLabeler, json?: string): LokiEntry {
  const ev = obj(alert.event) ? alert.event : ({ event: {} } as unknown as ShipEvent);
  const severity = alert.severity ?? 'unknown';
  return {
    stream: labeler ? labeler.labelsJson(ev, severity) : JSON.stringify(streamLabels(ev, opts, severity)),
    ts: entryTime(alert.time ?? ev.event?.time),
    line: json ?? JSON.stringify(alert),
    meta: opts.structuredMetadata ? metadata(ev, alert.rule?.id) : null,
  };
}
