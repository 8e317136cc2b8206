import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCidrs, parseIPv4, parseIPv6 } from './cidr.js';
import { eventTimeMs, recordOccurrence, tupleKey } from './correlation.js';
import { formatDuration, parseDuration } from './duration.js';
import { compileField } from './fields.js';
import { compileGlob } from './regex.js';
import { compileTemplate } from './template.js';
import { SourceText } from './yaml-source.js';
import { isScalar, type Scalar } from 'yaml';

describe('durations', () => {
  it('parses units, combinations and bare seconds', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration(90), 90_000);
    assert.equal(parseDuration('90'), 90_000);
    assert.equal(typeof parseDuration('5 minutes'), 'string');
    assert.equal(typeof parseDuration('0s'), 'string');
    assert.equal(typeof parseDuration('8d'), 'string');
    assert.equal(typeof parseDuration(-1), 'string');
    assert.equal(formatDuration(300_000), '5m');
    assert.equal(formatDuration(1500), '1500ms');
  });
});

describe('field access', () => {
  it('follows dotted label keys, fans out over arrays and refuses inherited names', () => {
    const ev = { container: { labels: { 'com.docker.compose.service': 'api', app: 'x' }, mounts: [{ source: '/a' }, { source: '/b' }, { other: 1 }], cap_add: ['A'] } };
    assert.equal(compileField('container.labels.com.docker.compose.service')(ev), 'api');
    assert.equal(compileField('container.labels.app')(ev), 'x');
    assert.deepEqual(compileField('container.mounts.source')(ev), ['/a', '/b']);
    assert.equal(compileField('container.mounts.1.source')(ev), '/b');
    assert.equal(compileField('container.cap_add.constructor')(ev), undefined);
    assert.equal(compileField('container.toString')(ev), undefined);
    assert.equal(compileField('container.missing.deeper')(ev), undefined);
    assert.equal(compileField('container.labels.app.deeper')(ev), undefined);
    assert.equal(compileField('a.b')('string'), undefined);
    assert.equal(compileField('a.b.c')({ 'a.b': { c: 1 } }), 1);
    assert.equal(compileField('a.b.c')({ a: { 'b.c': 2 } }), 2);
    assert.equal(compileField('a.b.c')({ 'a.b.c': 3 }), 3);
    assert.equal(compileField('a.b.c')({ a: {} }), undefined);
    assert.equal(compileField('a.b')({ a: undefined, 'a.b': 4 }), 4, 'a field holding undefined is absent');
    assert.deepEqual(compileField('m.0.x')({ m: [{ x: 5 }] }), 5);
    assert.deepEqual(compileField('m.x')({ m: [{ x: 6 }, { 'x': undefined }, {}] }), [6]);
    assert.deepEqual(compileField('m.x.y')({ m: [{ 'x.y': 7 }, { x: { y: 8 } }] }), [7, 8]);
  });
});

describe('CIDR', () => {
  it('parses addresses strictly', () => {
    assert.equal(parseIPv4('10.0.0.1'), 167772161);
    assert.equal(parseIPv4('256.0.0.1'), undefined);
    assert.equal(parseIPv4('1.2.3'), undefined);
    assert.equal(parseIPv4('1.2.3.4.5'), undefined);
    assert.equal(parseIPv6('::1'), 1n);
    assert.equal(parseIPv6('fe80::1%eth0'), (0xfe80n << 112n) | 1n);
    assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(parseIPv6('1::2::3'), undefined);
  });

  it('matches ranges and refuses bad ones', () => {
    const m = compileCidrs(['192.168.0.0/16', '2001:db8::/32', '8.8.8.8']);
    assert.equal(m('192.168.255.1'), true);
    assert.equal(m('192.169.0.1'), false);
    assert.equal(m('2001:db8:1::5'), true);
    assert.equal(m('2001:db9::5'), false);
    assert.equal(m('8.8.8.8'), true);
    assert.equal(m('8.8.8.9'), false);
    assert.throws(() => compileCidrs(['10.0.0.0/33']), /prefix length/);
    assert.throws(() => compileCidrs(['example.com/8']), /not an IPv4 or IPv6/);
  });
});

