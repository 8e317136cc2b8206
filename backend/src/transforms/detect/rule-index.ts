// An event should meet only the rule trees that can match it. Each root rule is filed under one
// equality test its condition cannot match without (a "guard": `event.action = start`,
// `event.source in (docker, kubernetes)`, `docker.type = container`...). Per event, each guard
// field is read once and looked up; roots without a guard are always tried. A root whose condition
// also requires a field to exist (`url.original exists`, as the web rules' macro does) is handed
// over only when the event has it: log lines that are not requests skip every web rule with one
// field read. The index only skips work: a candidate is still tested in full.

import type { Node } from './ast.js';
import { compileField, type Getter } from './fields.js';
import { buildTest } from './operators.js';

export interface Guard {
  field: string;
  keys: string[];
}

function guardOf(node: Node): Guard | undefined {
  if (node.kind === 'cmp') {
    if (node.op !== '=' && node.op !== 'in' && node.op !== 'intersects') return undefined;
    if (node.values.length === 0) return undefined;
    // Number literals compare numerically ("404.0" = 404), which a text key cannot reproduce.
    if (node.values.some((v) => typeof v === 'number')) return undefined;
    return { field: node.field, keys: node.values.map(String) };
  }
  if (node.kind === 'or') {
    let field: string | undefined;
    const keys: string[] = [];
    for (const it of node.items) {
      const g = guardOf(it);
      if (!g || (field !== undefined && g.field !== field)) return undefined;
      field = g.field;
      keys.push(...g.keys);
    }
    return field === undefined ? undefined : { field, keys };
  }
  return undefined;
}

function score(g: Guard): number {
  // The action is the most selective field events share; other fields come next.
  const base = g.field === 'event.action' ? 3 : 2;
  return base * 1000 - Math.min(g.keys.length, 999);
}

/**
 * Where a root is filed: the sources its condition requires (if it requires some), and the best
 * other equality test it cannot match without.
 */
export interface Guards {
  sources?: string[];
  guard?: Guard;
  /** Fields that must exist (`F exists` conjuncts). */
  present?: string[];
}

export function findGuards(node: Node | undefined): Guards {
  if (!node) return {};
  const conjuncts = node.kind === 'and' ? node.items : [node];
  const out: Guards = {};
  for (const c of conjuncts) {
    if (c.kind === 'cmp' && c.op === 'exists') {
      (out.present ??= []).push(c.field);
      continue;
    }
    const g = guardOf(c);
    if (!g) continue;
    if (g.field === 'event.source') {
      // Two source tests both hold only on their intersection.
      out.sources = out.sources ? out.sources.filter((s) => g.keys.includes(s)) : [...new Set(g.keys)];
    } else if (!out.guard || score(g) > score(out.guard)) {
      out.guard = g;
    }
  }
  return out;
}

export interface Indexable {
  guards: Guards;
  /** Marks the rule as already collected for the current event (array fields hit several keys). */
  seen: number;
  /** Set by the index: the fields of guards.present, whose existence it checks once per event. */
  needs?: Presence[];
}

const exists = buildTest('exists', [], false);

/** Whether one field exists on the current event, read once per event whatever the roots asking. */
export class Presence {
  private readonly get: Getter;
  private at = -1;
  private has = false;

  constructor(field: string) {
    this.get = compileField(field);
  }

  holds(ev: unknown, epoch: number): boolean {
    if (this.at !== epoch) {
      this.at = epoch;
      try {
        this.has = exists(this.get(ev));
      } catch {
        // A field that throws when read: hand the roots over so each fails and is counted.
        this.has = true;
      }
    }
    return this.has;
  }
}

interface FieldIndex<R> {
  field: string;
  get: Getter;
  buckets: Map<string, R[]>;
  all: R[];
}

/** The rules of one source (or of any source), split by their secondary guard. */
class SubIndex<R extends Indexable> {
  readonly always: R[] = [];
  readonly fields: FieldIndex<R>[] = [];

  add(r: R, g: Guard | undefined): void {
    if (!g) {
      this.always.push(r);
      return;
    }
    let fi = this.fields.find((f) => f.field === g.field);
    if (!fi) {
      fi = { field: g.field, get: compileField(g.field), buckets: new Map(), all: [] };
      this.fields.push(fi);
    }
    fi.all.push(r);
    for (const k of new Set(g.keys)) {
      const list = fi.buckets.get(k);
      if (list) list.push(r);
      else fi.buckets.set(k, [r]);
    }
  }

