// Test helpers: events with the DESIGN.md §3 envelope, and one-rule engines for condition tests.

import type { ShipEvent } from '../../../event/event.js';
import { DetectionEngine } from '../engine.js';
import type { EngineOptions, RuleFile } from '../types.js';

let seq = 0;

/** An event at `time` (seconds after a fixed epoch, or an RFC 3339 string) with extra fields. */
export function mkEvent(fields: Record<string, unknown> = {}, opts: { source?: string; action?: string; time?: number | string } = {}): ShipEvent {
  seq += 1;
  const t = opts.time ?? 0;
  const time = typeof t === 'string' ? t : new Date(Date.UTC(2025, 0, 1) + Math.round(t * 1000)).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  const { event: extraMeta, ...rest } = fields as { event?: Record<string, unknown> };
  return {
    event: { id: `ev-${seq}`, time, source: (opts.source ?? 'docker') as ShipEvent['event']['source'], action: opts.action ?? 'start', ...(extraMeta ?? {}) },
    host: { name: 'node-1' },
    ...rest,
  };
}

export function engineOf(text: string, opts: EngineOptions = {}, more: RuleFile[] = []): DetectionEngine {
  return DetectionEngine.fromYaml([{ name: 'test.yaml', text }, ...more], opts);
}

/** Indents a block so it can be placed under a YAML key. */
export function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((l) => (l ? ' '.repeat(spaces) + l : l))
    .join('\n');
}

/**
 * Compiles one condition as rule 100001 and returns a predicate over events; throws with the
 * load errors when the rule does not load, so a test cannot pass on a refused rule.
 */
export function condition(cond: string, extra: { lists?: string; macros?: string } = {}, traced = false): (ev: ShipEvent) => boolean {
  const text = [
    extra.lists ? `lists:\n${indent(extra.lists, 2)}` : '',
    extra.macros ? `macros:\n${indent(extra.macros, 2)}` : '',
    'rules:',
    '  - id: 100001',
    '    level: 5',
    '    description: t',
    `    condition: ${JSON.stringify(cond)}`,
  ].join('\n');
  const engine = engineOf(text);
  const errors = engine.loadErrors().filter((i) => i.severity === 'error');
  if (errors.length > 0 || engine.rules().some((r) => r.error)) throw new Error(`rule refused: ${JSON.stringify(errors)}`);
  // `traced` goes through the tracing closures instead of the generated code.
  if (traced) return (ev) => engine.evaluateWithTrace(ev).alerts.some((a) => a.rule.id === 100001);
  return (ev) => engine.evaluate(ev).some((a) => a.rule.id === 100001);
}

export function errorsOf(engine: DetectionEngine): string[] {
  return engine
    .loadErrors()
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
}
