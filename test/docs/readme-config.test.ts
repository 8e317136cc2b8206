// The configuration example in README.md is what users copy: it must load as it is written, with
// only its `...` placeholders (tokens, credentials) filled in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../backend/src/config/load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function configBlock(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.indexOf('### Configuration');
  assert.ok(section >= 0, 'README has a Configuration section');
  const start = readme.indexOf('```yaml\n', section);
  const end = readme.indexOf('\n```', start + 8);
  assert.ok(start > section && end > start, 'the Configuration section has a yaml block');
  return readme.slice(start + 8, end + 1);
}

describe('README configuration example', () => {
  it('loads, with its placeholders filled in', () => {
    const text = configBlock().replace(/: \.\.\.(\s|$)/g, ': placeholder-0123456789abcdef$1');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-readme-'));
    try {
      const file = path.join(dir, 'shipwatch.yaml');
      fs.writeFileSync(file, text);
      const cfg = loadConfig({ file, env: {} });
      // A few keys the README explains, read back as documented.
      assert.equal(cfg.api.listen, '127.0.0.1:7475');
      assert.equal(cfg.store.max_age, 7 * 24 * 3600 * 1000);
      assert.equal(cfg.k8s.watch_enabled, false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
