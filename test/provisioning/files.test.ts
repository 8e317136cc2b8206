import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { datasourcesFile, envReferences, PROVISIONING, readYaml, ROOT, stringValues, yamlFiles } from './load.js';

// Grafana's file provisioning formats (apiVersion 1): datasources, the app plugin, the dashboards
// provider; and the Prometheus config docker-compose.yml mounts.

const PLUGIN_ID = 'shipwatch-containersecurity-app';

describe('provisioning: files', () => {
  it('every YAML file parses (no syntax errors, no duplicate keys) and Grafana\'s files say apiVersion: 1', () => {
    const files = yamlFiles();
    for (const f of ['datasources/shipwatch.yaml', 'plugins/shipwatch.yaml', 'dashboards/shipwatch.yaml', 'alerting/rules.yaml', 'alerting/contact-points.yaml', 'alerting/policies.yaml', 'alerting/templates.yaml', 'prometheus/prometheus.yml']) {
      assert.ok(files.includes(f), `provisioning/${f} missing`);
    }
    for (const f of files) {
      const doc = readYaml(path.join(PROVISIONING, f));
      if (!f.startsWith('prometheus/')) assert.equal(doc.apiVersion, 1, `${f}: apiVersion`);
    }
    assert.throws(() => readYaml(path.join(ROOT, 'test/provisioning/load.ts')), 'the reader rejects what is not YAML');
  });

  it('datasources: Prometheus and Loki with fixed uids, proxy access, URLs from the environment', () => {
    const { datasources } = datasourcesFile();
    const byUid = new Map(datasources.map((d) => [d.uid, d]));
    assert.equal(byUid.get('shipwatch-prometheus')?.type, 'prometheus');
    assert.equal(byUid.get('shipwatch-loki')?.type, 'loki');
    assert.equal(datasources.filter((d) => d.isDefault).length, 1, 'exactly one default datasource');
    for (const d of datasources) {
      assert.ok(d.name && d.uid && d.type && d.url, `${d.uid}: name, uid, type, url`);
      assert.equal(d.access, 'proxy', `${d.uid}: the browser never talks to the datasource`);
      assert.match(d.url, /^\$\{SHIPWATCH_\w+_URL\}$/, `${d.uid}: url from the environment`);
    }
    assert.equal(new Set(datasources.map((d) => d.uid)).size, datasources.length, 'unique uids');
  });

  it('plugins: the Shipwatch app enabled with collectorUrl and the API token from the environment', () => {
    const { apps } = readYaml<{ apps: { type: string; org_id: number; disabled: boolean; jsonData: Record<string, string>; secureJsonData: Record<string, string> }[] }>(path.join(PROVISIONING, 'plugins/shipwatch.yaml'));
    assert.equal(apps.length, 1);
    const app = apps[0]!;
    assert.equal(app.type, PLUGIN_ID);
    assert.equal(app.disabled, false);
    assert.equal(app.jsonData.collectorUrl, '${SHIPWATCH_COLLECTOR_URL}');
    assert.equal(app.secureJsonData.apiToken, '${SHIPWATCH_API_TOKEN}');
    assert.equal(app.jsonData.apiToken, undefined, 'the token only in secureJsonData');
    // The plugin's own id, once the app plugin (src/plugin.json) exists.
    const pluginJson = path.join(ROOT, 'src/plugin.json');
    if (fs.existsSync(pluginJson)) assert.equal((JSON.parse(fs.readFileSync(pluginJson, 'utf8')) as { id: string }).id, PLUGIN_ID);
  });

  it('dashboards: a file provider whose path holds the dashboards (docker-compose mounts them there)', () => {
    const { providers } = readYaml<{ providers: { name: string; type: string; orgId: number; folder: string; allowUiUpdates: boolean; options: { path: string } }[] }>(path.join(PROVISIONING, 'dashboards/shipwatch.yaml'));
    assert.equal(providers.length, 1);
    const p = providers[0]!;
    assert.equal(p.type, 'file');
    assert.ok(p.name && p.folder && p.orgId === 1);
    assert.match(p.options.path, /^\/var\/lib\/grafana\/dashboards\//);
    // Grafana loads every *.json below the path as a dashboard: nothing else may end in .json there.
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    for (const f of walk(path.join(ROOT, 'dashboards')).filter((x) => x.endsWith('.json'))) {
      const json = JSON.parse(fs.readFileSync(f, 'utf8')) as { uid?: string; title?: string; panels?: unknown[] };
      assert.ok(json.uid && json.title && Array.isArray(json.panels), `${path.relative(ROOT, f)} would be loaded as a dashboard but is not one`);
    }
  });

  it('only SHIPWATCH_* environment variables are referenced by Grafana provisioning', () => {
    for (const f of yamlFiles().filter((x) => /^(datasources|plugins|dashboards)\//.test(x))) {
      for (const name of stringValues(readYaml(path.join(PROVISIONING, f))).flatMap(envReferences)) assert.match(name, /^SHIPWATCH_[A-Z_]+$/, `${f}: $${name}`);
    }
  });

  it('prometheus.yml scrapes the collector and passes promtool check config', (t) => {
    const file = path.join(PROVISIONING, 'prometheus/prometheus.yml');
    const cfg = readYaml<{ scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[] }>(file);
    const job = cfg.scrape_configs.find((s) => s.job_name === 'shipwatch');
    assert.ok(job, 'a shipwatch job');
    assert.deepEqual(job.static_configs.flatMap((s) => s.targets), ['collector:7475']);
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    if (!fs.existsSync('/usr/bin/promtool')) return t.skip('promtool not installed (Debian prometheus package)');
    const r = spawnSync('/usr/bin/promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
