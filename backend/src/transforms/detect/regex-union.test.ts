import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRegexSet } from './regex.js';
import { RegexUnions } from './regex-union.js';

describe('RegexUnions', () => {
  const lists = [
    ['(?i)\\bunion\\b.*\\bselect\\b', '(?i)\\bsleep\\s*\\('],
    ['(?i)<\\s*script\\b'],
    ['(\\.\\./){2,}', '(?i)etc/passwd'],
  ];
  const values = [
    '/api/items/12',
    '/search?q=1 UNION SELECT password',
    '/x?<script>alert(1)</script>',
    '/../../etc/passwd',
    '/api/items/12', // the same value again (memoized answer)
    '/plain/etc/passwd',
    '',
    'sleep(5)',
    'ünïcödé/<SCRIPT>',
  ];

  test('each test answers as it would alone, before and after the union is built', () => {
    const unions = new RegexUnions();
    const compile = unions.compilerFor('url.path');
    const tests = lists.map((l) => compile(l));
    const alone = lists.map((l) => compileRegexSet(l));
    const answers = () => values.map((v) => tests.map((t) => t(v)));
    const expected = values.map((v) => alone.map((t) => t(v)));
    assert.deepEqual(answers(), expected, 'before seal');
    unions.seal();
    assert.deepEqual(answers(), expected, 'after seal');
    // Interleaved with another field's union: each keeps its own last value.
    const other = unions.compilerFor('user_agent.original')(['(?i)sqlmap']);
    const other2 = unions.compilerFor('user_agent.original')(['(?i)nikto']);
    unions.seal();
    for (const v of values) {
      assert.deepEqual(tests.map((t) => t(v)), alone.map((t) => t(v)), v);
      assert.equal(other(`sqlmap/1.7 ${v}`), true);
      assert.equal(other2(`sqlmap/1.7 ${v}`), false);
    }
    // The answers differ between values: the check can fail.
    assert.ok(expected.some((row) => row.some(Boolean)) && expected.some((row) => row.every((x) => !x)));
  });

  test('the shipped rule files load with unions and still fire (web attack on a URL)', async () => {
    const { DetectionEngine } = await import('./engine.js');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    const engine = DetectionEngine.fromDirs({ shippedDir: path.join(root, 'rules') });
    const ev = (url: string) => ({
      event: { id: 'e', time: '2026-01-02T03:04:05.000000000Z', source: 'log', action: 'log' },
      log: { format: 'nginx', message: `GET ${url}` },
      source: { ip: '10.0.0.9' },
      http: { request: { method: 'GET' }, response: { status_code: 404 } },
      url: { original: url, path: url.split('?')[0], query: url.split('?')[1] },
    });
    const ids = (url: string) => engine.evaluate(ev(url) as never).map((a) => a.rule.id);
    assert.deepEqual(ids('/api/items/12'), []);
    assert.deepEqual(ids('/search?q=1 union select password from users'), [110100]);
    assert.deepEqual(ids('/x?q=<script>alert(1)</script>'), [110200]);
    assert.deepEqual(ids('/a/../../../etc/passwd'), [110300]);
    assert.deepEqual(ids('/api/items/13'), []);
  });
});
