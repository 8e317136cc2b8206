import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShipEvent } from '../../event/event.js';
import { re2Status } from './regex.js';
import { engineOf, errorsOf, mkEvent } from './testing/helpers.js';

describe('RE2 regexes', () => {
  it('the native RE2 module is loaded (no fallback to RegExp)', () => {
    assert.deepEqual(re2Status(), { ok: true });
  });

  it('a catastrophic pattern answers in milliseconds', () => {
    const e = engineOf('rules:\n  - {id: 100001, level: 5, description: x, condition: "log.message regex \\"^(a+)+$\\""}\n');
    assert.deepEqual(errorsOf(e), []);
    const ev = mkEvent({ log: { message: `${'a'.repeat(40)}!` } }, { source: 'log', action: 'line' });
    const t0 = performance.now();
    const alerts = e.evaluate(ev);
    const ms = performance.now() - t0;
    assert.deepEqual(alerts, []);
    assert.ok(ms < 200, `took ${ms} ms`);
    assert.equal(e.evaluate(mkEvent({ log: { message: 'aaaa' } })).length, 1, 'and still matches what it should');
  });

  it('hostile globs are linear too', () => {
    const e = engineOf('rules:\n  - {id: 100001, level: 5, description: x, condition: "log.message glob \\"*a*a*a*a*a*a*a*a*b\\""}\n');
    const t0 = performance.now();
    assert.deepEqual(e.evaluate(mkEvent({ log: { message: 'a'.repeat(100_000) } })), []);
    assert.ok(performance.now() - t0 < 200);
  });

  it('backreferences and lookaround are load errors naming rule, file, line and column', () => {
    const text = [
      'rules:',
      '  - id: 100001',
      '    level: 5',
      '    description: backref',
      "    condition: log.message regex '(\\w+) \\1'",
      '  - id: 100002',
      '    level: 5',
      '    description: lookahead',
      '    condition: log.message regex ("ok", "foo(?!bar)")',
    ].join('\n');
    const e = engineOf(text);
    const errs = e.loadErrors().filter((i) => i.severity === 'error');
    assert.deepEqual(
      errs.map((i) => [i.file, i.ruleId, i.line, i.column]),
      [
        ['test.yaml', 100001, 5, 34],
        ['test.yaml', 100002, 9, 41],
      ],
    );
    assert.match(errs[0]!.message, /invalid regex/);
    assert.match(errs[1]!.message, /foo\(\?!bar\)/);
  });
});

const RULES = `
rules:
  - {id: 100001, level: 5, description: "name {container.name} {container}", condition: "container.name = web"}
  - {id: 100002, level: 5, description: regex, condition: "log.message regex \\"(?i)select.+from\\""}
  - {id: 100003, level: 5, description: text ops, condition: "log.message icontains (passwd, shadow) or log.message glob \\"*etc*\\" or log.message endswith x"}
  - {id: 100004, level: 5, description: deep, condition: "container.labels.a.a exists", frequency: 2, timeframe: 1m, same: [container]}
  - {id: 100005, level: 5, description: cidr, condition: "source.ip in_cidr (10.0.0.0/8)"}
  - {id: 100006, level: 5, description: numbers, condition: "metric.cpu.percent > 50"}
  - {id: 100007, level: 5, description: always, condition: "event.action exists"}
`;

function deepObject(levels: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < levels; i += 1) o = { a: o };
  return o;
}

