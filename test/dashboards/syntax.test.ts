import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate, logqlErrors, promqlErrors } from './lezer.js';
import { loadDashboards, queriesOf, variableValues } from './walk.js';

// Every PromQL and LogQL expression in the dashboards parses with the grammars Grafana's own query
// editors use, after the variables are replaced the way Grafana replaces them: once with the "All"
// value and once with a concrete multi-value selection.

const dashboards = loadDashboards();

describe('dashboards: query syntax (Lezer)', () => {
  it('the parsers reject broken expressions (the check can fail)', () => {
    assert.ok(promqlErrors('sum(rate(x[5m])').length > 0);
    assert.ok(promqlErrors('rate(x{a="b"}[5m]) by').length > 0);
    assert.ok(logqlErrors('{job="shipwatch"').length > 0);
    assert.ok(logqlErrors('sum(count_over_time({job="x"} | json [5m])').length > 0);
    assert.deepEqual(promqlErrors('sum by (name) (rate(x{name=~"a|b"}[1m]))'), []);
    assert.deepEqual(logqlErrors('sum by (a) (count_over_time({job="x"} | json a="b.c" [1m]))'), []);
  });

  for (const d of dashboards) {
    const queries = queriesOf(d.name, d.json);
    const settings: [string, Record<string, string>][] = [
      ['All', variableValues(d.json, (v) => (v.type === 'textbox' ? '' : v.allValue ?? '.*'))],
      ['a selection', variableValues(d.json, (v) => (v.type === 'textbox' ? 'error|fail' : '(web|api-1)'))],
    ];
    for (const [label, values] of settings) {
      it(`${d.name}: ${queries.length} queries parse with ${label}`, () => {
        assert.ok(queries.length >= 8, `${d.name} has ${queries.length} queries`);
        for (const q of queries) {
          const expr = interpolate(q.expr, values);
          const errors = q.language === 'promql' ? promqlErrors(expr) : logqlErrors(expr);
          assert.deepEqual(errors, [], `${d.name} ${q.where} (${q.language}): ${expr}`);
        }
      });
    }
  }
});
