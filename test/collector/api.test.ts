import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, startCollector, TEST_TOKEN, type RunningCollector } from '../support/collector.js';

describe('collector API without a Docker engine', () => {
  let c: RunningCollector;
  before(async () => {
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: '/nonexistent/docker.sock' } });
  });
  after(async () => {
    await c?.stop();
  });

  it('reports the engine unreachable in one line and in health, and keeps retrying', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const warnings = c.logs.filter((l) => l.msg === 'docker engine not reachable; retrying with backoff');
    assert.equal(warnings.length, 1, 'one clear line, not one per retry');
    // The log and stats sources share the engine and leave the telling to it.
    const warned = c.logs.filter((l) => ['warn', 'error', 'fatal', 40, 50, 60].includes(l.level as string | number) && /not reachable|engine lost/.test(String(l.msg)));
    assert.deepEqual(warned.map((l) => l.msg), ['docker engine not reachable; retrying with backoff'], 'one warning for the engine in all');
    assert.match(String(warnings[0]!.reason), /ENOENT/);
    assert.ok(c.logs.filter((l) => l.msg === 'docker engine still not reachable').length >= 1, 'it retried');
    const h = await c.get<{ status: string; sources: { docker: { connected: boolean; last_error: string } } }>('/api/v1/health', null);
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'degraded');
    assert.equal(h.body.sources.docker.connected, false);
    assert.match(h.body.sources.docker.last_error, /ENOENT/);
    assert.equal(c.stderr(), '', 'no stack traces for an expected condition');
  });

  it('refuses requests without the token or with a wrong one', async () => {
    for (const p of ['/api/v1/events', '/api/v1/alerts', '/api/v1/alerts/stats', '/api/v1/containers']) {
      const none = await c.get<{ error: string }>(p, null);
      assert.equal(none.status, 401, p);
      assert.match(none.body.error, /missing bearer token/);
      const wrong = await c.get<{ error: string }>(p, `${TEST_TOKEN}x`);
      assert.equal(wrong.status, 401, p);
      assert.equal((await c.get(p)).status, 200, p);
    }
    const res = await fetch(`${c.url}/api/v1/events`, { headers: { Authorization: `Basic ${Buffer.from(`a:${TEST_TOKEN}`).toString('base64')}` } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="shipwatch"');
  });

  it('answers a bad query parameter with a 400 that names it', async () => {
    const cases: [string, RegExp][] = [
      ['/api/v1/events?limit=abc', /'limit'/],
      ['/api/v1/events?limit=5000', /'limit'/],
      ['/api/v1/events?since=yesterday', /'since'.*RFC 3339/],
      ['/api/v1/events?source=nope', /'source'/],
      ['/api/v1/events?cursor=zzz', /cursor/],
      ['/api/v1/events?limit=1&limit=2', /'limit'.*once/],
      ['/api/v1/events?colour=red', /unknown query parameter 'colour'/],
      ['/api/v1/alerts?min_level=99', /'min_level'/],
      ['/api/v1/alerts?severity=urgent', /'severity'/],
      ['/api/v1/alerts?rule_id=-1', /'rule_id'/],
    ];
    for (const [p, re] of cases) {
      const r = await c.get<{ error: string }>(p);
      assert.equal(r.status, 400, p);
      assert.match(r.body.error, re, p);
    }
    const ok = await c.get<{ events: unknown[]; next_cursor: null }>('/api/v1/events?since=15m&limit=10&source=docker');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { events: [], next_cursor: null });
    const stats = await c.get<{ total: number; by_severity: Record<string, number> }>('/api/v1/alerts/stats?since=24h');
    assert.deepEqual(stats.body.by_severity, { low: 0, medium: 0, high: 0, critical: 0 });
  });

  it('sets security headers and answers unknown paths and bad bodies in JSON', async () => {
    const res = await fetch(`${c.url}/api/v1/health`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(res.headers.get('x-powered-by'), null);
    const missing = await c.get<{ error: string }>('/api/v1/nothing');
    assert.equal(missing.status, 404);
    const bad = await c.post<{ error: string }>('/api/v1/events', '{not json');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /not valid JSON/);
  });

  it('serves Prometheus metrics without the token', async () => {
    const res = await fetch(`${c.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^shipwatch_source_connected\{source="docker"\} 0$/m);
    assert.match(text, /^# TYPE shipwatch_events_total counter$/m);
  });
});

describe('collector process', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'swc-'));
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', SHIPWATCH_STORE_PATH: tmp, ...env }, timeout: 30_000 });

  it('refuses a malformed config file with the file, line and column', () => {
    const file = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(file, 'api:\n  listen: "127.0.0.1:7475\n  token: x\n');
    const r = cli(['--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`config file ${file}:\\d+:\\d+: invalid YAML`));
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('names an unknown key, a wrong type and the variable or file it came from', () => {
    const file = path.join(tmp, 'keys.yaml');
    fs.writeFileSync(file, 'api:\n  listen: 127.0.0.1:7475\n  tokn: abc\nstore:\n  max_bytes: lots\n');
    const r = cli(['--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`config file ${file}:3:\\d+: unknown key api.tokn \\(known keys: listen, token, body_limit\\)`));
    assert.match(r.stderr, new RegExp(`config file ${file}:5:14: store.max_bytes: .*size like 1GiB`));
    const env = cli([], { SHIPWATCH_DOCKER_ENABLED: 'perhaps' });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /environment variable SHIPWATCH_DOCKER_ENABLED: docker.enabled: .*expected boolean/);
    const section = cli([], { SHIPWATCH_DOKCER_SOCKET: '/x' });
    assert.match(section.stderr, /environment variable SHIPWATCH_DOKCER_SOCKET: no such config section/);
    const flag = cli(['--set', 'api.listen=nowhere']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /flag --set api.listen: api.listen: .*host:port/);
    const top = cli(['--config', path.join(tmp, 'missing.yaml')]);
    assert.match(top.stderr, /cannot read it \(ENOENT\)/);
  });

  it('generates a token on first start, prints it once, and stops cleanly on SIGTERM', async () => {
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'swt-'));
    const env = { SHIPWATCH_DOCKER_ENABLED: 'false', SHIPWATCH_API_TOKEN: '' };
    const first = await startCollector({ storeDir: store, env });
    const printed = first.logs.find((l) => l.msg?.toString().startsWith('API token generated'));
    const file = fs.readFileSync(path.join(store, 'api-token'), 'utf8').trim();
    assert.equal(printed?.token, file);
    assert.equal((fs.statSync(path.join(store, 'api-token')).mode & 0o777).toString(8), '600');
    assert.equal((await first.get('/api/v1/events', file)).status, 200);
    assert.equal(await first.stop(), 0);
    assert.ok(first.logs.some((l) => l.msg === 'shipwatch collector stopped'));
    const second = await startCollector({ storeDir: store, env });
    assert.equal(second.logs.some((l) => l.msg?.toString().startsWith('API token generated')), false);
    assert.equal((await second.get('/api/v1/events', file)).status, 200);
    assert.equal(await second.stop(), 0);
  });
});
