import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { logqlErrors, promqlErrors } from '../dashboards/lezer.js';
import { alertRuleQueries, datasourceTypes, envReferences, PROVISIONING, readYaml, rulesFile, stringValues } from './load.js';

// The provisioned alerting: rules per severity on the Loki alert streams and on resource metrics,
// contact points, the notification templates and the policy that routes by severity (DESIGN.md §4).

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** DESIGN.md §4. */
const PAGERDUTY: Record<string, string> = { low: 'info', medium: 'warning', high: 'error', critical: 'critical' };

type Matcher = [string, string, string];
interface Route { receiver?: string; object_matchers?: Matcher[]; continue?: boolean; routes?: Route[]; group_by?: string[] }

function matches(m: Matcher[] | undefined, labels: Record<string, string>): boolean {
  return (m ?? []).every(([name, op, value]) => {
    const v = labels[name] ?? '';
    // Alertmanager anchors regex matchers.
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    if (op === '=~') return new RegExp(`^(?:${value})$`).test(v);
    if (op === '!~') return !new RegExp(`^(?:${value})$`).test(v);
    throw new Error(`unknown matcher operator ${op}`);
  });
}

/** The receivers an alert with these labels reaches (Alertmanager's routing: first match, unless continue). */
function receiversFor(route: Route, labels: Record<string, string>, inherited = ''): string[] {
  const receiver = route.receiver ?? inherited;
  const out: string[] = [];
  for (const child of route.routes ?? []) {
    if (!matches(child.object_matchers, labels)) continue;
    out.push(...receiversFor(child, labels, receiver));
    if (!child.continue) return out;
  }
  return out.length > 0 ? out : [receiver];
}

const policies = () => readYaml<{ apiVersion: number; policies: (Route & { orgId: number })[] }>(path.join(PROVISIONING, 'alerting/policies.yaml')).policies;
const contactPoints = () => readYaml<{ contactPoints: { name: string; orgId: number; receivers: { uid: string; type: string; settings: Record<string, string> }[] }[] }>(path.join(PROVISIONING, 'alerting/contact-points.yaml')).contactPoints;
const templateText = () => readYaml<{ templates: { name: string; template: string }[] }>(path.join(PROVISIONING, 'alerting/templates.yaml')).templates.map((t) => t.template).join('\n');

