import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRegexSet, memoized } from './regex.js';

/** A test that counts its calls, answering like the real one. */
function counted(pred: (s: string) => boolean): { test: (s: string) => boolean; calls: () => number } {
  let n = 0;
  return {
    test: (s) => {
      n += 1;
      return pred(s);
    },
    calls: () => n,
  };
}

describe('memoized regex tests', () => {
  test('repeated values are answered from memory, with the answers of the test', () => {
    const inner = counted((s) => s.includes('union select'));
    const t = memoized(inner.test);
    const values = ['/api/items/1', "/q?id=1 union select 1", 'curl/8.5', '/static/app.js'];
    for (let round = 0; round < 50; round += 1) for (const v of values) assert.equal(t(v), v.includes('union select'));
    assert.equal(inner.calls(), values.length, 'each distinct value matched once');
  });

  test('a value seen within the last 2,048 distinct ones is remembered; older ones are matched again', () => {
    const inner = counted((s) => s.endsWith('7'));
    const t = memoized(inner.test);
    for (let i = 0; i < 2048; i += 1) t(`/api/items/${i}`);
    const before = inner.calls();
    for (let i = 0; i < 2048; i += 1) assert.equal(t(`/api/items/${i}`), i % 10 === 7);
    assert.equal(inner.calls(), before, 'all 2,048 remembered');
    for (let i = 10_000; i < 10_000 + 3 * 2048; i += 1) t(`/api/other/${i}`);
    const later = inner.calls();
    t('/api/items/1');
    assert.equal(inner.calls(), later + 1, 'forgotten after 6,144 newer distinct values');
  });

  test('values that never repeat turn the memo off for a while; answers stay right', () => {
    const inner = counted((s) => s.includes('5'));
    const t = memoized(inner.test);
    for (let i = 0; i < 4096; i += 1) assert.equal(t(`INFO job ${i} done`), String(i).includes('5'));
    // Paused: a value that comes back is matched again, not remembered (only the value of the
    // call just before is answered at once).
    const before = inner.calls();
    t('INFO job 4095 done');
    t('INFO job 4095 done');
    t('INFO job 4094 done');
    t('INFO job 4095 done');
    assert.equal(inner.calls(), before + 2);
  });

  test('a value its prefilter rejects is answered false and neither matched nor remembered', () => {
    const inner = counted((s) => s.includes('passwd'));
    const pre = counted((s) => s.includes('pass'));
    const t = memoized(inner.test, pre.test);
    for (let i = 0; i < 5000; i += 1) assert.equal(t(`/api/items/${i}`), false);
    assert.equal(inner.calls(), 0, 'the test never ran on a rejected value');
    assert.equal(t('/etc/passwd'), true);
    assert.equal(t('/etc/passport'), false);
    t('/etc/passwd');
    t('/etc/passport');
    assert.equal(inner.calls(), 2, 'the values that passed the prefilter are remembered');
    assert.equal(pre.calls(), 5004);
  });

  test('long values are always matched; the answer of a regex set is unchanged', () => {
    const re = compileRegexSet(['(?i)union\\s+select', '\\.\\./']);
    const long = `/${'a'.repeat(300)}/../etc/passwd`;
    for (let i = 0; i < 3; i += 1) {
      assert.equal(re(long), true);
      assert.equal(re('/ok'), false);
      assert.equal(re('/x?q=1 UNION  SELECT 2'), true);
    }
    const inner = counted(() => true);
    const t = memoized(inner.test);
    t(long);
    t(long);
    t('/ok');
    t(long);
    assert.equal(inner.calls(), 3, 'the long value again after another one: matched again');
  });
});
