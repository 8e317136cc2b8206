import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from './lines.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks, including a multi-byte character cut in two', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    const bytes = Buffer.from('{"a":"é"}\r\n{"b":2}\n\n{"c"');
    s.push(bytes.subarray(0, 7));
    s.push(bytes.subarray(7));
    s.push(':3}\n');
    s.push('tail');
    s.end();
    assert.deepEqual(out, ['{"a":"é"}', '{"b":2}', '{"c":3}', 'tail']);
  });

  it('cuts a line longer than the limit and flags it', () => {
    const out: [string, boolean][] = [];
    const s = new LineSplitter((l, t) => out.push([l, t]), 10);
    s.push('x'.repeat(25));
    s.push('\nok\n');
    assert.deepEqual(out, [['x'.repeat(10), true], ['ok', false]]);
  });
});