describe('bad input never throws out of evaluate', () => {
  const e = engineOf(RULES);
  it('loads', () => assert.deepEqual(errorsOf(e), []));

  const hostile: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'event'],
    ['an empty object', {}],
    ['event: null', { event: null }],
    ['fields of the wrong types', { event: { time: 5, action: 7, source: ['docker'] }, container: 'web', log: { message: { x: 1 } }, source: { ip: 42 }, metric: { cpu: { percent: {} } } }],
  ];
  for (const [name, ev] of hostile) {
    it(`survives ${name}`, () => {
      assert.doesNotThrow(() => e.evaluate(ev as ShipEvent));
      assert.doesNotThrow(() => e.evaluateWithTrace(ev as ShipEvent));
    });
  }

  it('an event with 10,000 fields', () => {
    const container: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i += 1) container[`f${i}`] = i;
    container.name = 'web';
    const ev = mkEvent({ container });
    const t0 = performance.now();
    const { alerts, trace } = e.evaluateWithTrace(ev);
    assert.ok(alerts.some((a) => a.rule.id === 100001));
    assert.equal(alerts.find((a) => a.rule.id === 100001)!.rule.description, 'name web {…}');
    assert.ok(trace.length > 0);
    assert.ok(performance.now() - t0 < 500);
  });

  it('an event nested 1,000 (and 100,000) levels deep', () => {
    for (const levels of [1_000, 100_000]) {
      const ev = mkEvent({ container: { labels: deepObject(levels), name: 'web' }, log: { message: deepObject(levels) } });
      const { alerts, trace } = e.evaluateWithTrace(ev);
      assert.ok(alerts.some((a) => a.rule.id === 100001), `levels=${levels}`);
      assert.ok(trace.some((t) => t.ruleId === 100004));
      // The same-key of rule 100004 is the whole container object: hashed, never a stack overflow.
      assert.doesNotThrow(() => e.evaluate(ev));
    }
    assert.equal(e.stats().runtimeErrors, 0);
  });

  it('a 1 MiB string value', () => {
    const big = `${'x'.repeat(1 << 20)}`;
    const ev = mkEvent({ log: { message: big }, container: { name: big } });
    const t0 = performance.now();
    const { alerts, trace } = e.evaluateWithTrace(ev);
    assert.ok(alerts.some((a) => a.rule.id === 100003), 'endswith x');
    const clause = trace.flatMap((t) => t.clauses).find((c) => c.field === 'log.message')!;
    assert.ok(typeof clause.value === 'string' && clause.value.length < 1000, 'the trace holds a summary, not the value');
    assert.ok(performance.now() - t0 < 1000, `took ${performance.now() - t0} ms`);
  });

  it('a rule that throws at runtime is caught and counted; the other rules still run', () => {
    const ev = mkEvent({ log: { message: 'ok' }, source: { ip: '10.0.0.1' } });
    Object.defineProperty(ev, 'container', {
      enumerable: true,
      get() {
        throw new Error('hostile getter');
      },
    });
    const before = e.stats().runtimeErrors;
    const alerts = e.evaluate(ev);
    assert.deepEqual(alerts.map((a) => a.rule.id).sort(), [100005, 100007]);
    assert.equal(e.stats().runtimeErrors - before, 2, 'rules 100001 and 100004 read container');
    const info = e.rules().find((r) => r.id === 100001)!;
    assert.ok(info.runtimeErrors >= 1);
    const { trace } = e.evaluateWithTrace(ev);
    assert.ok(trace.some((t) => t.ruleId === 100001 && t.error === 'hostile getter'));
  });
});

describe('runtime errors are charged to the rule that failed', () => {
  it('a failing child is counted on the child, and its parent still alerts', () => {
    const e = engineOf(`
rules:
  - {id: 100001, level: 3, description: parent, condition: event.action = start}
  - {id: 100002, parent: 100001, level: 9, description: child, condition: container.name = x}
`);
    const ev = mkEvent({});
    Object.defineProperty(ev, 'container', {
      enumerable: true,
      get() {
        throw { get message(): string { throw new Error('worse'); } };
      },
    });
    assert.deepEqual(e.evaluate(ev).map((a) => a.rule.id), [100001]);
    const infos = new Map(e.rules().map((r) => [r.id, r.runtimeErrors]));
    assert.equal(infos.get(100002), 1);
    assert.equal(infos.get(100001), 0);
    const { trace } = e.evaluateWithTrace(ev);
    assert.equal(trace.find((t) => t.error)!.ruleId, 100002);
  });
});