  collect(ev: unknown, out: R[], start: number, epoch: number, dedupe: boolean): number {
    // No helper closure here: this runs for every event, and a closure per call is garbage.
    let n = start;
    for (let i = 0; i < this.always.length; i += 1) n = put(out, n, this.always[i]!, ev, epoch, dedupe);
    for (let f = 0; f < this.fields.length; f += 1) {
      const fi = this.fields[f]!;
      let v: unknown;
      try {
        v = fi.get(ev);
      } catch {
        // A field that throws when read (a hostile getter) fails in every rule filed under it;
        // hand them all over so each is tried, fails and is counted on its own.
        for (let i = 0; i < fi.all.length; i += 1) n = put(out, n, fi.all[i]!, ev, epoch, dedupe);
        continue;
      }
      if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
      if (typeof v === 'string') {
        const list = fi.buckets.get(v);
        if (list) for (let i = 0; i < list.length; i += 1) n = put(out, n, list[i]!, ev, epoch, dedupe);
      } else if (Array.isArray(v)) {
        // Several elements may hit the same rule: always dedupe here.
        for (const el of v) {
          const k = typeof el === 'string' ? el : typeof el === 'number' || typeof el === 'boolean' ? String(el) : undefined;
          const list = k === undefined ? undefined : fi.buckets.get(k);
          if (list) for (let i = 0; i < list.length; i += 1) n = put(out, n, list[i]!, ev, epoch, true);
        }
      }
    }
    return n;
  }
}

function put<R extends Indexable>(out: R[], n: number, r: R, ev: unknown, epoch: number, dedupe: boolean): number {
  const needs = r.needs;
  if (needs !== undefined) for (let i = 0; i < needs.length; i += 1) if (!needs[i]!.holds(ev, epoch)) return n;
  if (dedupe) {
    if (r.seen === epoch) return n;
    r.seen = epoch;
  }
  out[n] = r;
  return n + 1;
}

const getSource = compileField('event.source');

/**
 * Two levels: first the event's source (every event has exactly one), then within the rules of
 * that source (and the rules of any source) the secondary guards. An event thus reads only the
 * guard fields of rules that can apply to its source.
 */
export class RootIndex<R extends Indexable> {
  private readonly anySource = new SubIndex<R>();
  private readonly bySource = new Map<string, SubIndex<R>>();
  private epoch = 0;

  constructor(roots: R[], enabled = true) {
    const presence = new Map<string, Presence>();
    for (const r of roots) {
      const { sources, guard, present } = enabled ? r.guards : {};
      r.needs = present?.map((field) => {
        let p = presence.get(field);
        if (!p) {
          p = new Presence(field);
          presence.set(field, p);
        }
        return p;
      });
      if (!sources) {
        this.anySource.add(r, guard);
        continue;
      }
      for (const s of sources) {
        let sub = this.bySource.get(s);
        if (!sub) {
          sub = new SubIndex<R>();
          this.bySource.set(s, sub);
        }
        sub.add(r, guard);
      }
    }
  }

  /**
   * Writes the roots worth testing on this event to the start of `out` and returns how many.
   * The array is reused between events and never truncated (setting length is a slow path).
   */
  candidates(ev: unknown, out: R[]): number {
    const epoch = (this.epoch += 1);
    let n = this.anySource.collect(ev, out, 0, epoch, false);
    if (this.bySource.size === 0) return n;
    let src: unknown;
    try {
      src = getSource(ev);
    } catch {
      src = undefined;
    }
    if (typeof src === 'number' || typeof src === 'boolean') src = String(src);
    if (typeof src === 'string') {
      const sub = this.bySource.get(src);
      if (sub) n = sub.collect(ev, out, n, epoch, false);
    } else if (Array.isArray(src)) {
      // Not a normalized event, but `event.source = x` would match any element: try each.
      for (const el of new Set(src)) {
        const sub = typeof el === 'string' ? this.bySource.get(el) : undefined;
        if (sub) n = sub.collect(ev, out, n, epoch, true);
      }
    }
    return n;
  }

  describe(): { anySource: { always: number; fields: string[] }; bySource: Record<string, { always: number; fields: string[] }> } {
    const d = (s: SubIndex<R>) => ({ always: s.always.length, fields: s.fields.map((f) => `${f.field} (${f.buckets.size} keys)`) });
    return { anySource: d(this.anySource), bySource: Object.fromEntries([...this.bySource].map(([k, v]) => [k, d(v)])) };
  }
}
