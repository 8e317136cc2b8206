import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Alert, ShipEvent } from '../../event/event.js';
import { inputToEvent } from '../input.js';
import type { DetectionEngine } from './engine.js';

/**
 * The golden corpus: `rules/tests/*.yaml`, each `cases:` a list of
 *
 *     - name: shell exec into a container
 *       inputs: [ {docker_event: {...}, enrich: {container: {privileged: true}}}, ... ]
 *       expect: [ {rule: 100210, level: 8, groups: [shell]} ]   # each must be raised by some input
 *       absent: [100200]                                          # rule ids that must not be raised
 *       only: true                                                # nothing but `expect` may be raised
 *
 * Inputs are those of `inputToEvent`; `enrich` is deep-merged into the event afterwards (what the
 * Docker source adds from inspect). The inputs of one case share correlation state, cases do not.
 */
export interface GoldenCase {
  file: string;
  name: string;
  inputs: unknown[];
  expect: { rule: number; level?: number; groups?: string[]; count?: number }[];
  absent: number[];
  only: boolean;
}

export interface CaseResult {
  case: GoldenCase;
  alerts: Alert[];
  failures: string[];
}

export function loadGoldenCases(dir: string): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(dir, f);
    const doc = parse(fs.readFileSync(file, 'utf8')) as { cases?: unknown[] } | null;
    if (!doc || !Array.isArray(doc.cases)) throw new Error(`${file}: expected a top-level "cases:" list`);
    doc.cases.forEach((raw, i) => {
      const c = raw as Partial<GoldenCase> & { name?: string };
      if (!c || typeof c.name !== 'string' || !Array.isArray(c.inputs) || c.inputs.length === 0) {
        throw new Error(`${file}: case ${i + 1}: needs a name and a non-empty inputs list`);
      }
      out.push({ file: f, name: c.name, inputs: c.inputs, expect: c.expect ?? [], absent: c.absent ?? [], only: c.only === true });
    });
  }
  return out;
}

function deepMerge(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}

/** One test input as the live pipeline would have made it (plus `enrich`); index spaces default times. */
export function prepareInput(input: unknown, index: number): ShipEvent | { error: string } {
  const r = inputToEvent(input, index);
  if (!('event' in r)) return r as { error: string };
  const ev = r as ShipEvent;
  const enrich = (input as { enrich?: Record<string, unknown> }).enrich;
  if (enrich && typeof enrich === 'object') deepMerge(ev as Record<string, unknown>, enrich);
  return ev;
}

export function prepareInputs(inputs: unknown[]): { events: ShipEvent[]; errors: string[] } {
  const events: ShipEvent[] = [];
  const errors: string[] = [];
  inputs.forEach((input, i) => {
    const r = prepareInput(input, i);
    if ('event' in r) events.push(r as ShipEvent);
    else errors.push((r as { error: string }).error);
  });
  return { events, errors };
}

export function runCase(engine: DetectionEngine, c: GoldenCase): CaseResult {
  const failures: string[] = [];
  const { events, errors } = prepareInputs(c.inputs);
  failures.push(...errors);
  const alerts = events.flatMap((e) => engine.evaluate(e));
  for (const exp of c.expect) {
    const hits = alerts.filter((a) => a.rule.id === exp.rule);
    if (hits.length === 0) {
      failures.push(`expected rule ${exp.rule}, got ${alerts.map((a) => a.rule.id).join(', ') || 'no alerts'}`);
      continue;
    }
    if (exp.count !== undefined && hits.length !== exp.count) failures.push(`expected rule ${exp.rule} ${exp.count} times, got ${hits.length}`);
    if (exp.level !== undefined && !hits.some((a) => a.rule.level === exp.level)) failures.push(`rule ${exp.rule}: expected level ${exp.level}, got ${hits[0]!.rule.level}`);
    for (const g of exp.groups ?? []) if (!hits[0]!.rule.groups.includes(g)) failures.push(`rule ${exp.rule}: missing group ${g}`);
  }
  for (const id of c.absent) if (alerts.some((a) => a.rule.id === id)) failures.push(`rule ${id} must not alert`);
  if (c.only) {
    const extra = alerts.filter((a) => !c.expect.some((e) => e.rule === a.rule.id));
    if (extra.length) failures.push(`unexpected alerts: ${[...new Set(extra.map((a) => a.rule.id))].join(', ')}`);
  }
  return { case: c, alerts, failures };
}

/** Per rule: how many cases raise it (positive) and how many name it as absent (negative). */
export function coverage(engine: DetectionEngine, cases: GoldenCase[]): { id: number; positive: number; negative: number; level: number }[] {
  return engine.rules().filter((r) => r.level > 0).map((r) => ({
    id: r.id,
    level: r.level,
    positive: cases.filter((c) => c.expect.some((e) => e.rule === r.id)).length,
    negative: cases.filter((c) => c.absent.includes(r.id)).length,
  }));
}
