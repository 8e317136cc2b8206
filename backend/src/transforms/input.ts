import type { ShipEvent } from '../event/event.js';
import { newEventId } from '../event/event.js';
import { nanosToRfc3339, normalizeRfc3339, rfc3339ToNanos } from '../event/time.js';
import { applyDecodedLog, decodeLogLine, logLineToEvent } from './decode/index.js';
import { normalizeAuditEvent } from './normalize/k8s-audit.js';
import { normalizeDockerEvent, type DockerRawEvent } from './normalize/docker.js';
import { normalizeCoreEvent, normalizeWatchedObject, watchObjectError, type WatchAction } from './normalize/k8s-watch.js';
import { stripConfigMapData } from '../sources/k8s-watch/projection.js';
import { WATCH_RESOURCES } from '../sources/k8s-watch/resources.js';

/**
 * What rule tests take (the golden corpus, `POST /api/v1/rules/test`, `shipwatch rules test`), and
 * how each becomes the event the live pipeline would have produced:
 *
 * - a normalized event (`{event: {source, ...}, ...}`); a `log` event whose `log.message` has not
 *   been decoded yet is decoded, as the log source would;
 * - `{docker_event: <engine event>}`: normalized as the Docker source does;
 * - `{k8s_audit: <audit Event>}`: normalized as the audit webhook does;
 * - `{k8s_watch: {type?: ADDED|MODIFIED|DELETED, resource?, object, changed?}}`: an object as the
 *   Kubernetes watch delivers it, normalized as the watch source does (resource from the object's
 *   kind when not given; a core Event becomes an occurrence event);
 * - `{log_line: "...", stream?, time?, container?: {...}, k8s?: {...}}`: decoded as a container log line.
 *
 * Events without a time get one that grows by a millisecond per input, from a fixed origin, so
 * correlation windows behave the same on every run.
 */
export type TestInput = Record<string, unknown>;

const ORIGIN_MS = Date.UTC(2026, 0, 1);

export function inputToEvent(input: unknown, index: number, hostName = 'test'): ShipEvent | { error: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { error: `input ${index}: expected an object` };
  const o = input as Record<string, unknown>;
  const fallbackTime = nanosToRfc3339(BigInt(ORIGIN_MS + index) * 1_000_000n);
  if ('docker_event' in o) {
    const raw = o.docker_event as DockerRawEvent;
    if (!raw || typeof raw.Type !== 'string' || typeof raw.Action !== 'string') return { error: `input ${index}: docker_event needs Type and Action` };
    const nanos = raw.timeNano !== undefined ? String(raw.timeNano) : raw.time !== undefined ? undefined : (rfc3339ToNanos(fallbackTime)!).toString();
    return normalizeDockerEvent(raw, nanos, hostName);
  }
  if ('k8s_audit' in o) {
    const r = normalizeAuditEvent(o.k8s_audit, { hostName });
    return 'event' in r ? (r as ShipEvent) : { error: `input ${index}: ${(r as { error: string }).error}` };
  }
  if ('k8s_watch' in o) {
    const r = k8sWatchInput(o.k8s_watch, fallbackTime, hostName);
    return 'error' in r ? { error: `input ${index}: k8s_watch: ${r.error}` } : r;
  }
  if ('log_line' in o) {
    if (typeof o.log_line !== 'string') return { error: `input ${index}: log_line must be a string` };
    const time = typeof o.time === 'string' ? o.time : fallbackTime;
    const context: Record<string, unknown> = { host: { name: hostName } };
    if (o.container) context.container = o.container;
    if (o.k8s) context.k8s = o.k8s;
    return logLineToEvent({ message: o.log_line, stream: o.stream === 'stderr' ? 'stderr' : 'stdout', time }, { context });
  }
  const meta = o.event as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object' || typeof meta.source !== 'string') return { error: `input ${index}: expected event.source (or docker_event, k8s_audit, k8s_watch, log_line)` };
  const ev = structuredClone(o) as ShipEvent;
  ev.event.id = typeof meta.id === 'string' ? meta.id : newEventId();
  const time = typeof meta.time === 'string' ? normalizeRfc3339(meta.time) : fallbackTime;
  if (!time) return { error: `input ${index}: event.time ${JSON.stringify(meta.time)} is not RFC 3339` };
  ev.event.time = time;
  if (typeof ev.event.action !== 'string') ev.event.action = '';
  const log = ev.log as Record<string, unknown> | undefined;
  if (ev.event.source === 'log' && typeof log?.message === 'string' && log.format === undefined) {
    applyDecodedLog(ev as unknown as Record<string, unknown>, decodeLogLine(log.message));
    ev.event.id = ev.event.id ?? newEventId();
    ev.event.time = time;
  }
  return ev;
}

const WATCH_ACTIONS: Record<string, WatchAction> = { ADDED: 'create', MODIFIED: 'update', DELETED: 'delete' };

function k8sWatchInput(v: unknown, seenAt: string, hostName: string): ShipEvent | { error: string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'expected {type, object}' };
  const w = v as { type?: unknown; resource?: unknown; object?: unknown; changed?: unknown };
  const type = w.type ?? 'ADDED';
  const action = typeof type === 'string' ? WATCH_ACTIONS[type] : undefined;
  if (!action) return { error: `type ${JSON.stringify(type)}: expected ADDED, MODIFIED or DELETED` };
  const bad = watchObjectError(w.object);
  if (bad) return { error: bad };
  const obj = w.object as Record<string, unknown>;
  const def = typeof w.resource === 'string' ? WATCH_RESOURCES.find((r) => r.name === w.resource) : WATCH_RESOURCES.find((r) => r.kind === obj.kind);
  if (!def) return { error: `resource ${JSON.stringify(w.resource ?? obj.kind)}: not a watched resource (${WATCH_RESOURCES.map((r) => r.name).join(', ')})` };
  if (def.name === 'events') return normalizeCoreEvent(obj, { hostName, watchType: type as 'ADDED', seenAt });
  const changed = Array.isArray(w.changed) ? w.changed.filter((c): c is string => typeof c === 'string') : undefined;
  return normalizeWatchedObject(def.name, action, def.name === 'configmaps' ? stripConfigMapData(obj) : obj, {
    hostName, kind: def.kind, ...(def.group ? { apiGroup: def.group } : {}), watchType: type as 'ADDED', seenAt, ...(changed ? { changed } : {}),
  });
}
