import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuleTextCache, ruleTexts } from './rule-text.js';

const FILE = `# header comment
lists:
  shells: [sh, bash]
rules:
  - id: 200001
    level: 10
    description: "shell in {container.name}"
    condition: >
      event.action = exec_start
      and docker.exec.command startswith (shells)

  - id: 200002
    parent: 200001
    level: 12
    description: as root
    condition: container.user = root
  - nonsense
`;

describe('ruleTexts', () => {
  it('gives each rule as written, without the list indent', () => {
    const t = ruleTexts(FILE);
    assert.deepEqual([...t.keys()], [200001, 200002]);
    assert.equal(t.get(200001), [
      'id: 200001',
      'level: 10',
      'description: "shell in {container.name}"',
      'condition: >',
      '  event.action = exec_start',
      '  and docker.exec.command startswith (shells)',
    ].join('\n'));
    assert.equal(t.get(200002), 'id: 200002\nparent: 200001\nlevel: 12\ndescription: as root\ncondition: container.user = root');
  });

  it('gives nothing for a file without a rules list, or broken YAML', () => {
    assert.equal(ruleTexts('overrides:\n  rules: []\n').size, 0);
    assert.equal(ruleTexts('rules: [\n').size, 0);
  });

  it('computes a file again only when its text changed', () => {
    const cache = new RuleTextCache();
    assert.match(cache.get({ name: 'a.yaml', text: FILE }, 200002)!, /as root/);
    assert.match(cache.get({ name: 'a.yaml', text: FILE.replace('as root', 'as uid 0') }, 200002)!, /as uid 0/);
    cache.retain(new Set());
    assert.equal(cache.get({ name: 'a.yaml', text: 'rules: []' }, 200002), undefined);
  });
});