describe('globs', () => {
  it('supports *, ?, classes and escapes', () => {
    assert.equal(compileGlob('/etc/*')('/etc/passwd'), true);
    assert.equal(compileGlob('/etc/*')('/var/etc/passwd'), false);
    assert.equal(compileGlob('*.sock')('/var/run/docker.sock'), true);
    assert.equal(compileGlob('a?c')('abc'), true);
    assert.equal(compileGlob('a?c')('abbc'), false);
    assert.equal(compileGlob('[!a]x')('bx'), true);
    assert.equal(compileGlob('[!a]x')('ax'), false);
    assert.equal(compileGlob('a\\*')('a*'), true);
    assert.equal(compileGlob('a\\*')('ab'), false);
    assert.equal(compileGlob('*')(''), true);
    assert.equal(compileGlob('a.b')('axb'), false, 'dots are literal');
  });
});

describe('templates', () => {
  it('renders fields and reports unusable placeholders', () => {
    const issues: { offset: number; message: string }[] = [];
    const t = compileTemplate('{a.b} and {not a path} and {open', issues);
    assert.equal(t.render({ a: { b: 'x' } }), 'x and {not a path} and {open');
    assert.equal(issues.length, 2);
    assert.equal(issues[0]!.offset, 10);
    assert.equal(compileTemplate('n={a}').render({ a: 'y'.repeat(1000) }).length, 'n='.length + 257);
  });
});

describe('correlation helpers', () => {
  it('reads event times with nanoseconds', () => {
    assert.equal(eventTimeMs('2025-01-01T00:00:00.000000000Z'), Date.UTC(2025, 0, 1));
    assert.equal(eventTimeMs('2025-01-01T00:00:00.000500000Z') - Date.UTC(2025, 0, 1), 0.5);
    assert.ok(Number.isNaN(eventTimeMs('yesterday')));
    assert.ok(Number.isNaN(eventTimeMs(12)));
  });

  it('keys tuples, refusing missing values unless allowed, and hashing long ones', () => {
    const g = [compileField('a'), compileField('b')];
    assert.equal(tupleKey(g, { a: 'x', b: 1 }, false), 'x\u00001');
    assert.equal(tupleKey(g, { a: 'x' }, false), undefined);
    assert.equal(tupleKey(g, { a: 'x' }, true), 'x\u0000\u0001');
    assert.match(tupleKey(g, { a: 'x'.repeat(1000), b: 1 }, false)!, /^#/);
  });

  it('bounds a window to frequency entries', () => {
    const st = { times: [] as number[], diffs: null, suppressUntil: -Infinity, ref: false };
    for (let i = 0; i < 100; i += 1) recordOccurrence(st, i, 5, 1_000_000, undefined);
    assert.deepEqual(st.times, [95, 96, 97, 98, 99]);
  });
});

describe('positions inside YAML scalars', () => {
  it('maps offsets of block literal, folded and double-quoted values to line and column', () => {
    const text = 'a: |\n  x = 1 and\n  y = 2\nb: >-\n  p = 1\n  q = 2\nc: "m = \\"v\\" and n = 3"\n';
    const src = new SourceText('f.yaml', text);
    const node = (k: string) => src.doc.get(k, true) as Scalar;
    assert.ok(isScalar(node('a')));
    const a = src.scalarMapper(node('a'));
    assert.deepEqual(a(String(node('a').value).indexOf('y')), { line: 3, column: 3 });
    const b = src.scalarMapper(node('b'));
    assert.deepEqual(b(String(node('b').value).indexOf('q')), { line: 6, column: 3 });
    const c = src.scalarMapper(node('c'));
    assert.deepEqual(c(String(node('c').value).indexOf('n =')), { line: 7, column: 19 });
  });
});
