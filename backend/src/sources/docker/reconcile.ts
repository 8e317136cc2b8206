import type { InventoryContainer } from '../../sinks/store/inventory.js';
import type { DockerRawEvent } from '../../transforms/normalize/docker.js';
import { rfc3339ToNanos } from '../../event/time.js';
import type { ContainerInspect } from './inspect.js';

/** One row of `GET /containers/json?all=1`. */
export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  Created?: number;
  State?: string;
}

export interface SyntheticEvent {
  raw: DockerRawEvent;
  nanos: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function nanosOf(time: string | undefined, fallback: bigint): bigint {
  if (!time || time.startsWith(ZERO_TIME.slice(0, 10))) return fallback;
  return rfc3339ToNanos(time) ?? fallback;
}

function event(action: string, i: ContainerInspect, nanos: bigint, extra: Record<string, string> = {}): SyntheticEvent {
  const attributes: Record<string, string> = {
    ...(i.Config?.Labels ?? {}),
    name: (i.Name ?? '').replace(/^\//, ''),
    image: i.Config?.Image ?? '',
    ...extra,
  };
  return { raw: { Type: 'container', Action: action, Actor: { ID: i.Id, Attributes: attributes } }, nanos: nanos.toString() };
}

function isStarted(state: string | undefined): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}

/**
 * The container events that must have happened while the collector was not listening, from the
 * difference between the stored inventory and the engine's list, each at the time the engine
 * recorded (Created, StartedAt, FinishedAt). Containers created at or after `cutoff` are left to
 * the live stream, which re-delivers them from `since`.
 */
export function reconcileEvents(
  inventory: InventoryContainer[],
  engine: { summary: ContainerSummary; inspect: ContainerInspect }[],
  cutoffNanos: bigint,
): SyntheticEvent[] {
  const out: SyntheticEvent[] = [];
  const known = new Map(inventory.map((c) => [c.id, c]));
  const present = new Set<string>();
  for (const { summary, inspect } of engine) {
    present.add(summary.Id);
    const created = nanosOf(inspect.Created, cutoffNanos);
    if (created >= cutoffNanos) continue;
    const startedAt = nanosOf(inspect.State?.StartedAt, 0n);
    const finishedAt = nanosOf(inspect.State?.FinishedAt, 0n);
    const state = inspect.State?.Status ?? summary.State;
    const exit = { exitCode: String(inspect.State?.ExitCode ?? 0) };
    const prev = known.get(summary.Id);
    if (!prev) {
      out.push(event('create', inspect, created));
      if (startedAt > 0n) out.push(event('start', inspect, startedAt));
      if (state === 'exited' || state === 'dead') out.push(event('die', inspect, finishedAt || startedAt || created, exit));
      continue;
    }
    const prevUpdated = rfc3339ToNanos(prev.updated_time) ?? 0n;
    const prevStarted = prev.started_at ? rfc3339ToNanos(prev.started_at) ?? 0n : 0n;
    const wasUp = prev.state === 'running' || prev.state === 'paused';
    // Started again while we were away (restart policy, or a stop and a start).
    const restarted = startedAt > prevStarted && startedAt > prevUpdated;
    if (restarted) {
      if (wasUp && finishedAt > prevUpdated && finishedAt <= startedAt) out.push(event('die', inspect, finishedAt, exit));
      out.push(event('start', inspect, startedAt));
      if (!isStarted(state) && finishedAt > startedAt) out.push(event('die', inspect, finishedAt, exit));
    } else if (wasUp && !isStarted(state) && finishedAt > 0n) {
      out.push(event('die', inspect, finishedAt, exit));
    }
  }
  for (const c of inventory) {
    if (present.has(c.id)) continue;
    const attributes: Record<string, string> = { ...c.labels, name: c.name ?? '', image: c.image ?? '' };
    out.push({ raw: { Type: 'container', Action: 'destroy', Actor: { ID: c.id, Attributes: attributes } }, nanos: cutoffNanos.toString() });
  }
  out.sort((a, b) => (BigInt(a.nanos) < BigInt(b.nanos) ? -1 : BigInt(a.nanos) > BigInt(b.nanos) ? 1 : 0));
  return out;
}
