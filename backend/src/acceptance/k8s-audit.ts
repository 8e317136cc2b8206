// Acceptance run over the Falco project's Kubernetes audit trace files (acceptance corpus,
// `<dir>/k8s-audit/falco-0.34.1/*.json`, JSON lines of audit Events) against
// `<dir>/k8s-audit/expected.yaml`, which gives, per file, the detection tags its events must raise
// (`must`), must not raise (`must_not`), how many events must raise the first `must` tag
// (`count`), or that the file is malformed on purpose (`malformed: true`).
//
// Each file is replayed on a fresh fork of the engine (no correlation state shared between
// files), through the same path as the audit webhook: parseAuditPayload() on the file's text, then
// normalizeAuditEvent() per item. Every event gets a fresh auditID first: two pairs of trace files
// share auditIDs, and a receiver that deduplicates by auditID + stage would rightly drop the
// second of each pair.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Alert, ShipEvent } from '../event/event.js';
import type { DetectionEngine } from '../transforms/detect/engine.js';
import { normalizeAuditEvent, parseAuditPayload } from '../transforms/normalize/k8s-audit.js';

export interface AcceptanceResult {
  title: string;
  header: string[];
  rows: string[][];
  failures: string[];
}

export interface TraceExpectation {
  must: string[];
  must_not: string[];
  count?: number;
  malformed: boolean;
}

