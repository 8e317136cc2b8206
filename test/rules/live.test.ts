import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';

const MINE = `rules:
  - id: 200001
    level: 10
    description: "exec of {docker.exec.command} in {container.name}"
    groups: [custom]
    condition: event.source = docker and event.action = exec_start and container.name = target
`;

interface AlertOut { rule: { id: number; level: number; description: string; groups: string[] }; severity: string; event: { container: { name: string } } }

describe('rules in the running collector (real dockerd, rules API)', () => {
  let d: Dockerd;
  let c: RunningCollector;
  const shipped = fs.mkdtempSync(path.join(os.tmpdir(), 'swshipped-'));
  let local = '';
  before(async () => {
    d = await startDockerd();
    // An empty shipped directory: this test is about the mechanism, the golden corpus covers the shipped rules.
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host, SHIPWATCH_RULES_SHIPPED_DIR: shipped } });
    local = path.join(c.storeDir, 'rules');
    await c.waitForLog((l) => l.msg === 'docker engine connected');
  });
  after(async () => {
    await c?.stop();
    await d?.destroy();
  });

  it('validates with line and column, and refuses to save a broken file', async () => {
    const bad = 'rules:\n  - id: 200002\n    level: 3\n    description: x\n    condition: event.action = start and (\n';
    const v = await c.post<{ ok: boolean; errors: { line: number; column: number; message: string }[] }>('/api/v1/rules/validate', { yaml: bad });
    assert.equal(v.status, 200);
    assert.equal(v.body.ok, false);
    assert.equal(v.body.errors[0]!.line, 5);
    assert.ok(v.body.errors[0]!.column > 1);
    const put = await c.put<{ errors: unknown[] }>('/api/v1/rules/local/broken', { yaml: bad });
    assert.equal(put.status, 422);
    assert.ok(put.body.errors.length > 0);
    assert.equal(fs.existsSync(path.join(local, 'broken.yaml')), false);
    const regex = await c.post<{ ok: boolean; errors: { message: string }[] }>('/api/v1/rules/validate', { yaml: MINE.replace('container.name = target', 'container.name regex "(a)\\\\1"') });
    assert.equal(regex.body.ok, false, 'a backreference is refused');
    const name = await c.put<{ error: string }>('/api/v1/rules/local/..%2Fescape', { yaml: MINE });
    assert.equal(name.status, 400);
    const missing = await c.post<{ error: string }>('/api/v1/rules/test', { events: [] });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /'events'/);
  });

  it('saves a local rule, reloads without a restart, and alerts on a live event', async () => {
    const put = await c.put<{ ok: boolean }>('/api/v1/rules/local/mine', { yaml: MINE });
    assert.equal(put.status, 200);
    const listed = await c.get<{ rules: { id: number; source: string; yaml?: string }[] }>('/api/v1/rules');
    const mine = listed.body.rules.find((r) => r.id === 200001 && r.source === 'local');
    assert.ok(mine);
    // The rule as written, to read it: the item of the file's rules list, out of its indent.
    assert.equal(mine.yaml, MINE.slice(MINE.indexOf('id:'), -1).replace(/^ {4}/gm, ''));
    await d.docker('run', '-d', '--name', 'target', '--network', 'none', TEST_IMAGE, 'sleep', '300');
    await d.docker('exec', 'target', 'sh', '-c', 'echo hi');
    const alert = await eventually(async () => {
      const r = await c.get<{ alerts: AlertOut[] }>('/api/v1/alerts?rule_id=200001');
      return r.body.alerts[0];
    }, 'the alert');
    assert.equal(alert.severity, 'high');
    assert.equal(alert.rule.description, 'exec of sh -c echo hi in target');
    assert.deepEqual(alert.rule.groups, ['custom']);
    const byGroup = await c.get<{ alerts: AlertOut[] }>('/api/v1/alerts?group=custom&severity=high,critical&container=target');
    assert.equal(byGroup.body.alerts.length, 1);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(metrics, /^shipwatch_alerts_total\{rule_id="200001",severity="high"\} 1$/m);
    assert.match(metrics, /^shipwatch_rule_evaluation_seconds_count \d+$/m);
  });

  it('tests rules against events with a per-condition trace', async () => {
    const exec = { docker_event: { Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'x', Attributes: { name: 'target' } } } };
    const other = { docker_event: { Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'y', Attributes: { name: 'other' } } } };
    const r = await c.post<{ results: { alerts: { rule: { id: number } }[]; trace: { ruleId: number; clauses: { clause: string; result: boolean; value?: unknown }[] }[] }[] }>('/api/v1/rules/test', { events: [exec, other, { nonsense: true }] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results[0]!.alerts.map((a) => a.rule.id), [200001]);
    assert.deepEqual(r.body.results[1]!.alerts, []);
    const clause = r.body.results[1]!.trace.find((t) => t.ruleId === 200001)!.clauses.find((cl) => cl.clause.includes('container.name'))!;
    assert.equal(clause.result, false);
    assert.equal(clause.value, 'other');
    assert.match((r.body.results[2] as unknown as { error: string }).error, /event.source/);
    const withYaml = await c.post<{ results: { alerts: { rule: { id: number } }[] }[] }>('/api/v1/rules/test', {
      events: [other], yaml: 'rules:\n  - id: 200050\n    level: 5\n    description: other\n    condition: container.name = other\n',
    });
    assert.deepEqual(withYaml.body.results[0]!.alerts.map((a) => a.rule.id), [200050]);
    const rules = await c.get<{ rules: { id: number }[] }>('/api/v1/rules');
    assert.equal(rules.body.rules.some((x) => x.id === 200050), false, 'test yaml is not installed');
    // Unsaved edits of the saved file `mine`: its saved copy (same rule id) is left out, not a duplicate.
    const edited = MINE.replace('container.name = target', 'container.name = other');
    const asMine = await c.post<{ results: { alerts: { rule: { id: number } }[] }[] }>('/api/v1/rules/test', { events: [other], yaml: edited, name: 'mine' });
    assert.equal(asMine.status, 200, JSON.stringify(asMine.body));
    assert.deepEqual(asMine.body.results[0]!.alerts.map((a) => a.rule.id), [200001]);
    const unnamed = await c.post<{ errors: { message: string }[] }>('/api/v1/rules/test', { events: [other], yaml: edited });
    assert.equal(unnamed.status, 422, 'without the name, the same ids load twice');
    const badName = await c.post<{ error: string }>('/api/v1/rules/test', { events: [other], yaml: edited, name: '../x' });
    assert.equal(badName.status, 400);
    assert.match(badName.body.error, /name/);
  });

  it('reloads on a file change on disk; a broken file is reported and the rest keeps running', async () => {
    fs.writeFileSync(path.join(local, 'disk.yaml'), MINE.replace('200001', '200003').replace('level: 10', 'level: 4'));
    await eventually(async () => ((await c.get<{ rules: { id: number }[] }>('/api/v1/rules')).body.rules.some((r) => r.id === 200003) ? true : undefined), 'reload after the file appeared');
    fs.writeFileSync(path.join(local, 'zbroken.yaml'), 'rules:\n  - id: 200004\n    level: 99\n    description: x\n    condition: a = 1\n');
    const h = await eventually(async () => {
      const r = await c.get<{ status: string; rules: { errors: number; issues: { file: string; line: number; message: string }[] } }>('/api/v1/health');
      return r.body.rules.errors > 0 ? r.body : undefined;
    }, 'the load error in health');
    assert.equal(h.status, 'degraded');
    assert.match(h.rules.issues[0]!.file, /zbroken.yaml$/);
    assert.equal(h.rules.issues[0]!.line, 3);
    await d.docker('exec', 'target', 'true');
    await eventually(async () => ((await c.get<{ alerts: unknown[] }>('/api/v1/alerts?rule_id=200003')).body.alerts.length > 0 ? true : undefined), 'the other rules still alert');
    const del = await c.request('DELETE', '/api/v1/rules/local/mine');
    assert.equal(del.status, 204);
    assert.equal((await c.request('DELETE', '/api/v1/rules/local/mine')).status, 404);
    const after = await c.get<{ rules: { id: number }[] }>('/api/v1/rules');
    assert.equal(after.body.rules.some((r) => r.id === 200001), false);
  });
});
