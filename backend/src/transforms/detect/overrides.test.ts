import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DetectionEngine } from './engine.js';
import { engineOf, errorsOf, mkEvent } from './testing/helpers.js';

const SHIPPED = `
lists:
  trusted_registries: [docker.io, ghcr.io]
macros:
  container_started: event.source = docker and event.action = start
rules:
  - id: 100700
    level: 10
    description: "privileged container {container.name}"
    groups: [privileged]
    condition: container_started and container.privileged = true
    exceptions:
      - name: known_images
        fields: [container.image, container.name]
        values:
          - [cadvisor, cadvisor]
          - [node-exporter, exporter]
      - name: infra_prefix
        fields: container.image
        comps: startswith
        values: [registry.local/infra/, quay.io/prometheus/]
  - id: 100701
    level: 6
    description: "image from untrusted registry: {container.image}"
    groups: [untrusted_registry]
    condition: container_started and not container.image_registry in (trusted_registries)
  - id: 100702
    level: 3
    description: "container started"
    groups: [container_lifecycle]
    condition: container_started
`;

const start = (c: Record<string, unknown>) => mkEvent({ container: c });
const ids = (e: DetectionEngine, c: Record<string, unknown>) => e.evaluate(start(c)).map((a) => a.rule.id);

describe('exceptions', () => {
  const e = engineOf(SHIPPED);
  it('loads', () => assert.deepEqual(errorsOf(e), []));

  it('an event whose tuple equals a row does not match', () => {
    assert.ok(ids(e, { privileged: true, image: 'cadvisor', name: 'cadvisor', image_registry: 'docker.io' }).every((id) => id !== 100700));
    assert.ok(ids(e, { privileged: true, image: 'cadvisor', name: 'other', image_registry: 'docker.io' }).includes(100700), 'only the whole tuple exempts');
    assert.ok(ids(e, { privileged: true, image: 'node-exporter', name: 'cadvisor', image_registry: 'docker.io' }).includes(100700), 'values from different rows do not mix');
  });

  it('single-field exceptions with a comparison operator', () => {
    assert.ok(!ids(e, { privileged: true, image: 'registry.local/infra/agent:1', name: 'a', image_registry: 'docker.io' }).includes(100700));
    assert.ok(ids(e, { privileged: true, image: 'registry.local/apps/agent:1', name: 'a', image_registry: 'docker.io' }).includes(100700));
  });

  it('shows in the trace which exception removed the event', () => {
    const { trace } = e.evaluateWithTrace(start({ privileged: true, image: 'quay.io/prometheus/node', name: 'n', image_registry: 'docker.io' }));
    const t = trace.find((r) => r.ruleId === 100700)!;
    assert.equal(t.conditionMatched, true);
    assert.equal(t.exception, 'infra_prefix');
    assert.equal(t.matched, false);
  });

  it('hashes long allow-lists without changing their meaning', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `          - [img${i}, ${i}]`).join('\n');
    const text = `
rules:
  - id: 100800
    level: 5
    description: x
    condition: event.action = start
    exceptions:
      - name: many
        fields: [container.image, container.name]
        values:
${rows}
`;
    const big = engineOf(text);
    assert.deepEqual(errorsOf(big), []);
    const fire = (image: unknown, name: unknown) => big.evaluate(start({ image, name })).length === 1;
    assert.equal(fire('img7', '7'), false);
    assert.equal(fire('img7', 7), false, 'a number field equals the row text');
    assert.equal(fire('img7', '8'), true);
    assert.equal(fire(['x', 'img49'], '49'), false, 'array fields: any element');
    assert.equal(fire('img7', undefined), true);
  });
});

