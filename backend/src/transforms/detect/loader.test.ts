import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectionEngine } from './engine.js';
import { engineOf, errorsOf, mkEvent } from './testing/helpers.js';
import { validateRulesYaml } from './validate.js';

const fires = (e: DetectionEngine, id: number, ev = mkEvent({ container: { name: 'web' } })): boolean => e.evaluate(ev).some((a) => a.rule.id === id);

describe('load errors carry file:line:column and refuse only the broken rule', () => {
  it('points into a plain condition, a quoted one and a folded block', () => {
    const text = [
      'rules:', //                                         1
      '  - id: 100001', //                                 2
      '    level: 3', //                                   3
      '    description: ok', //                            4
      '    condition: container.name = web', //            5
      '  - id: 100002', //                                 6
      '    level: 3', //                                   7
      '    description: bad plain', //                     8
      '    condition: container.name = web and and', //    9  error at col 41 ('and')
      '  - id: 100003', //                                 10
      '    level: 3', //                                   11
      '    description: bad quoted', //                    12
      '    condition: "container.name like web"', //       13 error at col 32 ('like')
      '  - id: 100004', //                                 14
      '    level: 3', //                                   15
      '    description: bad block', //                     16
      '    condition: >', //                               17
      '      event.source = docker and', //                18
      '      container.name regex "(?=x)"', //             19 error at col 28 (the pattern)
    ].join('\n');
    const e = engineOf(text);
    assert.deepEqual(errorsOf(e), [
      "test.yaml:9:41: expected a field, a macro or '(', found 'and'",
      "test.yaml:13:32: unknown operator 'like' after 'container.name'",
      'test.yaml:19:28: invalid regex "(?=x)": invalid perl operator: (?= (RE2 syntax: no backreferences or lookaround)',
    ]);
    assert.deepEqual(
      e.loadErrors().filter((i) => i.severity === 'error').map((i) => i.ruleId),
      [100002, 100003, 100004],
    );
    assert.equal(fires(e, 100001), true, 'the good rule still runs');
    const infos = new Map(e.rules().map((r) => [r.id, r]));
    assert.equal(infos.get(100001)!.error, undefined);
    assert.match(infos.get(100004)!.error!, /invalid regex/);
  });

  it('reports field errors at the value', () => {
    const text = ['rules:', '  - id: 100001', '    level: 16', '    description: x', '    condition: container.name = web', '    timeframe: 5 minutes', '    mitre: [T1610, X1]'].join('\n');
    assert.deepEqual(errorsOf(engineOf(text)), [
      'test.yaml:3:12: \'level\' must be an integer from 0 to 15',
      'test.yaml:7:20: \'X1\' is not a MITRE ATT&CK id (like T1610, T1611.001 or TA0004)',
      'test.yaml:6:16: \'timeframe\' "5 minutes" is not a duration (at "5 minutes"); write e.g. 30s, 5m, 1h30m',
      "test.yaml:6:16: 'timeframe' needs a 'frequency'",
    ]);
  });

  it('refuses a file that is not valid YAML, and keeps the other files', () => {
    const good = { name: 'good.yaml', text: 'rules:\n  - id: 100001\n    level: 3\n    description: x\n    condition: container.name = web\n' };
    const bad = { name: 'bad.yaml', text: 'rules:\n  - id: 100002\n    level: [3\n' };
    const e = DetectionEngine.fromYaml([bad, good]);
    const errs = e.loadErrors().filter((i) => i.severity === 'error');
    assert.ok(errs.length >= 1);
    assert.ok(errs.every((i) => i.file === 'bad.yaml'));
    assert.equal(errs[0]!.line, 4);
    assert.equal(fires(e, 100001), true);
  });

  it('refuses duplicate ids (the later one), unknown parents and cycles, rule by rule', () => {
    const text = [
      'rules:',
      '  - {id: 100001, level: 3, description: a, condition: container.name = web}',
      '  - {id: 100001, level: 9, description: dup, condition: container.name = web}',
      '  - {id: 100002, level: 5, description: orphan, parent: 109999}',
      '  - {id: 100003, level: 5, description: c1, parent: 100004, condition: container.name = web}',
      '  - {id: 100004, level: 5, description: c2, parent: 100003, condition: container.name = web}',
      '  - {id: 100005, level: 6, description: below cycle, parent: 100004}',
      '  - {id: 100006, level: 7, description: fine child, parent: 100001, condition: container.name = web}',
    ].join('\n');
    const e = engineOf(text);
    const byRule = new Map(e.loadErrors().filter((i) => i.severity === 'error').map((i) => [`${i.ruleId}@${i.line}`, i.message]));
    assert.match(byRule.get('100001@3')!, /duplicate rule id 100001 \(first defined at test.yaml:2\)/);
    assert.equal(byRule.get('100002@4'), 'parent 109999 is not defined');
    assert.equal(byRule.get('100003@5'), 'parent cycle: 100003 -> 100004 -> 100003');
    assert.equal(byRule.get('100004@6'), 'parent cycle: 100003 -> 100004 -> 100003');
    assert.match(byRule.get('100005@7')!, /parent 100004 did not load/);
    assert.equal(byRule.size, 5);
    const alerts = e.evaluate(mkEvent({ container: { name: 'web' } }));
    assert.deepEqual(
      alerts.map((a) => a.rule.id),
      [100006],
      'the first 100001 and its child still run; the duplicate never does',
    );
  });

  it('refuses rules using a broken macro or list, once per macro', () => {
    const text = [
      'lists:',
      '  bad_list: [a, {x: 1}]',
      'macros:',
      '  broken: container.name ==',
      '  uses_broken: broken and container.name = web',
      'rules:',
      '  - {id: 100001, level: 3, description: a, condition: uses_broken}',
      '  - {id: 100002, level: 3, description: b, condition: container.name in (bad_list)}',
      '  - {id: 100003, level: 3, description: c, condition: unknown_macro}',
      '  - {id: 100004, level: 3, description: d, condition: container.name = web}',
    ].join('\n');
    const e = engineOf(text);
    const errs = errorsOf(e);
    assert.ok(errs.includes("test.yaml:2:17: list 'bad_list': items must be strings, numbers or booleans"), errs.join('\n'));
    assert.ok(errs.includes("test.yaml:4:28: macro 'broken': expected a value after '=', found end of condition"), errs.join('\n'));
    assert.ok(errs.some((m) => m.startsWith('test.yaml:5:16: macro \'uses_broken\': macro \'broken\' did not load')), errs.join('\n'));
    assert.ok(errs.some((m) => m.startsWith("test.yaml:7:") && m.includes("macro 'uses_broken' did not load")), errs.join('\n'));
    assert.ok(errs.some((m) => m.startsWith('test.yaml:8:') && m.includes("list 'bad_list' did not load")), errs.join('\n'));
    assert.ok(errs.some((m) => m.startsWith('test.yaml:9:') && m.includes("unknown macro 'unknown_macro'")), errs.join('\n'));
    assert.equal(fires(e, 100004), true);
  });

  it('warns (does not refuse) on unknown fields, unknown keys and suspicious values', () => {
    const text = [
      'rules:',
      '  - id: 100001',
      '    level: 3',
      '    description: "{widget.name} ran"',
      '    condition: widget.name = bash and event.source = dockr',
      '    frequncy: 3',
    ].join('\n');
    const e = engineOf(text);
    assert.deepEqual(errorsOf(e), []);
    const warnings = e.loadErrors().filter((i) => i.severity === 'warning').map((i) => `${i.line}:${i.column} ${i.message}`);
    assert.ok(warnings.some((w) => w.startsWith('5:16 ') && w.includes("field 'widget.name' is not produced")), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('5:54 ') && w.includes("'dockr' never occurs")), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('6:5 ') && w.includes("unknown rule key 'frequncy'")), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('4:20 ') && w.includes("description uses field 'widget.name'")), warnings.join('\n'));
    assert.equal(e.evaluate(mkEvent({ widget: { name: 'bash' } }, { source: 'dockr' as 'docker' })).length, 1, 'an unknown field still evaluates');
  });

  it('accepts a custom set of known fields', () => {
    const text = 'rules:\n  - {id: 100001, level: 3, description: a, condition: widget.name = bash}\n';
    const warned = (known?: string[]): boolean =>
      engineOf(text, known ? { knownFields: known } : {})
        .loadErrors()
        .some((i) => i.message.includes('widget.name'));
    assert.equal(warned(), true);
    assert.equal(warned(['widget.']), false);
    assert.equal(warned(['widget.name']), false);
    assert.equal(warned(['widget.pid']), true);
  });

  it('requires a condition on root rules and validates exceptions', () => {
    const text = [
      'rules:',
      '  - {id: 100001, level: 3, description: no condition}',
      '  - id: 100002',
      '    level: 3',
      '    description: bad exception',
      '    condition: container.name = web',
      '    exceptions:',
      '      - name: e1',
      '        fields: [container.image, container.name]',
      '        values: [[only-one]]',
    ].join('\n');
    const errs = errorsOf(engineOf(text));
    assert.deepEqual(errs.sort(), ["test.yaml:10:18: exception 'e1': each row of values needs 2 value(s), one per field", "test.yaml:2:5: a rule without 'parent' needs a 'condition'"]);
  });

  it('reports rule-id range, overrides in shipped files and YAML duplicates', () => {
    const shipped = DetectionEngine.fromYaml([{ name: 's.yaml', text: 'rules:\n  - {id: 5, level: 3, description: a, condition: container.name = web}\noverrides:\n  rules: []\n' }]);
    const issues = shipped.loadErrors().map((i) => `${i.severity} ${i.line}:${i.column} ${i.message}`);
    assert.ok(issues.some((i) => i.startsWith('warning 2:10 shipped rule ids are 100000-199999')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith("error 3:1 'overrides' is only read from the local rules directory")), issues.join('\n'));
    const dupKeys = engineOf('rules:\n  - id: 100001\n    level: 3\n    level: 4\n');
    assert.match(errorsOf(dupKeys)[0]!, /^test.yaml:4:5: YAML: Map keys must be unique/);
  });
});

