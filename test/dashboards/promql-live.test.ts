import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvent } from '../../backend/src/sources/k8s-audit/testdata.js';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { startLokiReceiver, type LokiReceiver } from '../support/loki-receiver.js';
import { startPrometheus, type PromSample, type RunningPrometheus } from '../support/prometheus.js';
import { alertRuleQueries } from '../provisioning/load.js';
import { interpolate } from './lezer.js';
import { loadDashboards, queriesOf, variableValues } from './walk.js';

// Every PromQL query of the dashboards and of the provisioned alert rules runs on a real Prometheus
// that scrapes the real collector (the CLI, as docker-compose runs it) watching a real dockerd, and
// must return series. The dashboards' variables get concrete values: the scraped instance and a
// multi-value selection of the test containers, the way Grafana formats it.

const AUDIT_TOKEN = 'audit-token-0123456789abcdef';
const CONTAINERS = ['busy', 'mem', 'web', 'io'];
/** Grafana's windows, shortened so that 1 s scrapes fill them within the test. */
const WINDOWS = { __rate_interval: '30s', __interval: '30s', __range: '10m' };

describe('dashboard and alert-rule PromQL on a real Prometheus scraping the collector', () => {
  let d: Dockerd;
  let loki: LokiReceiver;
  let c: RunningCollector;
  let prom: RunningPrometheus;
  let instance: string;

  before(async () => {
    d = await startDockerd();
    // A user-defined bridge gives `web` an interface, hence network series (the default bridge is off here).
    await d.docker('network', 'create', 'swnet');
    await d.docker('run', '-d', '--name', 'busy', '--network', 'none', '--cpus', '0.5',
      '--label', 'com.docker.compose.project=dash', '--label', 'com.docker.compose.service=busy', TEST_IMAGE, 'sh', '-c', 'while :; do :; done');
    await d.docker('run', '-d', '--name', 'mem', '--network', 'none', '-m', '256m', '--tmpfs', '/data:size=64m',
      TEST_IMAGE, 'sh', '-c', 'dd if=/dev/zero of=/data/fill bs=1M count=32 2>/dev/null; exec sleep 100000');
    await d.docker('run', '-d', '--name', 'web', '--network', 'swnet', '--label', 'com.docker.compose.service=web',
      TEST_IMAGE, 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo "127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \\"GET /item?id=$i HTTP/1.1\\" 200 12"; sleep 0.2; done');
    await d.docker('run', '-d', '--name', 'io', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'while :; do dd if=/dev/zero of=/f bs=1M count=4 conv=fsync 2>/dev/null; sleep 1; done');
    loki = await startLokiReceiver();
    c = await startCollector({
      env: {
        SHIPWATCH_DOCKER_SOCKET: d.host, SHIPWATCH_STATS_INTERVAL: '1000', SHIPWATCH_HOST_NAME: 'dash-host',
        SHIPWATCH_LOKI_URL: loki.url, SHIPWATCH_LOKI_BATCH_WAIT_MS: '100', SHIPWATCH_K8S_AUDIT_TOKEN: AUDIT_TOKEN, SHIPWATCH_LOG_LEVEL: 'info',
      },
    });
    await c.waitForLog((l) => l.msg === 'docker engine connected');
    // An exec raises alerts (shipwatch_alerts_total); an audit request fills the webhook's series.
    await d.docker('exec', 'busy', 'sh', '-c', 'true');
    const audit = await fetch(`${c.url}/api/v1/k8s/audit`, {
      method: 'POST', headers: { Authorization: `Bearer ${AUDIT_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [auditEvent('pod_create'), auditEvent('exec')] }),
    });
    assert.ok(audit.status < 300, `audit webhook answered ${audit.status}`);
    instance = new URL(c.url).host;
    prom = await startPrometheus({ targets: [instance] });
    await prom.waitFor('rate(container_cpu_usage_seconds_total{name="busy"}[30s])', (r) => r.length === 1, 60_000);
    await prom.waitFor('shipwatch_alerts_total', (r) => r.length > 0, 30_000);
  });

  after(async () => {
    await prom?.stop();
    await c?.stop();
    await loki?.close();
    await d?.destroy();
  });

  /** Runs the query until it returns series (or the deadline passes); a query error fails at once. */
  async function series(expr: string): Promise<PromSample[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await prom.query(expr); // throws on a PromQL error
      if (r.length > 0 || Date.now() > deadline) return r;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  /** Block I/O series exist only where the kernel accounts I/O to the container's cgroup. */
  async function blockIoAccounted(): Promise<boolean> {
    const text = await (await fetch(`${c.url}/metrics`)).text();
    return /^container_fs_(reads|writes)_bytes_total\{/m.test(text);
  }

  for (const dash of loadDashboards()) {
    it(`${dash.name}: every PromQL panel query returns series`, async (t) => {
      const values = variableValues(dash.json, (v) => {
        if (v.name === 'instance') return instance;
        if (v.name === 'container') return `(${CONTAINERS.join('|')})`;
        return v.type === 'textbox' ? '' : v.allValue ?? '.*';
      });
      const queries = queriesOf(dash.name, dash.json).filter((q) => q.language === 'promql' && !q.where.startsWith('variable '));
      const io = await blockIoAccounted();
      for (const q of queries) {
        const expr = interpolate(q.expr, { ...values, ...WINDOWS });
        if (!io && q.expr.includes('container_fs_')) {
          // Still run it: a PromQL error fails here too.
          const r = await prom.query(expr);
          t.diagnostic(`${q.where}: ran without error (${r.length} series); this kernel accounts no block I/O to containers, so none are expected`);
          continue;
        }
        const r = await series(expr);
        assert.ok(r.length > 0, `${dash.name} ${q.where} returned no series: ${expr}`);
      }
    });

    it(`${dash.name}: the Prometheus variables find their values`, async () => {
      for (const v of dash.json.templating.list.filter((x) => x.type === 'query' && x.datasource?.uid === '${DS_PROMETHEUS}')) {
        const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.definition!)!;
        const selector = interpolate(m[1]!, { instance, compose_service: '.*', pod: '.*', container: '.+' });
        const r = await prom.query(`count by (${m[2]}) (${selector})`);
        // `pod` exists on the kubelet's cAdvisor only; the others must list something here.
        if (v.allValue === '.+' || m[2] === 'container_label_com_docker_compose_service') {
          assert.ok(r.some((s) => (s.metric[m[2]!] ?? '') !== ''), `${dash.name} variable ${v.name}: no ${m[2]} values`);
        }
      }
    });
  }

  it('alert rules: every PromQL query returns series for the limited test containers', async () => {
    const queries = alertRuleQueries().filter((q) => q.language === 'promql');
    assert.ok(queries.length >= 2, 'CPU and memory rules');
    for (const q of queries) {
      const r = await eventually(async () => {
        const x = await prom.query(q.expr.replace(/\[5m\]/g, '[30s]'));
        return x.length > 0 ? x : undefined;
      }, `${q.where} to return series`, 30_000);
      const names = new Set(r.map((s) => s.metric.name));
      assert.ok(names.has('busy') || names.has('mem'), `${q.where}: ${JSON.stringify(r.map((s) => s.metric))}`);
      assert.ok(!names.has('web'), `${q.where}: an unlimited container must not appear`);
    }
  });
});