describe('provisioning: alerting', () => {
  it('rules: unique uids, a condition that names one of their queries, datasources that are provisioned', () => {
    const types = datasourceTypes();
    const rules = rulesFile().groups.flatMap((g) => {
      assert.ok(g.name && g.folder && /^\d+[sm]$/.test(g.interval), `group ${g.name}`);
      return g.rules;
    });
    assert.equal(new Set(rules.map((r) => r.uid)).size, rules.length, 'unique uids');
    for (const r of rules) {
      assert.ok(r.uid.length <= 40 && /^[\w-]+$/.test(r.uid), `uid ${r.uid}`);
      assert.ok(r.title, `${r.uid}: title`);
      const refs = r.data.map((q) => q.refId);
      assert.ok(refs.includes(r.condition), `${r.uid}: condition ${r.condition} is not one of ${refs.join(',')}`);
      for (const q of r.data) {
        assert.equal(q.model.refId, q.refId, `${r.uid} ${q.refId}: model.refId`);
        if (q.datasourceUid === '__expr__') {
          assert.ok(refs.includes(String(q.model.expression)), `${r.uid} ${q.refId}: expression ${q.model.expression} names no query`);
          continue;
        }
        assert.ok(types.has(q.datasourceUid), `${r.uid} ${q.refId}: datasource ${q.datasourceUid} is not provisioned`);
        assert.ok(q.relativeTimeRange && q.relativeTimeRange.from > 0, `${r.uid} ${q.refId}: relativeTimeRange`);
      }
      assert.ok(['OK', 'NoData', 'Alerting', 'KeepLast'].includes(r.noDataState), `${r.uid}: noDataState ${r.noDataState}`);
      assert.ok(['OK', 'Error', 'Alerting', 'KeepLast'].includes(r.execErrState), `${r.uid}: execErrState ${r.execErrState}`);
      assert.match(r.for, /^\d+[smh]$/, `${r.uid}: for`);
      assert.ok(r.annotations.summary, `${r.uid}: summary annotation`);
    }
  });

  it('rules: every one carries shipwatch="true" and a severity label, and labels hold no "$" (Grafana would read an env var)', () => {
    for (const r of rulesFile().groups.flatMap((g) => g.rules)) {
      assert.equal(r.labels.shipwatch, 'true', r.uid);
      assert.ok((SEVERITIES as readonly string[]).includes(r.labels.severity ?? ''), `${r.uid}: severity ${r.labels.severity}`);
      for (const [k, v] of Object.entries(r.labels)) assert.ok(!v.includes('$'), `${r.uid}: label ${k}=${v}`);
    }
  });

  it('rules: one per severity on the collector\'s alert streams, selecting that severity', () => {
    const loki = alertRuleQueries().filter((q) => q.language === 'logql');
    for (const s of SEVERITIES) {
      const q = loki.filter((x) => x.rule.labels.severity === s);
      assert.equal(q.length, 1, `one Loki rule for ${s}`);
      // The labels the Loki sink sets on alert streams (backend/src/sinks/loki/entry.ts).
      assert.match(q[0]!.expr, new RegExp(`\\{job="shipwatch", source="alert", severity="${s}"\\}`), q[0]!.where);
      assert.match(q[0]!.expr, /count_over_time\(/, q[0]!.where);
    }
  });

  it('rules: resource rules on CPU against the CPU limit and memory working set against the memory limit', () => {
    const prom = alertRuleQueries().filter((q) => q.language === 'promql').map((q) => q.expr).join('\n');
    assert.match(prom, /container_cpu_usage_seconds_total[\s\S]*container_spec_cpu_quota/);
    assert.match(prom, /container_memory_working_set_bytes[\s\S]*container_spec_memory_limit_bytes/);
  });

  it('rules: every PromQL and LogQL query parses (Lezer)', () => {
    const queries = alertRuleQueries();
    assert.ok(queries.length >= 6);
    for (const q of queries) {
      const errors = q.language === 'promql' ? promqlErrors(q.expr) : logqlErrors(q.expr);
      assert.deepEqual(errors, [], `${q.where} (${q.language}): ${q.expr}`);
      assert.ok(!q.expr.includes('$'), `${q.where}: Grafana does not interpolate rule queries; no variables`);
    }
  });

  it('contact points: Slack, email and PagerDuty, their addresses and keys from SHIPWATCH_* environment variables', () => {
    const points = contactPoints();
    const byType = new Map(points.flatMap((p) => p.receivers.map((r) => [r.type, { ...r, point: p.name }] as const)));
    const required: Record<string, string> = { slack: 'url', email: 'addresses', pagerduty: 'integrationKey' };
    for (const [type, key] of Object.entries(required)) {
      const r = byType.get(type);
      assert.ok(r, `a ${type} contact point`);
      assert.match(r.settings[key] ?? '', /^\$\{SHIPWATCH_[A-Z_]+\}$/, `${type}.${key} from the environment`);
    }
    const uids = points.flatMap((p) => p.receivers.map((r) => r.uid));
    assert.equal(new Set(uids).size, uids.length, 'unique receiver uids');
    // Every env var named anywhere in the contact points is a SHIPWATCH_* one (the rest would be a stray "$").
    for (const name of stringValues(readYaml(path.join(PROVISIONING, 'alerting/contact-points.yaml'))).flatMap(envReferences)) assert.match(name, /^SHIPWATCH_[A-Z_]+$/);
  });

  it('templates: every template a contact point uses is defined, and none contains "$"', () => {
    const text = templateText();
    assert.ok(!text.includes('$'), 'no "$" in provisioned templates');
    const defined = new Set([...text.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]));
    for (const p of contactPoints()) {
      for (const r of p.receivers) {
        for (const v of Object.values(r.settings)) {
          for (const m of String(v).matchAll(/template\s+"([^"]+)"/g)) assert.ok(defined.has(m[1]), `${r.uid}: template ${m[1]} is not defined`);
        }
      }
    }
  });

  it('templates: PagerDuty severity maps low→info, medium→warning, high→error, critical→critical (DESIGN.md §4)', () => {
    const block = /\{\{\s*define\s+"shipwatch\.pagerduty\.severity"\s*-?\}\}([\s\S]*?)\{\{-?\s*end\s*-?\}\}\s*\{\{-?\s*end/.exec(templateText());
    assert.ok(block, 'the shipwatch.pagerduty.severity template');
    const mapped: Record<string, string> = {};
    for (const m of block[1]!.matchAll(/if eq \.CommonLabels\.severity "(\w+)"\s*-?\}\}\s*(\w+)/g)) mapped[m[1]!] = m[2]!;
    const fallback = /\{\{-?\s*else\s*-?\}\}\s*(\w+)/.exec(block[1]!.split(/else if/).at(-1)!)?.[1];
    for (const s of SEVERITIES) assert.equal(mapped[s] ?? fallback, PAGERDUTY[s], `severity ${s}`);
    const pd = contactPoints().flatMap((p) => p.receivers).find((r) => r.type === 'pagerduty')!;
    assert.match(pd.settings.severity ?? '', /template "shipwatch\.pagerduty\.severity"/);
  });

  it('policy: routes by severity — PagerDuty only for high and critical, Slack from medium, email for all', () => {
    const [root] = policies();
    assert.ok(root);
    const receivers = new Set(contactPoints().map((p) => p.name));
    const walk = (r: Route): void => {
      if (r.receiver) assert.ok(receivers.has(r.receiver), `policy receiver ${r.receiver} is not a contact point`);
      for (const m of r.object_matchers ?? []) assert.equal(m.length, 3);
      (r.routes ?? []).forEach(walk);
    };
    walk(root);
    const expected: Record<string, string[]> = {
      low: ['shipwatch-email'],
      medium: ['shipwatch-slack', 'shipwatch-email'],
      high: ['shipwatch-pagerduty', 'shipwatch-slack', 'shipwatch-email'],
      critical: ['shipwatch-pagerduty', 'shipwatch-slack', 'shipwatch-email'],
    };
    for (const s of SEVERITIES) {
      assert.deepEqual(receiversFor(root, { shipwatch: 'true', severity: s, alertname: 'x' }).sort(), expected[s]!.sort(), `severity ${s}`);
    }
    assert.ok(!receiversFor(root, { severity: 'critical', alertname: 'someone else' }).includes('shipwatch-pagerduty'), 'only Shipwatch alerts page');
    // What the provisioned rules themselves reach.
    for (const r of rulesFile().groups.flatMap((g) => g.rules)) {
      const got = receiversFor(root, { ...r.labels, alertname: r.title });
      assert.equal(got.includes('shipwatch-pagerduty'), ['high', 'critical'].includes(r.labels.severity!), `${r.uid} (${r.labels.severity}) → ${got.join(', ')}`);
    }
  });

  it('policy: Shipwatch routes group by severity, so a notification has one severity for the templates', () => {
    const [root] = policies();
    for (const r of root!.routes ?? []) if (r.object_matchers?.some(([n]) => n === 'shipwatch')) assert.ok(r.group_by?.includes('severity'), `route to ${r.receiver}`);
  });
});
