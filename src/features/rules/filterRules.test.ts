import { makeLowRule } from '../../test/fixtures';
import { filterRules, levelBucket, NO_FILTER, nextLocalRuleId, ruleGroups } from './filterRules';

const rule = makeLowRule;

const rules = [
  rule({}),
  rule({
    id: 100101,
    level: 8,
    description: 'shell started',
    groups: ['container_exec', 'shell'],
    mitre: ['T1059.004'],
    overridden: true,
  }),
  rule({
    id: 200000,
    level: 0,
    description: 'probes',
    groups: ['custom'],
    enabled: false,
    source: 'local',
    file: '/data/rules/mine.yaml',
  }),
];

describe('rule filters', () => {
  it('maps levels to the severities of DESIGN §4', () => {
    expect([0, 1, 3, 4, 7, 8, 11, 12, 15].map(levelBucket)).toEqual([
      'silent',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('searches id, text, groups, MITRE ids and file', () => {
    const ids = (search: string) => filterRules(rules, { ...NO_FILTER, search }).map((r) => r.id);
    expect(ids('shell')).toEqual([100101]);
    expect(ids('T1059')).toEqual([100101]);
    expect(ids('mine.yaml')).toEqual([200000]);
    expect(ids('1001 exec')).toEqual([100100, 100101]);
  });

  it('filters by group, level, enabled, overridden and source', () => {
    const ids = (f: Partial<typeof NO_FILTER>) => filterRules(rules, { ...NO_FILTER, ...f }).map((r) => r.id);
    expect(ids({ group: 'shell' })).toEqual([100101]);
    expect(ids({ level: 'high' })).toEqual([100101]);
    expect(ids({ level: 'silent' })).toEqual([200000]);
    expect(ids({ enabled: 'no' })).toEqual([200000]);
    expect(ids({ overridden: 'yes' })).toEqual([100101]);
    expect(ids({ source: 'local' })).toEqual([200000]);
  });

  it('lists groups and suggests the next user rule id', () => {
    expect(ruleGroups(rules)).toEqual(['container_exec', 'custom', 'shell']);
    expect(nextLocalRuleId(rules)).toBe(200001);
    expect(nextLocalRuleId(rules.slice(0, 2))).toBe(200000);
  });
});
