import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineOf, mkEvent } from './testing/helpers.js';

const TEXT = `
macros:
  is_start: event.source = docker and event.action = start
rules:
  - id: 100001
    level: 3
    description: start
    condition: is_start
  - id: 100002
    parent: 100001
    level: 9
    description: privileged or host pid
    condition: container.privileged = true or container.pid_mode = host
  - id: 100003
    parent: 100001
    level: 5
    description: burst
    condition: container.name exists
    frequency: 3
    timeframe: 1m
    same: [container.name]
  - id: 100004
    level: 4
    description: other tree
    condition: event.action = start and container.image startswith redis
`;

describe('evaluateWithTrace', () => {
  it('lists every rule considered with each clause, its result and the value it saw', () => {
    const e = engineOf(TEXT);
    const ev = mkEvent({ container: { name: 'web', privileged: false, image: 'nginx' } });
    const { alerts, trace } = e.evaluateWithTrace(ev);
    assert.deepEqual(alerts.map((a) => a.rule.id), [100001]);
    const byId = new Map(trace.map((t) => [t.ruleId, t]));
    assert.deepEqual([...byId.keys()].sort(), [100001, 100002, 100003, 100004]);

    const root = byId.get(100001)!;
    assert.equal(root.matched, true);
    assert.equal(root.outcome, 'alert');
    assert.deepEqual(root.clauses, [
      { clause: 'event.source = docker', field: 'event.source', op: '=', result: true, value: 'docker', macro: 'is_start' },
      { clause: 'event.action = start', field: 'event.action', op: '=', result: true, value: 'start', macro: 'is_start' },
    ]);

    const priv = byId.get(100002)!;
    assert.equal(priv.parent, 100001);
    assert.equal(priv.conditionMatched, false);
    assert.deepEqual(priv.clauses, [
      { clause: 'container.privileged = true', field: 'container.privileged', op: '=', result: false, value: false },
      { clause: 'container.pid_mode = host', field: 'container.pid_mode', op: '=', result: false, missing: true },
    ], 'both sides of the or are shown, the missing field marked');

    const burst = byId.get(100003)!;
    assert.equal(burst.conditionMatched, true);
    assert.deepEqual(burst.correlation, { count: 1, frequency: 3, timeframe: '1m', reached: false });
    assert.equal(burst.matched, false);

    const other = byId.get(100004)!;
    assert.deepEqual(other.clauses.map((c) => c.result), [true, false], 'and is not short-circuited in traces');
    assert.equal(other.outcome, undefined);
  });

  it('records suppressed and silent outcomes', () => {
    const e = engineOf(`
rules:
  - {id: 100001, level: 3, description: a, condition: event.action = start, ignore: 1m}
  - {id: 100002, level: 0, description: quiet, condition: event.action = start}
`);
    e.evaluate(mkEvent({}, { time: 0 }));
    const { alerts, trace } = e.evaluateWithTrace(mkEvent({}, { time: 1 }));
    assert.deepEqual(alerts, []);
    assert.equal(trace.find((t) => t.ruleId === 100001)!.outcome, 'suppressed');
    assert.equal(trace.find((t) => t.ruleId === 100002)!.outcome, 'silent');
  });

  it('gives the same alerts as evaluate, including correlation', () => {
    const a = engineOf(TEXT);
    const b = engineOf(TEXT);
    for (let i = 0; i < 10; i += 1) {
      const ev = mkEvent({ container: { name: `c${i % 2}`, privileged: i === 7 } }, { time: i });
      assert.deepEqual(
        a.evaluate(ev).map((x) => x.rule.id),
        b.evaluateWithTrace(ev).alerts.map((x) => x.rule.id),
      );
    }
  });
});
