import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeComponent, percentDecodeOnce, urlFields } from './url.js';

describe('URL decoding', () => {
  test('single round, + as space in the query only', () => {
    assert.deepEqual(urlFields('/index.php?id=1%27%20OR%201=1--'), {
      original: '/index.php?id=1%27%20OR%201=1--',
      path: '/index.php',
      query: "id=1' OR 1=1--",
    });
    assert.deepEqual(urlFields('/a+b/c?q=a+b%2Bc'), { original: '/a+b/c?q=a+b%2Bc', path: '/a+b/c', query: 'q=a b+c' });
  });

  test('path traversal, encoded and double-encoded', () => {
    assert.equal(urlFields('/..%2f..%2fetc/passwd').path, '/../../etc/passwd');
    assert.equal(urlFields('/..%2f..%2fetc/passwd').double_encoded, undefined);
    const d = urlFields('/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd');
    assert.equal(d.path, '/static/../../etc/passwd');
    assert.equal(d.double_encoded, true);
    // three rounds at most
    assert.equal(decodeComponent('%25252e', false).value, '.');
    assert.equal(decodeComponent('%2525252e', false).value, '%2e');
    assert.equal(decodeComponent('%2525252e', false).rounds, 3);
  });

  test('XSS in the query', () => {
    assert.equal(urlFields('/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E').query, 'q=<script>alert(1)</script>');
    assert.equal(urlFields('/search?q=%253Cscript%253E').query, 'q=<script>');
  });

  test('lenient: bad escapes stay, invalid UTF-8 bytes stay encoded, nothing throws', () => {
    assert.equal(percentDecodeOnce('100%', false), '100%');
    assert.equal(percentDecodeOnce('%zz%4', false), '%zz%4');
    assert.equal(percentDecodeOnce('%c0%af..%2f', false), '%c0%af../');
    assert.equal(percentDecodeOnce('%C3%A9t%C3%A9', false), 'été');
    assert.equal(percentDecodeOnce('caf\u00e9%20x', false), 'café x');
    assert.equal(percentDecodeOnce('%00', false), '\u0000');
  });

  test('absolute and authority forms', () => {
    assert.deepEqual(urlFields('http://evil.example:8080/x?y=1'), {
      original: 'http://evil.example:8080/x?y=1', domain: 'evil.example', path: '/x', query: 'y=1',
    });
    assert.deepEqual(urlFields('http://user@[::1]'), { original: 'http://user@[::1]', domain: '::1', path: '/' });
    assert.deepEqual(urlFields('example.com:443'), { original: 'example.com:443' });
    assert.deepEqual(urlFields('*'), { original: '*', path: '*' });
  });
});
