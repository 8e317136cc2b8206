// The examples of rules/README.md must stay true.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DetectionEngine } from './engine.js';
import { errorsOf, mkEvent } from './testing/helpers.js';

const readme = readFileSync(new URL('../../../../rules/README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('rules/README.md examples', () => {
  it('the first example loads and behaves as described', () => {
    const e = DetectionEngine.fromYaml([{ name: 'example.yaml', text: blocks[0]! }]);
    assert.deepEqual(errorsOf(e), []);
    const exec = (cmd: string, t: number, extra: Record<string, unknown> = {}) =>
      e.evaluate(mkEvent({ container: { id: 'c1', name: 'web', image: 'nginx', ...extra }, docker: { exec: { command: cmd } } }, { action: 'exec_start', time: t })).map((a) => `${a.rule.id}/${a.rule.level}`);
    assert.deepEqual(exec('ls -l', 0), ['100100/3']);
    assert.deepEqual(exec('/healthcheck.sh', 1), []);
    assert.deepEqual(exec('bash -c pg_dump', 2, { image: 'docker.io/library/postgres:16' }), ['100100/3'], 'the exception removes the shell rule');
    assert.deepEqual(exec('bash', 3), ['100101/8']);
    assert.deepEqual(exec('sh', 4), ['100101/8']);
    assert.deepEqual(exec('zsh', 5), ['100103/12'], 'third shell in ten minutes');
    assert.deepEqual(exec('bash', 6), ['100101/8']);
    assert.deepEqual(exec('bash', 7), ['100101/8']);
    assert.deepEqual(exec('bash', 8), [], 'threshold reached again inside the 30m suppression: nothing');
  });

  it('the overrides example loads as a local file over the first example', () => {
    const overrides = blocks.find((b) => b.startsWith('overrides:'))!;
    const e = DetectionEngine.fromYaml([
      { name: 'example.yaml', text: blocks[0]! },
      { name: 'local.yaml', text: overrides, origin: 'local' },
    ]);
    assert.deepEqual(errorsOf(e), []);
    const warnings = e.loadErrors().filter((i) => i.severity === 'warning').map((i) => i.message);
    assert.ok(warnings.some((w) => w.includes("no list 'trusted_registries'")));
    assert.ok(warnings.some((w) => w.includes("no macro 'known_exec'")));
    const info = e.rules().find((r) => r.id === 100101)!;
    assert.equal(info.level, 5);
    assert.equal(info.overridden, true);
    assert.equal(e.rules().find((r) => r.id === 100100)!.enabled, false);
  });

  it('the exceptions snippet is valid inside a rule', () => {
    const snippet = blocks.find((b) => b.includes('trusted_images'))!;
    const text = `rules:\n  - id: 100001\n    level: 5\n    description: x\n    condition: event.action = start\n${snippet}`;
    const e = DetectionEngine.fromYaml([{ name: 'x.yaml', text }]);
    assert.deepEqual(errorsOf(e), []);
    assert.equal(e.evaluate(mkEvent({ container: { image: 'quay.io/prometheus/node', name: 'node-exporter' } })).length, 0);
    assert.equal(e.evaluate(mkEvent({ container: { name: 'gitlab-runner' } })).length, 0);
    assert.equal(e.evaluate(mkEvent({ container: { name: 'other' } })).length, 1);
  });
});