describe('overrides from the local directory', () => {
  const local = (text: string) => DetectionEngine.fromYaml([
    { name: 'shipped.yaml', text: SHIPPED },
    { name: 'local.yaml', text, origin: 'local' },
  ]);
  const ev = { privileged: true, image: 'evil.io/miner', name: 'm', image_registry: 'evil.io' };

  it('disables a rule and changes a level', () => {
    const e = local(`
overrides:
  rules:
    - id: 100702
      enabled: false
    - id: 100700
      level: 13
`);
    assert.deepEqual(errorsOf(e), []);
    const alerts = e.evaluate(start(ev));
    assert.deepEqual(alerts.map((a) => [a.rule.id, a.rule.level, a.severity]), [[100700, 13, 'critical'], [100701, 6, 'medium']]);
    const infos = new Map(e.rules().map((r) => [r.id, r]));
    assert.equal(infos.get(100702)!.enabled, false);
    assert.equal(infos.get(100702)!.overridden, true);
    assert.equal(infos.get(100701)!.overridden, false);
  });

  it('appends to a list and appends exceptions', () => {
    const e = local(`
overrides:
  lists:
    trusted_registries:
      append: [evil.io]
  rules:
    - id: 100700
      exceptions:
        - name: our_miner
          fields: [container.name]
          values: [[m]]
`);
    assert.deepEqual(errorsOf(e), []);
    assert.deepEqual(e.evaluate(start(ev)).map((a) => a.rule.id), [100702]);
    assert.deepEqual(e.evaluate(start({ ...ev, name: 'n' })).map((a) => a.rule.id), [100700, 100702], 'the shipped exceptions still apply alongside');
  });

  it('replaces a list or a macro', () => {
    const e = local(`
overrides:
  lists:
    trusted_registries:
      replace: [evil.io]
  macros:
    container_started:
      condition: event.source = docker and event.action in (start, restart)
`);
    assert.deepEqual(errorsOf(e), []);
    assert.deepEqual(e.evaluate(mkEvent({ container: { image_registry: 'docker.io' } }, { action: 'restart' })).map((a) => a.rule.id), [100701, 100702]);
  });

  it('a broken override exception is dropped alone; the shipped rule keeps running', () => {
    const e = local(`
overrides:
  rules:
    - id: 100700
      exceptions:
        - name: bad
          fields: [container.name]
          comps: [regex]
          values: [["(?<=x)"]]
`);
    const errs = errorsOf(e);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^local.yaml:9:\d+: exception 'bad': invalid regex .*this override exception is ignored$/);
    assert.ok(e.evaluate(start(ev)).some((a) => a.rule.id === 100700));
  });

  it('warns on overrides of unknown rules and lists, and refuses unsupported changes', () => {
    const e = local(`
overrides:
  rules:
    - id: 109999
      enabled: false
    - id: 100701
      condition: event.action = start
  lists:
    nope:
      append: [x]
`);
    const issues = e.loadErrors().map((i) => `${i.severity} ${i.line} ${i.message}`);
    assert.ok(issues.includes('warning 4 no rule 109999 to override; ignored'), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith("error 7 a rule override changes enabled, level or exceptions; 'condition'")), issues.join('\n'));
    assert.ok(issues.includes("warning 9 no list 'nope' to override; ignored"), issues.join('\n'));
  });

  it('works from real directories, and a local file never changes the shipped one', () => {
    const root = mkdtempSync(join(tmpdir(), 'detect-dirs-'));
    try {
      const shippedDir = join(root, 'rules');
      const localDir = join(root, 'local');
      mkdirSync(shippedDir);
      mkdirSync(localDir);
      writeFileSync(join(shippedDir, 'docker.yaml'), SHIPPED);
      writeFileSync(join(shippedDir, 'README.md'), 'not rules');
      const e = DetectionEngine.fromDirs({ shippedDir, localDir });
      assert.deepEqual(e.evaluate(start(ev)).map((a) => a.rule.id), [100700, 100701, 100702]);
      writeFileSync(join(localDir, 'tuning.yaml'), 'overrides:\n  rules:\n    - {id: 100701, enabled: false}\n');
      writeFileSync(join(localDir, 'mine.yaml'), 'rules:\n  - {id: 200001, level: 4, description: mine, condition: container.name = m}\n');
      const report = e.reload();
      assert.equal(report.errors, 0);
      assert.equal(report.files, 3);
      assert.deepEqual(e.evaluate(start(ev)).map((a) => a.rule.id), [100700, 200001, 100702]);
      const mine = e.rules().find((r) => r.id === 200001)!;
      assert.equal(mine.file, join(localDir, 'mine.yaml'));
      const missing = DetectionEngine.fromDirs({ shippedDir, localDir: join(root, 'does-not-exist') });
      assert.deepEqual(errorsOf(missing), [], 'a missing local directory is an empty one');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
