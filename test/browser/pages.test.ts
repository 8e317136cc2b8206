import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { rulesFile } from '../provisioning/load.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { launchChromium, watchProblems, type PageProblems, type RunningBrowser } from './browser.js';
import { buildHarness, type HarnessBundle } from './build-harness.js';
import { PLUGIN_ID, startFakeGrafana, type FakeGrafana } from './fake-grafana.js';

// Every page of the app plugin, rendered by Chromium with the real @grafana/ui, against a collector
// that watches a real dockerd through the test's stand-in for Grafana (plugin proxy, settings,
// alerting API). A page passes when it shows the collector's data and logs no error.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/browser');
const RUNNING = 'sw-browser-web';
const EXITED = 'sw-browser-job';
const EXIT_CODE = 3;

interface AlertOut { id: string; rule: { id: number; description: string }; severity: string; event: { container?: { name?: string } } }
interface RuleOut { id: number; description: string }

describe('app plugin pages in Chromium (real @grafana/ui, collector fed by a real dockerd)', { timeout: 170_000 }, () => {
  let d: Dockerd | undefined;
  let c: RunningCollector | undefined;
  let bundle: HarnessBundle | undefined;
  let grafana: FakeGrafana | undefined;
  let chrome: RunningBrowser | undefined;
  let building: Promise<unknown> | undefined;
  let shellAlert: AlertOut;

  before(async () => {
    // Screenshots of this run only: a stale *-failed.png would mislead.
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // The bundle builds while dockerd and the collector start: the two are independent.
    building = buildHarness().then((b) => (bundle = b));
    // Awaited below, or by after() when a step before it fails: never an unhandled rejection.
    building.catch(() => undefined);
    d = await startDockerd();
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host } });
    await c.waitForLog((l) => l.msg === 'docker engine connected');
    await d.docker('run', '-d', '--name', RUNNING, '--network', 'none', TEST_IMAGE, 'sleep', '300');
    // Exits non-zero on purpose (the CLI then fails too): the exit code shows on the pages.
    await d.docker('run', '--name', EXITED, '--network', 'none', TEST_IMAGE, 'sh', '-c', `exit ${EXIT_CODE}`).catch(() => undefined);
    // A shell exec into a container: the shipped rules raise an alert for it.
    await d.docker('exec', RUNNING, 'sh', '-c', 'echo browser-test');
    const collector = c;
    shellAlert = await eventually(async () => {
      const r = await collector.get<{ alerts: AlertOut[] }>(`/api/v1/alerts?container=${RUNNING}`);
      return r.body.alerts.find((a) => a.rule.description.includes('sh -c echo browser-test'));
    }, 'the alert for the shell exec', 30_000);
    await eventually(async () => {
      const r = await collector.get<{ containers: Array<{ name: string | null; state: string }> }>('/api/v1/containers');
      return r.body.containers.some((x) => x.name === EXITED && x.state === 'exited') ? true : undefined;
    }, 'the exited container in the collector', 30_000);
    await building;
    grafana = await startFakeGrafana({ bundle: bundle!, collectorUrl: c.url, collectorToken: c.token });
    chrome = await launchChromium();
  });

  after(async () => {
    // Each step runs even when an earlier one failed, so that nothing is left running.
    await chrome?.close().catch(() => undefined);
    await grafana?.close().catch(() => undefined);
    await c?.stop().catch(() => undefined);
    if (c) {
      fs.rmSync(c.storeDir, { recursive: true, force: true });
    }
    await d?.destroy().catch(() => undefined);
    await building?.catch(() => undefined);
    bundle?.remove();
  });

  /**
   * Opens a page, runs its checks, saves a screenshot, and fails on any console error or uncaught
   * exception, and on calls to Grafana APIs the test server does not play.
   */
  async function visit(t: TestContext, name: string, pagePath: string, check: (page: Page) => Promise<void>, fullPage = true): Promise<void> {
    const page = await chrome!.context.newPage();
    const problems: PageProblems = watchProblems(page);
    try {
      await page.goto(`${grafana!.url}${pagePath}`, { waitUntil: 'load' });
      await check(page);
      // Requests still running after the data arrived (a refresh, a second panel) can fail late.
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
    } catch (err) {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-failed.png`), fullPage }).catch(() => undefined);
      throw new Error(`${name}: ${String(err)}\nconsole errors so far:\n${problems.errors.join('\n')}`);
    } finally {
      await page.close();
    }
    for (const w of problems.warnings) {
      t.diagnostic(`${name} console.warn: ${w.slice(0, 300)}`);
    }
    if (problems.allowed.length > 0) {
      t.diagnostic(`${name}: ${problems.allowed.length} console error(s) of the harness allow-list (missing Grafana static files)`);
    }
    assert.deepEqual(problems.errors, [], `${name} logged errors`);
    assert.deepEqual(grafana!.unhandled, [], `${name} called Grafana APIs the test server does not play`);
  }

  /** Waits for a text on the page (the first match, visible). */
  const visible = (page: Page, text: string | RegExp) => page.getByText(text).first().waitFor({ state: 'visible', timeout: 20_000 });
  const exactly = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

  it('overview shows the collector\'s alerts, containers and sources', async (t) => {
    await visit(t, 'overview', `/a/${PLUGIN_ID}/overview`, async (page) => {
      await visible(page, 'Top containers');
      await visible(page, exactly(RUNNING));
      await visible(page, exactly(EXITED));
      // Top rules list each rule by id; the shell rule fired once.
      await visible(page, new RegExp(`^\\s*${shellAlert.rule.id}\\b`));
      await visible(page, d!.host);
    });
  });

  it('alerts lists the shell-exec alert with its rule and container', async (t) => {
    await visit(t, 'alerts', `/a/${PLUGIN_ID}/alerts`, async (page) => {
      await visible(page, shellAlert.rule.description);
      await visible(page, String(shellAlert.rule.id));
      await visible(page, exactly(RUNNING));
      // The exited container's crash (exit code in the description) is an alert too.
      await visible(page, new RegExp(`${EXITED}.*exit code ${EXIT_CODE}`));
    });
  });

  it('rules lists the rule that fired, from the collector', async (t) => {
    const rules = await c!.get<{ rules: RuleOut[] }>('/api/v1/rules');
    assert.equal(rules.status, 200);
    const fired = rules.body.rules.find((r) => r.id === shellAlert.rule.id);
    assert.ok(fired, `rule ${shellAlert.rule.id} is in /api/v1/rules`);
    const other = rules.body.rules.find((r) => Math.abs(r.id - fired.id) > 1000 && !r.description.includes(String(fired.id)));
    assert.ok(other, 'a rule unrelated to the one that fired');
    await visit(t, 'rules', `/a/${PLUGIN_ID}/rules`, async (page) => {
      await visible(page, exactly(String(rules.body.rules.length)));
      // The search box narrows the table to the rule (and its children); its row shows id and description.
      await page.getByPlaceholder(/MITRE id/).fill(String(fired.id));
      const row = page.getByRole('row').filter({ hasText: fired.description }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await row.innerText(), new RegExp(`^\\s*${fired.id}\\b`));
      // A rule of another file and id range leaves the table (the filter may apply after a debounce).
      await page.getByRole('row').filter({ hasText: other.description }).first().waitFor({ state: 'detached', timeout: 20_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'rules-search.png'), fullPage: true });
      // The rule file editor is @grafana/ui's CodeEditor (Monaco, with its web worker); it has the
      // collector validate the new file's template through the proxy.
      await page.getByRole('button', { name: /New rule file/ }).click();
      await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 20_000 });
      await eventually(() => (grafana!.proxied.includes('POST /api/v1/rules/validate -> 200') ? true : undefined), 'the editor\'s validation request', 20_000);
    });
  });

  it('containers shows the running and the exited container', async (t) => {
    await visit(t, 'containers', `/a/${PLUGIN_ID}/containers`, async (page) => {
      await visible(page, exactly(RUNNING));
      await visible(page, exactly(EXITED));
      await visible(page, exactly('running'));
      await visible(page, new RegExp(`exited.*${EXIT_CODE}`));
      await visible(page, TEST_IMAGE);
    });
  });

  it('alert routing shows Grafana\'s contact points, policy and Shipwatch alert rules', async (t) => {
    const shipwatchRules = rulesFile().groups.flatMap((g) => g.rules).filter((r) => r.labels?.shipwatch === 'true');
    assert.ok(shipwatchRules.length > 0);
    await visit(t, 'routing', `/a/${PLUGIN_ID}/routing`, async (page) => {
      for (const name of ['shipwatch-slack', 'shipwatch-email', 'shipwatch-pagerduty']) {
        await visible(page, exactly(name));
      }
      // The alert rules come from the provisioning API; the page counts those labelled shipwatch="true".
      await visible(page, new RegExp(`\\b${shipwatchRules.length}\\b.*alert rule`));
    });
  });

  it('config page shows the settings and tests the connection through the proxy', async (t) => {
    const health = await c!.get<{ version: string }>('/api/v1/health');
    await visit(t, 'config', `/plugins/${PLUGIN_ID}`, async (page) => {
      const url = page.getByTestId('data-testid shipwatch-config-collector-url');
      await url.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await url.inputValue(), c!.url);
      await page.getByTestId('data-testid shipwatch-config-submit').click();
      await visible(page, new RegExp(`Connected to .*${health.body.version.replace(/\./g, '\\.')}`));
      await visible(page, /token is accepted/);
    });
    assert.ok(grafana!.proxied.some((p) => /^GET \/api\/v1\/alerts -> 200$/.test(p)), `the token check went through the proxy: ${grafana!.proxied.join(', ')}`);
  });
});
