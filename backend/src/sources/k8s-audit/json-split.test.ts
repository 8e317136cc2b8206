import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyLines, parseInPlace, splitBody } from './json-split.js';
import { auditMix } from './testdata.js';

/** splitBody, then its elements parsed: JSON.parse's value, or undefined when either gives up. */
function parseSplit(buf: Buffer): { value: unknown } | undefined {
  const split = splitBody(buf);
  return split && parseInPlace(split.texts) ? split : undefined;
}

const parsed = (text: string) => parseSplit(Buffer.from(text))?.value;

/** A random JSON value with strings that hold brackets, commas, quotes and escapes. */
function randomValue(rnd: () => number, depth = 0): unknown {
  const r = rnd();
  if (depth > 3 || r < 0.3) {
    const pieces = ['a', ',', ']', '}', '[', '{', '"', '\\', ':', ' ', 'é', '😀', '\n', 'items'];
    return Array.from({ length: Math.floor(rnd() * 8) }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
  }
  if (r < 0.4) return Math.floor(rnd() * 1e6) / 100;
  if (r < 0.45) return [true, false, null][Math.floor(rnd() * 3)];
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => [`k${i}${i % 2 ? ']' : ''}`, randomValue(rnd, depth + 1)]));
}

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('splitBody: a big array cut into its elements, each parsed on its own', () => {
  it('gives what JSON.parse gives for EventLists, arrays and random values, compact or indented', () => {
    const rnd = seeded(7);
    const docs: unknown[] = [
      { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: auditMix(50) },
      { items: [], kind: 'EventList' },
      { kind: 'EventList', metadata: { items: [1, 2] }, items: [{ items: [3] }], after: 'x' },
      auditMix(20),
      [],
      [[], {}, '', 0],
    ];
    for (let i = 0; i < 300; i += 1) {
      docs.push(rnd() < 0.5
        ? Array.from({ length: Math.floor(rnd() * 6) }, () => randomValue(rnd))
        : { kind: 'EventList', before: randomValue(rnd), items: Array.from({ length: Math.floor(rnd() * 6) }, () => randomValue(rnd)), after: randomValue(rnd) });
    }
    for (const doc of docs) {
      for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2), ` \n${JSON.stringify(doc, null, '\t')}\r\n`]) {
        assert.deepEqual(parsed(text), JSON.parse(text), text.slice(0, 200));
      }
    }
  });

  it('gives up (the caller parses the whole body) on what it cannot be sure of', () => {
    for (const text of [
      '{"kind":"EventList","items":[{"a":1}],"it\\u0065ms":[]}', // an escaped key that JSON.parse reads as items
      '{"items":[1],"items":[2]}', // items twice: the last one wins in JSON.parse
      '{"kind":"Event","verb":"get"}', // no array to split
      '{"items":{"a":1}}',
      '"text"',
      '',
    ]) {
      assert.equal(parseSplit(Buffer.from(text)), undefined, text);
    }
  });

  it("gives each element's own text, in the big array's place", () => {
    const items = auditMix(5);
    const body = JSON.stringify({ kind: 'EventList', items, after: [1, 2] }, null, 1);
    const split = splitBody(Buffer.from(body))!;
    assert.equal((split.value as { items: unknown }).items, split.texts);
    assert.deepEqual((split.value as { after: unknown }).after, [1, 2]);
    assert.deepEqual(split.texts.map((t) => JSON.parse(t) as unknown), items);
    assert.ok(split.texts.every((t, i) => body.includes(t) && t.trim() === JSON.stringify(items[i], null, 1).replace(/\n/g, '\n  ')));
    const arr = splitBody(Buffer.from('[{"a":1}, "x" ,2]'))!;
    assert.equal(arr.value, arr.texts);
    assert.deepEqual(arr.texts, ['{"a":1}', ' "x" ', '2']);
    const half = ['1', '{bad', '3'];
    assert.equal(parseInPlace(half), false);
  });

  it('never accepts what JSON.parse refuses', () => {
    for (const text of [
      '[1,]', '[,1]', '[1,,2]', '[1 2]', '[{]}', '[{"a":1]', '{"items":[1,2]', '{"items":[1,2]}}', '[1,2] x',
      '{"kind":"EventList","items":[1],}', '{"items":[1] "x":2}', '[{"a":"unterminated]', '[1,2',
    ]) {
      assert.throws(() => JSON.parse(text), text);
      assert.equal(parseSplit(Buffer.from(text)), undefined, text);
    }
  });

  it('splits a body into its lines, each decoded on its own', () => {
    assert.deepEqual(bodyLines(Buffer.from('{"a":1}\n\n{"b":"é"}\r\n')), ['{"a":1}', '', '{"b":"é"}\r', '']);
    assert.deepEqual(bodyLines(Buffer.from('x')), ['x']);
  });
});
