import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allPanels, EXPECTED, languageOf, loadDashboards, queriesOf, ROOT, type JsonDashboard } from './walk.js';
import { BUILTIN_VALUES, variablesIn } from './lezer.js';

// What Grafana and the app plugin rely on in each committed dashboard file.

const dashboards = loadDashboards();

/** Every datasource reference anywhere in the JSON. */
function datasourceRefs(value: unknown, at = ''): { at: string; ds: { type?: string; uid?: string } }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => datasourceRefs(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  const own = o.datasource && typeof o.datasource === 'object' ? [{ at: `${at}.datasource`, ds: o.datasource as { type?: string; uid?: string } }] : [];
  return [...own, ...Object.entries(o).filter(([k]) => k !== 'datasource').flatMap(([k, v]) => datasourceRefs(v, `${at}.${k}`))];
}

describe('dashboards: structure', () => {
  it('ships the five dashboards with their fixed uids and a positive integer revision', () => {
    assert.deepEqual(dashboards.map((d) => [d.name, d.json.uid]), Object.entries(EXPECTED));
    for (const d of dashboards) {
      assert.ok(Number.isInteger(d.json.revision) && d.json.revision >= 1, `${d.name}: revision ${d.json.revision}`);
      assert.ok(d.json.title.startsWith('Shipwatch / '), d.json.title);
      assert.equal(d.json.id, null, `${d.name}: no database id in a shipped dashboard`);
    }
  });

  it('picks datasources through DS_PROMETHEUS / DS_LOKI variables, never by a fixed uid', () => {
    for (const d of dashboards) {
      const dsVars = d.json.templating.list.filter((v) => v.type === 'datasource');
      for (const v of dsVars) assert.ok((v.name === 'DS_PROMETHEUS' && v.query === 'prometheus') || (v.name === 'DS_LOKI' && v.query === 'loki'), `${d.name}: ${v.name} → ${String(v.query)}`);
      const declared = new Set(dsVars.map((v) => `\${${v.name}}`));
      for (const { at, ds } of datasourceRefs(d.json)) {
        if (ds.type === 'grafana' && ds.uid === '-- Grafana --') continue; // the built-in annotation source
        assert.ok(declared.has(ds.uid ?? ''), `${d.name}${at}: datasource uid ${JSON.stringify(ds.uid)} is not one of ${[...declared].join(', ')}`);
        assert.equal(languageOf({ uid: ds.uid }), languageOf({ type: ds.type }), `${d.name}${at}: type ${ds.type} with ${ds.uid}`);
      }
      assert.ok(!/shipwatch-(prometheus|loki)/.test(d.text), `${d.name}: names a provisioned datasource uid`);
    }
  });

  it('has a multi-value container variable with an All option', () => {
    for (const d of dashboards) {
      const v = d.json.templating.list.find((x) => x.name === 'container');
      assert.ok(v, `${d.name}: no container variable`);
      assert.equal(v.includeAll, true, d.name);
      assert.ok(v.allValue === '.*' || v.allValue === '.+', `${d.name}: allValue ${v.allValue}`);
    }
  });

  it('refers only to variables the dashboard defines (or Grafana built-ins), and uses every filter variable', () => {
    for (const d of dashboards) {
      const defined = new Set(d.json.templating.list.map((v) => v.name));
      const used = new Set<string>();
      for (const q of queriesOf(d.name, d.json)) {
        for (const name of variablesIn(q.expr)) {
          assert.ok(defined.has(name) || name in BUILTIN_VALUES, `${d.name} ${q.where}: $${name} is not defined`);
          used.add(name);
        }
      }
      for (const v of d.json.templating.list) if (v.type !== 'datasource') assert.ok(used.has(v.name), `${d.name}: variable ${v.name} is never used`);
    }
  });

  it('lays panels out on the 24-column grid without overlaps, ids unique', () => {
    for (const d of dashboards) {
      const panels = allPanels(d.json);
      assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${d.name}: duplicate panel ids`);
      for (const p of panels) {
        const g = p.gridPos;
        assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0 && g.y >= 0, `${d.name}: "${p.title}" at ${JSON.stringify(g)}`);
        if (p.type !== 'row') assert.ok((p.targets ?? []).length > 0, `${d.name}: "${p.title}" has no query`);
      }
      for (const a of panels) {
        for (const b of panels) {
          if (a === b) continue;
          const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
          assert.ok(!overlap, `${d.name}: "${a.title}" overlaps "${b.title}"`);
        }
      }
    }
  });

  it('selects the collector\'s Loki labels and metric names, not invented ones', () => {
    const lokiLabels = new Set(['job', 'source', 'host', 'container', 'compose_service', 'namespace', 'pod', 'stream', 'severity']);
    const sources = new Set(['docker', 'kubernetes', 'k8s_audit', 'log', 'metric', 'collector', 'alert']);
    for (const d of dashboards) {
      for (const q of queriesOf(d.name, d.json).filter((x) => x.language === 'logql')) {
        for (const sel of q.expr.matchAll(/\{([^{}]*)\}(?=\s*(\||\[|\)|$))/g)) {
          const matchers = [...sel[1]!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)];
          assert.ok(matchers.some((m) => m[1] === 'job' && m[2] === '=' && m[3] === 'shipwatch'), `${d.name} ${q.where}: stream selector without job="shipwatch": ${sel[0]}`);
          for (const m of matchers) {
            assert.ok(lokiLabels.has(m[1]!), `${d.name} ${q.where}: ${m[1]} is not a stream label the collector sets`);
            if (m[1] === 'source') assert.ok(sources.has(m[3]!), `${d.name} ${q.where}: source="${m[3]}"`);
          }
        }
      }
    }
  });

  it('uses only metric names the collector defines (backend/src), so they exist on /metrics', () => {
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(d, e.name)] : []));
    const source = walk(path.join(ROOT, 'backend/src')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const d of dashboards) {
      for (const q of queriesOf(d.name, d.json).filter((x) => x.language === 'promql')) {
        for (const [metric] of q.expr.matchAll(/\b(container|shipwatch)_[a-z_]+\b/g)) {
          if (metric.startsWith('container_label_')) continue; // a label, not a metric
          const family = metric.replace(/_(bucket|sum|count)$/, '');
          assert.ok(source.includes(`'${family}'`), `${d.name} ${q.where}: ${metric} is not defined in backend/src`);
        }
      }
    }
  });

  it('the dashboards the app plugin includes by path are valid JSON objects with panels', () => {
    for (const d of dashboards) {
      const parsed = JSON.parse(d.text) as JsonDashboard;
      assert.ok(parsed.panels.length >= 8, `${d.name}: ${parsed.panels.length} panels`);
    }
  });
});
