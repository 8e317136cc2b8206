import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './load.js';

const write = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'swcfg-')), 'shipwatch.yaml');
  fs.writeFileSync(f, text);
  return f;
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.api.listen, '127.0.0.1:7475');
    assert.equal(c.api.token, undefined);
    assert.equal(c.store.path, './data');
    assert.equal(c.store.max_age, 7 * 86_400_000);
    assert.equal(c.store.max_bytes, 1024 ** 3);
    assert.equal(c.loki.url, undefined);
    assert.equal(c.docker.enabled, true);
    assert.equal(c.host.name, os.hostname());
  });

  it('lets the environment win over the file, and flags over both', () => {
    const file = write('api:\n  listen: 0.0.0.0:1\nstore:\n  path: /from/file\n  max_bytes: 512MiB\n  max_age: 2d\n');
    const c = loadConfig({ file, env: { SHIPWATCH_API_LISTEN: '0.0.0.0:2', SHIPWATCH_K8S_AUDIT_TOKEN: 'audit-token-0123456789' }, flags: ['api.listen=0.0.0.0:3'] });
    assert.equal(c.api.listen, '0.0.0.0:3');
    assert.equal(c.store.path, '/from/file');
    assert.equal(c.store.max_bytes, 512 * 1024 ** 2);
    assert.equal(c.store.max_age, 2 * 86_400_000);
    assert.equal(c.k8s.audit_token, 'audit-token-0123456789');
  });

  it('accepts an empty file and empty sections', () => {
    assert.equal(loadConfig({ file: write(''), env: {} }).api.listen, '127.0.0.1:7475');
    assert.equal(loadConfig({ file: write('api:\nstore: {}\n'), env: {} }).store.path, './data');
  });

  it('refuses what it cannot use, saying where', () => {
    const cases: [string, RegExp][] = [
      ['- a\n- b\n', /expected a mapping of sections/],
      ['api: 5\n', /:1:6: api: expected a mapping of keys, got number/],
      ['nope:\n  x: 1\n', /unknown key nope \(known keys: host, log, api, docker, store, loki, stats, logs, k8s, rules\)/],
      ['docker:\n  queue_max: 10\n', /:2:14: docker.queue_max: .*>=100/],
      ['loki:\n  url: not a url\n', /loki.url: Invalid URL/],
      ['store:\n  max_age: 3 weeks\n', /store.max_age: a duration like 30s, 5m or 7d/],
    ];
    for (const [text, re] of cases) {
      assert.throws(() => loadConfig({ file: write(text), env: {} }), (e: unknown) => e instanceof ConfigError && re.test(e.message), text);
    }
    assert.throws(() => loadConfig({ env: {}, flags: ['nonsense'] }), /expected section.key=value/);
  });
});
