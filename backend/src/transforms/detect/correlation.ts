// Correlation and suppression state. Windows run on event.time only, so replaying a capture gives
// the alerts it gave live. The store is a bounded LRU over (rule, same-key) entries: a flood of
// distinct keys (one per source IP, say) evicts the oldest keys instead of growing without limit.

import { createHash } from 'node:crypto';
import type { Getter } from './fields.js';

export interface KeyState {
  /** Times (ms) of the events in the window, oldest first; at most `frequency` kept. */
  times: number[];
  /** For `different`: value tuple -> latest time seen, insertion-ordered oldest first. */
  diffs: Map<string, number> | null;
  /** Alerts of this key are suppressed while event time is below this. */
  suppressUntil: number;
  /** Used since the eviction hand last passed (CLOCK approximation of LRU). */
  ref: boolean;
}

export class CorrelationStore {
  private readonly map = new Map<string, KeyState>();
  evictions = 0;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.map.size;
  }

  // Eviction is CLOCK (second chance) over the map's insertion order: a hit only sets a flag,
  // where a strict LRU would move the key on every event; a key used since the hand last came
  // round is moved to the back once instead of being evicted.
  state(key: string): KeyState {
    const found = this.map.get(key);
    if (found) {
      found.ref = true;
      return found;
    }
    while (this.map.size >= this.maxKeys) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      const [k, st] = oldest.value;
      this.map.delete(k);
      if (st.ref) {
        st.ref = false;
        this.map.set(k, st);
      } else {
        this.evictions += 1;
      }
    }
    const created: KeyState = { times: [], diffs: null, suppressUntil: -Infinity, ref: false };
    this.map.set(key, created);
    return created;
  }

  /** Drops the state of rules that are gone or whose definition changed. */
  retainRules(ruleKeys: ReadonlySet<string>): void {
    for (const key of [...this.map.keys()]) {
      const cut = key.indexOf('\u0000');
      if (!ruleKeys.has(cut < 0 ? key : key.slice(0, cut))) this.map.delete(key);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

const MISSING = '\u0001';
const MAX_KEY = 200;

function part(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    // Too deep for JSON: still a key, just a coarse one.
    return Array.isArray(v) ? `[array ${v.length}]` : '[object]';
  }
}

/**
 * The tuple of field values as one map key, or undefined when a field is missing and
 * `missingAllowed` is false. Long keys are hashed so a 1 MiB field does not become a 1 MiB key.
 */
export function tupleKey(getters: Getter[], ev: unknown, missingAllowed: boolean): string | undefined {
  let key = '';
  for (let i = 0; i < getters.length; i += 1) {
    const p = part(getters[i]!(ev));
    if (p === undefined && !missingAllowed) return undefined;
    key = i === 0 ? (p ?? MISSING) : `${key}\u0000${p ?? MISSING}`;
  }
  return key.length > MAX_KEY ? `#${createHash('sha1').update(key).digest('base64')}` : key;
}

/** Records one occurrence at time t and returns how many occurrences the window now holds. */
export function recordOccurrence(st: KeyState, t: number, frequency: number, timeframeMs: number, diffKey: string | undefined): number {
  const floor = t - timeframeMs;
  if (diffKey !== undefined) {
    const diffs = st.diffs ?? (st.diffs = new Map());
    const prev = diffs.get(diffKey);
    diffs.delete(diffKey);
    diffs.set(diffKey, prev !== undefined && prev > t ? prev : t);
    for (const [k, at] of diffs) if (at < floor) diffs.delete(k);
    while (diffs.size > frequency) diffs.delete(diffs.keys().next().value as string);
    return diffs.size;
  }
  const times = st.times;
  // Sources interleave slightly out of order; keep the window sorted by inserting from the end.
  let i = times.length;
  while (i > 0 && times[i - 1]! > t) i -= 1;
  times.splice(i, 0, t);
  let drop = 0;
  while (drop < times.length && times[drop]! < floor) drop += 1;
  if (times.length - drop > frequency) drop = times.length - frequency;
  if (drop > 0) times.splice(0, drop);
  return times.length;
}

export function clearWindow(st: KeyState): void {
  st.times.length = 0;
  st.diffs?.clear();
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i += 1) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Milliseconds (with sub-millisecond fraction) of an event time; NaN when it is not a time.
 * The canonical form (`2025-01-01T00:00:00.123456789Z`) is read by hand, being on the hot path of
 * every correlated rule; anything else goes through Date.parse.
 */
export function eventTimeMs(time: unknown): number {
  if (typeof time !== 'string' || time.length > 64) return NaN;
  if (time.length === 30 && time.charCodeAt(29) === 90 && time.charCodeAt(19) === 46 && time.charCodeAt(10) === 84) {
    const y = digits(time, 0, 4);
    const mo = digits(time, 5, 2);
    const d = digits(time, 8, 2);
    const h = digits(time, 11, 2);
    const mi = digits(time, 14, 2);
    const sec = digits(time, 17, 2);
    const ms = digits(time, 20, 3);
    const sub = digits(time, 23, 6);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60 && ms >= 0 && sub >= 0) {
      return Date.UTC(y, mo - 1, d, h, mi, sec, ms) + sub / 1e6;
    }
    return NaN;
  }
  const ms = Date.parse(time);
  if (ms !== ms) return NaN;
  const m = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.\d{3}(\d{1,6})/.exec(time);
  return m ? ms + Number(m[1]!.padEnd(6, '0')) / 1e6 : ms;
}
