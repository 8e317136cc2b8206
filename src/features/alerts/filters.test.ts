import { filtersFromSearch, filtersToQuery, filtersToSearch } from './filters';

describe('alert filters', () => {
  it('reads the URL, ignoring what is not a severity', () => {
    expect(filtersFromSearch(new URLSearchParams('min_severity=bogus&group=shell'))).toEqual({
      since: '24h',
      minSeverity: '',
      ruleId: '',
      group: 'shell',
      container: '',
    });
  });

  it('turns a lowest severity into the list from it up, and drops a rule id that is not a number', () => {
    const f = { since: '1h', minSeverity: 'medium' as const, ruleId: 'x', group: '', container: 'web' };
    expect(filtersToQuery(f, 100)).toEqual({
      since: '1h',
      severity: ['medium', 'high', 'critical'],
      rule_id: undefined,
      group: undefined,
      container: 'web',
      limit: 100,
    });
    expect(filtersToSearch(f)).toEqual({ since: '1h', min_severity: 'medium', rule_id: 'x', container: 'web' });
  });
});
