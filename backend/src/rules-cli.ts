import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DetectionEngine } from './transforms/detect/engine.js';
import { prepareInput } from './transforms/detect/golden.js';
import type { ShipEvent } from './event/event.js';

const USAGE = `usage: shipwatch rules test <events.jsonl> [--rules DIR] [--shipped DIR] [--trace] [--json]

Runs each line of the file (a normalized event, {"docker_event": ...}, {"k8s_audit": ...} or
{"log_line": "..."}) through the same decode and rules path as live events, in order, sharing
correlation state, and prints the alerts of each. --rules adds a directory of your own rules and
overrides (as the local rules directory does).`;

/** `shipwatch rules test`: the rule tester without a running collector. */
export function rulesCommand(argv: string[], shippedDefault: string): number {
  const [sub, ...rest] = argv;
  if (sub !== 'test') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let args;
  try {
    args = parseArgs({ args: rest, allowPositionals: true, options: { rules: { type: 'string' }, shipped: { type: 'string' }, trace: { type: 'boolean' }, json: { type: 'boolean' } } });
  } catch (err) {
    process.stderr.write(`shipwatch rules test: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = args.positionals[0];
  if (!file || args.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`shipwatch rules test: ${file}: cannot read it (${(err as NodeJS.ErrnoException).code})\n`);
    return 2;
  }
  const engine = DetectionEngine.fromDirs({ shippedDir: args.values.shipped ?? shippedDefault, localDir: args.values.rules });
  const issues = engine.loadErrors().filter((i) => i.severity === 'error');
  for (const i of issues) process.stderr.write(`${i.file}:${i.line}:${i.column}: ${i.message}\n`);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let alerts = 0;
  let bad = 0;
  text.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch (err) {
      bad += 1;
      process.stderr.write(`${file}:${n + 1}: not JSON (${(err as Error).message})\n`);
      return;
    }
    const ev = prepareInput(input, n);
    if (!('event' in ev)) {
      bad += 1;
      process.stderr.write(`${file}:${n + 1}: ${(ev as { error: string }).error}\n`);
      return;
    }
    const r = engine.evaluateWithTrace(ev as ShipEvent);
    alerts += r.alerts.length;
    if (args.values.json) {
      out(JSON.stringify({ line: n + 1, alerts: r.alerts, ...(args.values.trace ? { trace: r.trace } : {}) }));
      return;
    }
    const what = r.alerts.map((a) => `${a.rule.id} [${a.rule.level} ${a.severity}] ${a.rule.description}`).join('; ') || '-';
    out(`${file}:${n + 1}: ${what}`);
    if (args.values.trace) {
      for (const t of r.trace) {
        out(`    rule ${t.ruleId}: ${t.matched ? 'matched' : 'no match'}${t.outcome ? ` (${t.outcome})` : ''}${t.exception ? ` except ${t.exception}` : ''}`);
        for (const c of t.clauses) out(`      ${c.result ? 'true ' : 'false'} ${c.clause}${c.missing ? '  (field missing)' : c.value !== undefined ? `  (saw ${JSON.stringify(c.value)})` : ''}`);
      }
    }
  });
  if (!args.values.json) out(`${alerts} alert(s); ${bad} bad line(s); ${issues.length} rule load error(s)`);
  return issues.length > 0 || bad > 0 ? 1 : 0;
}
