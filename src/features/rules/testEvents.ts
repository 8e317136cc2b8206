import type { EventSource } from '../../api/types';

export const EVENT_SOURCES: EventSource[] = ['docker', 'kubernetes', 'k8s_audit', 'log', 'metric', 'collector'];

/** The collector's `POST /rules/test` takes at most this many events per call. */
export const MAX_TEST_EVENTS = 10_000;

/**
 * Events pasted by the user: a JSON array, one JSON object, or JSON lines (what `docker events
 * --format '{{json .}}'`, an audit log file or `GET /events` piped through jq give). Throws with
 * the line that does not parse.
 */
export function parsePastedEvents(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new Error('paste at least one event');
  }
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`the pasted JSON array does not parse: ${err instanceof Error ? err.message : String(err)}`);
    }
    return checkCount(parsed as unknown[]);
  }
  try {
    return [JSON.parse(trimmed)];
  } catch {
    // Not a single document: read it as JSON lines.
  }
  const events: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') {
      return;
    }
    try {
      events.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`line ${i + 1} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return checkCount(events);
}

function checkCount(events: unknown[]): unknown[] {
  if (events.length === 0) {
    throw new Error('paste at least one event');
  }
  if (events.length > MAX_TEST_EVENTS) {
    throw new Error(`${events.length} events pasted; the collector tests at most ${MAX_TEST_EVENTS} per run`);
  }
  return events;
}

/** A one-line label of an event for the results: time, source/action and where it happened. */
export function describeEvent(input: unknown): string {
  const ev = (input && typeof input === 'object' ? input : {}) as {
    event?: { time?: string; source?: string; action?: string };
    container?: { name?: string };
    k8s?: { namespace?: string; pod?: string };
  };
  const what = [ev.event?.source, ev.event?.action].filter(Boolean).join(' ');
  const where = ev.container?.name ?? (ev.k8s?.pod ? `${ev.k8s.namespace ?? ''}/${ev.k8s.pod}` : undefined);
  return [ev.event?.time, what || undefined, where].filter(Boolean).join(' · ') || 'event';
}
