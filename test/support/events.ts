import type { Dockerd } from './dockerd.js';
import type { RunningCollector } from './collector.js';

export interface StoredEvent {
  event: { id: string; time: string; action: string; source: string; reconciled?: boolean };
  docker: { type: string; action: string; raw_action: string; actor: { id: string }; exec?: { command?: string } };
  container?: Record<string, unknown> & { id: string; name?: string; labels?: Record<string, string>; exit_code?: number };
  [k: string]: unknown;
}

/** Every stored event of a source, oldest first, following the API's cursors. */
export async function storedEvents(c: RunningCollector, source = 'docker'): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: { events: StoredEvent[]; next_cursor: string | null } } = await c.get(`/api/v1/events?source=${source}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    if (r.status !== 200) throw new Error(`GET /api/v1/events: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.events);
    cursor = r.body.next_cursor;
  } while (cursor);
  return out.reverse();
}

/** `type|raw action|actor id|timeNano`: one engine event, as the engine and the store both know it. */
export function eventKey(e: StoredEvent): string {
  const t = e.event.time;
  const nanos = BigInt(Date.parse(`${t.slice(0, 19)}Z`)) * 1_000_000n + BigInt(t.slice(20, 29));
  return `${e.docker.type}|${e.docker.raw_action}|${e.docker.actor.id}|${nanos}`;
}

/** What the engine itself reports for a time range: the ground truth for "nothing missed, nothing twice". */
export async function engineEventKeys(d: Dockerd, since: string, until: string): Promise<string[]> {
  const text = await d.docker('events', '--since', since, '--until', until, '--format', '{{json .}}');
  return text.split('\n').filter(Boolean).map((l) => {
    const e = JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string } };
    return `${e.Type}|${e.Action}|${e.Actor.ID}|${/"timeNano":(\d+)/.exec(l)![1]}`;
  }).sort();
}

export function nowSeconds(): string {
  return (Date.now() / 1000).toFixed(3);
}

/** The keys that occur more than once. */
export function duplicates(keys: string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
}
