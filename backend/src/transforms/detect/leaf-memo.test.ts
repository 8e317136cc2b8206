import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineOf, mkEvent } from './testing/helpers.js';

// Rules that share a macro share its comparisons' answers within one event (leaf-memo.ts).
const RULES = `
macros:
  prod_web: container.name = web and container.labels.env in (prod, production)
rules:
  - id: 1
    level: 5
    description: a
    condition: prod_web and docker.exec.command = a
  - id: 2
    level: 5
    description: b
    condition: prod_web and docker.exec.command = b
  - id: 3
    level: 5
    description: c
    condition: not prod_web and docker.exec.command = c
`;

const ev = (name: string, env: string, cmd: string) => mkEvent({ container: { name, labels: { env } }, docker: { exec: { command: cmd } } }, { action: 'exec_start' });
const fired = (e: ReturnType<typeof engineOf>, x: ReturnType<typeof ev>) => e.evaluate(x).map((a) => a.rule.id);

describe('shared answers of macro comparisons', () => {
  it('belong to one event: the next event gets its own', () => {
    const e = engineOf(RULES);
    assert.deepEqual(fired(e, ev('web', 'prod', 'a')), [1]);
    assert.deepEqual(fired(e, ev('web', 'prod', 'b')), [2]);
    // The macro now fails: an answer kept from the event before would fire 2 and not 3.
    assert.deepEqual(fired(e, ev('db', 'prod', 'b')), []);
    assert.deepEqual(fired(e, ev('db', 'prod', 'c')), [3]);
    assert.deepEqual(fired(e, ev('web', 'staging', 'c')), [3]);
    assert.deepEqual(fired(e, ev('web', 'production', 'c')), []);
    assert.deepEqual(fired(e, ev('web', 'production', 'a')), [1]);
  });

  it('traced and untraced evaluations of the same events agree', () => {
    const e = engineOf(RULES);
    const events = [ev('web', 'prod', 'a'), ev('db', 'prod', 'a'), ev('web', 'prod', 'b'), ev('web', 'dev', 'c')];
    for (const x of [...events, ...events.reverse()]) {
      const plain = fired(e, x);
      const traced = e.evaluateWithTrace(x).alerts.map((a) => a.rule.id);
      assert.deepEqual(plain, traced);
      assert.deepEqual(fired(e, x), plain, 'the same event again');
    }
  });
});
