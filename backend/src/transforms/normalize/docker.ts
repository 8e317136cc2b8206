import type { ContainerFields, ShipEvent } from '../../event/event.js';
import { newEventId } from '../../event/event.js';
import { nanosToRfc3339 } from '../../event/time.js';

/** A Docker engine event as the API sends it (only the fields that survive Docker 29). */
export interface DockerRawEvent {
  Type: string;
  Action: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number | string;
}

// Attributes of container events that are not labels.
const CONTAINER_ATTRS = new Set(['name', 'image', 'exitCode', 'signal', 'execID', 'execDuration', 'container', 'driver']);

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';

/**
 * Docker event → normalized event (DESIGN.md §3), from `Type`, `Action` and `Actor` only.
 * `timeNano` must be given as the decimal text read from the wire: as a JSON number it exceeds
 * 2^53 and loses its last digits.
 */
export function normalizeDockerEvent(raw: DockerRawEvent, timeNano: string | undefined, hostName: string): ShipEvent {
  const rawAction = String(raw.Action ?? '');
  const colon = rawAction.indexOf(':');
  const action = colon >= 0 ? rawAction.slice(0, colon) : rawAction;
  const argument = colon >= 0 ? rawAction.slice(colon + 1).trim() : undefined;
  const type = String(raw.Type ?? '');
  const attrs = raw.Actor?.Attributes ?? {};
  const actorId = raw.Actor?.ID ?? '';

  const docker: Record<string, unknown> = {
    type,
    action,
    raw_action: rawAction,
    actor: { id: actorId, attributes: attrs },
  };
  if (raw.scope) docker.scope = raw.scope;
  if (argument !== undefined) {
    if (action.startsWith('exec_')) docker.exec = { command: argument };
    else if (action === 'health_status') docker.health_status = argument;
    else docker.argument = argument;
  }
  if (attrs.execID) docker.exec = { ...(docker.exec as object | undefined), id: attrs.execID };
  if (attrs.signal) docker.signal = Number(attrs.signal);

  const nanos = timeNano ?? (raw.timeNano !== undefined ? String(raw.timeNano) : raw.time !== undefined ? `${raw.time}000000000` : undefined);
  const ev: ShipEvent = {
    event: {
      id: newEventId(),
      time: nanos ? nanosToRfc3339(nanos) : nanosToRfc3339(BigInt(Date.now()) * 1_000_000n),
      source: 'docker',
      action: action.replace(/-/g, '_'),
    },
    host: { name: hostName },
    docker,
  };

  switch (type) {
    case 'container':
      ev.container = containerFromEvent(actorId, attrs);
      break;
    case 'image':
      ev.image = { name: attrs.name ?? actorId, ...(actorId.startsWith('sha256:') ? { id: actorId } : {}) };
      break;
    case 'network':
      ev.network = { id: actorId, name: attrs.name, type: attrs.type };
      if (attrs.container) ev.container = { id: attrs.container };
      break;
    case 'volume':
      ev.volume = { name: actorId, driver: attrs.driver, ...(attrs.destination ? { destination: attrs.destination } : {}) };
      if (attrs.container) ev.container = { id: attrs.container };
      break;
    default:
      ev[type || 'object'] = { id: actorId, ...(attrs.name ? { name: attrs.name } : {}) };
  }
  return ev;
}

function containerFromEvent(id: string, attrs: Record<string, string>): ContainerFields {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (!CONTAINER_ATTRS.has(k)) labels[k] = v;
  const c: ContainerFields = { id };
  if (attrs.name) c.name = attrs.name;
  if (attrs.image) c.image = attrs.image;
  c.labels = labels;
  const compose = composeOf(labels);
  if (compose) c.compose = compose;
  if (attrs.exitCode !== undefined && /^-?\d+$/.test(attrs.exitCode)) c.exit_code = Number(attrs.exitCode);
  return c;
}

export function composeOf(labels: Record<string, string>): ContainerFields['compose'] | undefined {
  const project = labels[COMPOSE_PROJECT];
  const service = labels[COMPOSE_SERVICE];
  if (project === undefined && service === undefined) return undefined;
  return { ...(project !== undefined ? { project } : {}), ...(service !== undefined ? { service } : {}) };
}