export const K8S_TRACE_DIR = path.join('k8s-audit', 'falco-0.34.1');
export const K8S_EXPECTED_FILE = path.join('k8s-audit', 'expected.yaml');

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads expected.yaml: file name -> expectation. Throws with the file name when it is unreadable. */
export function readExpectations(file: string): Map<string, TraceExpectation> {
  const doc = parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping of trace file names`);
  const out = new Map<string, TraceExpectation>();
  for (const [name, raw] of Object.entries(doc as Record<string, unknown>)) {
    const o = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const exp: TraceExpectation = { must: strings(o.must), must_not: strings(o.must_not), malformed: o.malformed === true };
    if (typeof o.count === 'number') exp.count = o.count;
    out.set(name, exp);
  }
  return out;
}

/** A copy of an audit event with a fresh auditID (objects only; anything else is left as is). */
function withFreshAuditId(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  return { ...(item as Record<string, unknown>), auditID: randomUUID() };
}

export interface TraceReplay {
  events: number;
  /** Items the payload parser or the normalizer refused, with their reason. */
  errors: string[];
  /** Alerts per event, in file order. */
  alerts: Alert[][];
}

/** Replays one trace file's text on `engine` (which should be a fresh fork). Never throws. */
export function replayTrace(text: string, engine: DetectionEngine): TraceReplay {
  const { events, errors } = parseAuditPayload(text);
  const out: TraceReplay = { events: 0, errors: errors.map((e) => e.message), alerts: [] };
  for (const item of events) {
    const ev = normalizeAuditEvent(withFreshAuditId(item));
    if (!('event' in ev)) {
      out.errors.push(ev.error);
      continue;
    }
    out.events += 1;
    out.alerts.push(engine.evaluate(ev as ShipEvent));
  }
  return out;
}

function tagsOf(alerts: Alert[]): Set<string> {
  return new Set(alerts.flatMap((a) => a.rule.groups));
}

function describeExpectation(e: TraceExpectation | undefined): string {
  if (!e) return 'no entry';
  if (e.malformed) return 'malformed';
  const parts: string[] = [];
  if (e.must.length) parts.push(`must ${e.must.join(' ')}`);
  if (e.must_not.length) parts.push(`not ${e.must_not.join(' ')}`);
  if (e.count !== undefined) parts.push(`count ${e.count}`);
  return parts.join('; ') || 'none';
}

/**
 * Checks one replay against its expectation; returns the mismatches (empty when it passes).
 * `validSample` is the text of a valid event, used to show that a malformed item does not take
 * the rest of its batch with it.
 */
export function checkTrace(
  name: string,
  r: TraceReplay,
  e: TraceExpectation,
  engine: DetectionEngine,
  batch?: { text: string; validSample: string },
): string[] {
  const fails: string[] = [];
  const all = r.alerts.flat();
  const tags = tagsOf(all);
  if (e.malformed) {
    if (r.errors.length === 0) fails.push(`${name}: malformed file accepted without an error`);
    if (r.events > 0) fails.push(`${name}: malformed file produced ${r.events} event(s)`);
    if (all.length > 0) fails.push(`${name}: malformed file raised ${all.length} alert(s)`);
    if (batch) {
      // The malformed item between two valid events of one batch: an error, and both events kept.
      const mixed = replayTrace(`${batch.validSample}\n${batch.text.trim()}\n${batch.validSample}\n`, engine.fork());
      if (mixed.events !== 2 || mixed.errors.length === 0) {
        fails.push(`${name}: in a batch between two valid events, got ${mixed.events} event(s) and ${mixed.errors.length} error(s)`);
      }
    }
    return fails;
  }
  if (r.errors.length > 0) fails.push(`${name}: ${r.errors.length} item(s) refused: ${r.errors.slice(0, 3).join('; ')}`);
  if (r.events === 0) fails.push(`${name}: no events read`);
  for (const t of e.must) if (!tags.has(t)) fails.push(`${name}: expected tag ${t}, raised ${[...tags].sort().join(', ') || 'nothing'}`);
  for (const t of e.must_not) {
    if (tags.has(t)) {
      const by = all.filter((a) => a.rule.groups.includes(t)).map((a) => a.rule.id);
      fails.push(`${name}: tag ${t} must not be raised (rules ${[...new Set(by)].join(', ')})`);
    }
  }
  if (e.count !== undefined) {
    const first = e.must[0];
    if (first === undefined) {
      fails.push(`${name}: count given without a must tag`);
    } else {
      const n = r.alerts.filter((evAlerts) => evAlerts.some((a) => a.rule.groups.includes(first))).length;
      if (n !== e.count) fails.push(`${name}: expected ${e.count} events raising ${first}, got ${n}`);
    }
  }
  return fails;
}

export async function runK8sAudit(dir: string, engine: DetectionEngine): Promise<AcceptanceResult> {
  const traceDir = path.join(dir, K8S_TRACE_DIR);
  const expectedFile = path.join(dir, K8S_EXPECTED_FILE);
  const result: AcceptanceResult = {
    title: 'Kubernetes audit: Falco 0.34.1 trace files',
    header: ['file', 'events', 'errors', 'alerts (rule ids)', 'tags raised', 'expected', 'result'],
    rows: [],
    failures: [],
  };
  let expected: Map<string, TraceExpectation>;
  let files: string[];
  try {
    expected = readExpectations(expectedFile);
    files = (await fs.promises.readdir(traceDir)).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    result.failures.push(`cannot read the acceptance material: ${(e as Error).message}`);
    return result;
  }
  const texts = new Map<string, string>();
  for (const f of files) {
    const text = await fs.promises.readFile(path.join(traceDir, f), 'utf8');
    texts.set(f, text);
  }
  // A valid one-line event for the malformed-in-a-batch check: the first line that parses.
  let validSample: string | undefined;
  for (const [f, text] of texts) {
    if (expected.get(f)?.malformed) continue;
    const line = text.split('\n').find((l) => l.trim() && parseAuditPayload(l.trim()).events.length === 1);
    if (line) {
      validSample = line.trim();
      break;
    }
  }

  for (const f of files) {
    const e = expected.get(f);
    let r: TraceReplay;
    try {
      r = replayTrace(texts.get(f)!, engine.fork());
    } catch (err) {
      // replayTrace does not throw; a throw here is an engine or normalizer bug worth a row.
      result.failures.push(`${f}: replay threw: ${(err as Error).message}`);
      result.rows.push([f, '-', '-', '-', '-', describeExpectation(e), 'FAIL (threw)']);
      continue;
    }
    const text = texts.get(f)!;
    const fails = e ? checkTrace(f, r, e, engine, validSample !== undefined ? { text, validSample } : undefined) : [];
    result.failures.push(...fails);
    const all = r.alerts.flat();
    const ids = [...new Set(all.map((a) => a.rule.id))].sort((a, b) => a - b);
    const tags = [...tagsOf(all)].sort();
    const errors = e?.malformed ? r.errors.join('; ') : String(r.errors.length);
    result.rows.push([
      f,
      String(r.events),
      errors,
      ids.length ? `${all.length} (${ids.join(', ')})` : '0',
      tags.join(' ') || '-',
      describeExpectation(e),
      e === undefined ? 'no expectation' : fails.length ? 'FAIL' : 'pass',
    ]);
  }
  for (const name of expected.keys()) {
    if (!texts.has(name)) result.failures.push(`${name}: listed in expected.yaml but not found in ${traceDir}`);
  }
  return result;
}
