import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectionEngine } from './engine.js';
import { engineOf, errorsOf, mkEvent } from './testing/helpers.js';

const exec = (cmd: string, extra: Record<string, unknown> = {}) => mkEvent({ container: { name: 'web', image: 'nginx' }, docker: { exec: { command: cmd } }, ...extra }, { action: 'exec_start' });

const TREE = `
lists:
  shells: [sh, bash, /bin/sh, /bin/bash]
rules:
  - id: 100100
    level: 3
    description: "exec in {container.name}: {docker.exec.command}"
    groups: [container_exec]
    condition: event.source = docker and event.action = exec_start
  - id: 100101
    parent: 100100
    level: 8
    description: "shell in {container.name}"
    groups: [container_exec, shell]
    mitre: [T1059.004]
    condition: docker.exec.command startswith (shells)
  - id: 100102
    parent: 100101
    level: 12
    description: "interactive shell in {container.name}"
    groups: [shell]
    condition: docker.exec.command endswith " -i"
  - id: 100103
    parent: 100100
    level: 0
    description: health check
    condition: docker.exec.command startswith /healthcheck
  - id: 100104
    parent: 100101
    level: 0
    description: known maintenance shell
    condition: container.name = maint
`;

describe('parent chains', () => {
  const engine = engineOf(TREE);

  it('loads without errors', () => assert.deepEqual(errorsOf(engine), []));

  it('alerts with the deepest matching rule of the chain', () => {
    assert.deepEqual(engine.evaluate(exec('ls /')).map((a) => a.rule.id), [100100]);
    assert.deepEqual(engine.evaluate(exec('bash -c id')).map((a) => a.rule.id), [100101]);
    assert.deepEqual(engine.evaluate(exec('bash -i')).map((a) => a.rule.id), [100102]);
  });

  it('a child never runs when its parent does not match', () => {
    const notExec = mkEvent({ docker: { exec: { command: 'bash -i' } } }, { action: 'start' });
    assert.deepEqual(engine.evaluate(notExec), []);
  });

  it('a level-0 rule matches and silences its branch', () => {
    assert.deepEqual(engine.evaluate(exec('/healthcheck.sh')), []);
    assert.deepEqual(engine.evaluate(exec('bash -c id', { container: { name: 'maint' } })), [], 'the level-0 child is the deepest match');
    assert.deepEqual(engine.evaluate(exec('bash -i', { container: { name: 'maint' } })).map((a) => a.rule.id), [100102], 'a higher-level sibling is tried first');
  });

  it('has the alert shape of DESIGN.md §4', () => {
    const ev = exec('bash -c id');
    const [a] = engine.evaluate(ev);
    assert.ok(a);
    assert.deepEqual(Object.keys(a).sort(), ['count', 'event', 'id', 'rule', 'severity', 'time']);
    assert.deepEqual(a.rule, { id: 100101, level: 8, description: 'shell in web', groups: ['container_exec', 'shell'], mitre: ['T1059.004'] });
    assert.equal(a.severity, 'high');
    assert.equal(a.count, 1);
    assert.equal(a.time, ev.event.time);
    assert.equal(a.event, ev);
    assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('sibling order', () => {
  it('tries higher level first, then lower id, and follows the first match', () => {
    const text = `
rules:
  - {id: 100001, level: 2, description: root, condition: event.action = start}
  - {id: 100010, parent: 100001, level: 5, description: low-a, condition: container.name = web}
  - {id: 100005, parent: 100001, level: 5, description: low-b, condition: container.name = web}
  - {id: 100020, parent: 100001, level: 7, description: high, condition: container.image = nginx}
  - {id: 100030, parent: 100005, level: 1, description: under low-b, condition: container.image = redis}
  - {id: 100040, parent: 100001, level: 0, description: silence, condition: container.image = quiet}
`;
    const e = engineOf(text);
    assert.deepEqual(errorsOf(e), []);
    const ev = (name: string, image: string) => mkEvent({ container: { name, image } });
    assert.deepEqual(e.evaluate(ev('web', 'nginx')).map((a) => a.rule.id), [100020], 'level 7 before level 5');
    assert.deepEqual(e.evaluate(ev('web', 'alpine')).map((a) => a.rule.id), [100005], 'same level: lower id first');
    assert.deepEqual(e.evaluate(ev('web', 'redis')).map((a) => a.rule.id), [100030], 'the chosen branch is followed down');
    assert.deepEqual(e.evaluate(ev('db', 'alpine')).map((a) => a.rule.id), [100001]);
    assert.deepEqual(e.evaluate(ev('web', 'quiet')).map((a) => a.rule.id), [100005], 'level 0 comes last among siblings');
    assert.deepEqual(e.evaluate(ev('db', 'quiet')), [], 'and silences what no other sibling takes');
  });

  it('the greedy walk keeps the first matching branch even if another would go deeper', () => {
    const text = `
rules:
  - {id: 100001, level: 2, description: root, condition: event.action = start}
  - {id: 100002, parent: 100001, level: 9, description: a, condition: container.name = web}
  - {id: 100003, parent: 100001, level: 4, description: b, condition: container.name = web}
  - {id: 100004, parent: 100003, level: 3, description: under b, condition: container.name = web}
`;
    assert.deepEqual(engineOf(text).evaluate(mkEvent({ container: { name: 'web' } })).map((a) => a.rule.id), [100002]);
  });
});

describe('independent roots', () => {
  it('each root tree can give one alert; alerts are ordered by level then id', () => {
    const text = `
rules:
  - {id: 100001, level: 3, description: any start, condition: event.action = start}
  - {id: 100002, level: 10, description: privileged, condition: event.action = start and container.privileged = true}
  - {id: 100003, level: 10, description: host net, condition: container.network_mode = host}
  - {id: 100004, level: 5, description: never, condition: event.action = stop}
`;
    const e = engineOf(text);
    const alerts = e.evaluate(mkEvent({ container: { privileged: true, network_mode: 'host' } }));
    assert.deepEqual(alerts.map((a) => a.rule.id), [100002, 100003, 100001]);
  });

  it('disabled rules and their subtrees never run', () => {
    const text = `
rules:
  - {id: 100001, level: 3, description: a, condition: event.action = start, enabled: false}
  - {id: 100002, parent: 100001, level: 9, description: b, condition: container.name = web}
  - {id: 100003, level: 4, description: c, condition: event.action = start}
`;
    const e = engineOf(text);
    assert.deepEqual(e.evaluate(mkEvent({ container: { name: 'web' } })).map((a) => a.rule.id), [100003]);
    assert.ok(e.loadErrors().some((i) => i.severity === 'warning' && i.ruleId === 100002 && /disabled/.test(i.message)));
    assert.equal(e.rules().find((r) => r.id === 100001)!.enabled, false);
  });
});

describe('descriptions', () => {
  it('substitutes fields, writes <NA> for missing ones, joins arrays and keeps {{ }}', () => {
    const text = `
rules:
  - id: 100001
    level: 3
    description: "{{literal}} {container.name} caps={container.cap_add} user={user.name} labels={container.labels.com.docker.compose.service}"
    condition: event.action = start
`;
    const [a] = engineOf(text).evaluate(mkEvent({ container: { name: 'web', cap_add: ['NET_ADMIN', 'SYS_TIME'], labels: { 'com.docker.compose.service': 'api' } } }));
    assert.equal(a!.rule.description, '{literal} web caps=NET_ADMIN, SYS_TIME user=<NA> labels=api');
  });
});

describe('index', () => {
  it('skips nothing: indexed and unindexed engines agree on a mixed stream', () => {
    const text = `
macros:
  docker_start: event.source = docker and event.action in (start, create)
rules:
  - {id: 100001, level: 3, description: a, condition: docker_start}
  - {id: 100002, level: 5, description: b, condition: "event.action = exec_start or event.action = exec_create"}
  - {id: 100003, level: 5, description: c, condition: "event.source = log and http.response.status_code >= 500"}
  - {id: 100004, level: 5, description: d, condition: "docker.type = network and not event.action = destroy"}
  - {id: 100005, level: 5, description: e, condition: "container.cap_add in (SYS_ADMIN, NET_ADMIN)"}
  - {id: 100006, level: 5, description: f, condition: "http.response.status_code = 404"}
  - {id: 100007, level: 5, description: g, condition: "container.privileged = true"}
  - {id: 100008, level: 5, description: h, condition: "not event.action = start"}
  - {id: 100009, level: 6, parent: 100001, description: i, condition: "container.image startswith evil"}
  - {id: 100010, level: 5, description: j, condition: "event.source = log and url.original exists and http.response.status_code >= 500"}
  - {id: 100011, level: 5, description: k, condition: "url.original exists and not url.path exists"}
`;
    const fast = engineOf(text);
    const slow = engineOf(text, { useIndex: false });
    const sources = ['docker', 'log', 'kubernetes', 'metric'] as const;
    const actions = ['start', 'create', 'exec_start', 'exec_create', 'destroy', 'connect', 'get', 'sample'];
    let total = 0;
    for (let i = 0; i < 600; i += 1) {
      const ev = mkEvent(
        {
          container: { image: i % 7 === 0 ? 'evil/miner' : 'nginx', cap_add: i % 5 === 0 ? ['NET_ADMIN'] : i % 11 === 0 ? 'SYS_ADMIN' : [], privileged: i % 13 === 0 ? true : i % 17 === 0 ? 'true' : false },
          docker: { type: i % 3 === 0 ? 'network' : 'container' },
          http: { response: { status_code: i % 4 === 0 ? 503 : i % 6 === 0 ? '404' : 200 } },
          url: i % 9 === 0 ? 'not an object' : { original: i % 2 === 0 ? '/x' : i % 3 === 0 ? null : undefined, path: i % 5 === 0 ? '/x' : undefined },
        },
        { source: sources[i % sources.length]!, action: actions[i % actions.length]! },
      );
      const a = fast.evaluate(ev).map((x) => x.rule.id);
      const b = slow.evaluate(ev).map((x) => x.rule.id);
      assert.deepEqual(a, b, `event ${i}`);
      total += a.length;
    }
    assert.ok(total > 600, `the stream should raise many alerts (${total})`);
    // A root whose condition needs a field to exist is not even tried on an event without it.
    const considered = (url: unknown) => fast.evaluateWithTrace(mkEvent({ url }, { source: 'log', action: 'log' })).trace.map((t) => t.ruleId);
    assert.ok(!considered({ path: '/x' }).includes(100011));
    assert.ok(!considered({ original: null }).includes(100011));
    assert.ok(considered({ original: '/x' }).includes(100011));
  });

  it('handles events whose source is not a plain string like the unindexed engine', () => {
    const text = `
rules:
  - {id: 100001, level: 3, description: a, condition: "event.source = docker and event.action = start"}
  - {id: 100002, level: 3, description: b, condition: "event.source in (log, metric)"}
  - {id: 100003, level: 3, description: c, condition: "event.source = '7'"}
`;
    const fast = engineOf(text);
    const slow = engineOf(text, { useIndex: false });
    for (const source of ['docker', ['docker', 'log'], ['metric', 'metric'], 7, '7', null, { a: 1 }]) {
      const ev = mkEvent({ event: { source } });
      assert.deepEqual(fast.evaluate(ev).map((x) => x.rule.id), slow.evaluate(ev).map((x) => x.rule.id), JSON.stringify(source));
    }
    assert.deepEqual(fast.evaluate(mkEvent({ event: { source: ['docker', 'log'] } })).map((x) => x.rule.id), [100001, 100002]);
  });
});

describe('rule tests through fork', () => {
  it('adds a local file to the loaded rules with fresh state', () => {
    const base = DetectionEngine.fromYaml([{ name: 'shipped.yaml', text: TREE }]);
    const forked = base.fork([{ name: 'mine.yaml', text: 'rules:\n  - {id: 200001, parent: 100100, level: 13, description: mine, condition: container.image = nginx}\n' }]);
    assert.deepEqual(errorsOf(forked), []);
    assert.deepEqual(forked.evaluate(exec('ls')).map((a) => a.rule.id), [200001]);
    assert.deepEqual(base.evaluate(exec('ls')).map((a) => a.rule.id), [100100], 'the original engine is untouched');
  });
});
