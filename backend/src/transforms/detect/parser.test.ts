import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawNode } from './ast.js';
import { parseCondition, ParseError } from './parser.js';

function shape(n: RawNode): unknown {
  switch (n.kind) {
    case 'and':
    case 'or':
      return [n.kind, ...n.items.map(shape)];
    case 'not':
      return ['not', shape(n.item)];
    case 'ref':
      return n.name;
    case 'cmp':
      return `${n.field} ${n.op}${n.rhs ? ` ${n.rhs.kind === 'list' ? `(${n.rhs.items.map((i) => String(i.value)).join(',')})` : String(n.rhs.value.value)}` : ''}`;
  }
}

function errorAt(src: string): { message: string; offset: number } {
  try {
    parseCondition(src);
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    return { message: e.message, offset: e.offset };
  }
  assert.fail(`parsed without error: ${src}`);
}

describe('condition parser', () => {
  it('gives or < and < not precedence', () => {
    assert.deepEqual(shape(parseCondition('a = 1 or b = 2 and not c = 3')), ['or', 'a = 1', ['and', 'b = 2', ['not', 'c = 3']]]);
    assert.deepEqual(shape(parseCondition('(a = 1 or b = 2) and c exists')), ['and', ['or', 'a = 1', 'b = 2'], 'c exists']);
    assert.deepEqual(shape(parseCondition('not not m')), ['not', ['not', 'm']]);
  });

  it('reads values: quoted, bare, numbers, booleans, lists', () => {
    assert.deepEqual(shape(parseCondition('x in (a, "b c", 3, true)')), 'x in (a,b c,3,true)');
    const n = parseCondition("x = 'it\\'s'");
    assert.equal(n.kind === 'cmp' && n.rhs?.kind === 'single' ? n.rhs.value.value : undefined, "it's");
    const r = parseCondition('x regex "\\d+\\.\\d"');
    assert.equal(r.kind === 'cmp' && r.rhs?.kind === 'single' ? r.rhs.value.value : undefined, '\\d+\\.\\d', 'regex escapes are kept');
    const num = parseCondition('x = -1.5e3');
    assert.equal(num.kind === 'cmp' && num.rhs?.kind === 'single' ? num.rhs.value.value : undefined, -1500);
    assert.deepEqual(shape(parseCondition('x=1 and y!=2 and z>=3')), ['and', 'x = 1', 'y != 2', 'z >= 3']);
    assert.deepEqual(shape(parseCondition('k8s.labels.app.kubernetes.io/name = web')), 'k8s.labels.app.kubernetes.io/name = web');
  });

  it('reports errors at the offending offset', () => {
    assert.deepEqual(errorAt('a = 1 and'), { message: "expected a field, a macro or '(', found end of condition", offset: 9 });
    assert.equal(errorAt('a = 1 b = 2').offset, 6);
    assert.equal(errorAt('(a = 1').offset, 6);
    assert.equal(errorAt('a = 1)').offset, 5);
    assert.equal(errorAt('a = "open').offset, 4);
    assert.equal(errorAt('a in (1 2)').offset, 8);
    assert.equal(errorAt('a = and').offset, 4);
    assert.equal(errorAt('a ! b').offset, 2);
    assert.match(errorAt('a like b').message, /unknown operator 'like'/);
  });

  it('refuses nesting deep enough to threaten the stack', () => {
    const deep = `${'('.repeat(500)}a = 1${')'.repeat(500)}`;
    assert.match(errorAt(deep).message, /nested deeper/);
    assert.match(errorAt(`${'not '.repeat(500)}a = 1`).message, /nested deeper/);
    assert.doesNotThrow(() => parseCondition(`${'('.repeat(50)}a = 1${')'.repeat(50)}`));
  });
});