describe('validateRulesYaml', () => {
  it('returns ok with no errors for a valid file', () => {
    const r = validateRulesYaml('rules:\n  - {id: 200001, level: 3, description: a, condition: container.name = web}\n', 'mine.yaml');
    assert.deepEqual(r, { ok: true, errors: [], warnings: [] });
  });

  it('returns line and column of each error', () => {
    const r = validateRulesYaml('rules:\n  - id: 200001\n    level: 3\n    description: a\n    condition: container.name regex "(a)\\\\1"\n', 'mine.yaml');
    assert.equal(r.ok, false);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.line, 5);
    assert.equal(r.errors[0]!.column, 37);
    assert.match(r.errors[0]!.message, /^rule 200001: invalid regex/);
  });

  it('validates against a loaded engine: shipped parents, lists, and id clashes', () => {
    const engine = DetectionEngine.fromYaml([{ name: '/rules/base.yaml', text: 'lists:\n  shells: [bash]\nrules:\n  - {id: 100001, level: 3, description: exec, condition: event.action = exec_start}\n' }]);
    const child = 'rules:\n  - {id: 200001, level: 9, parent: 100001, description: shell, condition: docker.exec.command in (shells)}\n';
    assert.equal(validateRulesYaml(child, 'mine.yaml').ok, false, 'alone, the parent is unknown');
    assert.deepEqual(validateRulesYaml(child, 'mine.yaml', { engine }).errors, []);
    const clash = validateRulesYaml('rules:\n  - {id: 100001, level: 3, description: a, condition: container.name = web}\n', 'mine.yaml', { engine });
    assert.equal(clash.ok, false);
    assert.match(clash.errors[0]!.message, /duplicate rule id 100001/);
  });
});
