import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CriAssembler, parseCriEntry, type CriLine, type CriResume } from './cri.js';

/** Feeds file text line by line (as FileTail does) and collects lines, resume points and malformed reasons. */
function feed(text: string, cap = 1024, extra?: Record<string, unknown>) {
  const lines: (CriLine & { resume: CriResume })[] = [];
  const bad: string[] = [];
  const a = new CriAssembler(cap, { line: (l, resume) => lines.push({ ...l, resume }), malformed: (r) => bad.push(r) });
  a.begin(extra);
  const buf = Buffer.from(text);
  let start = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
    a.entry(buf, start, nl, start, nl + 1);
    start = nl + 1;
  }
  return { lines, bad, a, size: buf.length };
}

const T1 = '2024-05-01T10:00:00.123456789Z';
const T2 = '2024-05-01T10:00:01.5+02:00';

describe('CRI log entries', () => {
  it('parses time, stream, tag and content (an empty content too)', () => {
    const b = Buffer.from(`${T1} stderr F hello world`);
    const p = parseCriEntry(b, 0, b.length);
    assert.ok(typeof p !== 'string');
    assert.equal(p.time, T1);
    assert.equal(p.stream, 'stderr');
    assert.equal(p.partial, false);
    assert.equal(b.toString('utf8', p.content), 'hello world');
    const e = Buffer.from(`${T1} stdout F`);
    const pe = parseCriEntry(e, 0, e.length);
    assert.ok(typeof pe !== 'string' && pe.content === e.length);
    const tagged = Buffer.from(`${T2} stdout P:x part`);
    const pt = parseCriEntry(tagged, 0, tagged.length);
    assert.ok(typeof pt !== 'string' && pt.partial && pt.time === '2024-05-01T08:00:01.500000000Z');
  });

  it('says why a line is not an entry', () => {
    const cases: [string, RegExp][] = [
      ['plain text', /time is not RFC 3339|no stream/],
      [`${T1} stdin F x`, /neither stdout nor stderr/],
      [`${T1} stdout X x`, /neither P nor F/],
      [`${T1} stdout PF x`, /neither P nor F/],
      [`${T1}`, /no time, stream and tag/],
      [`notatime stdout F x`, /not RFC 3339/],
    ];
    for (const [text, re] of cases) {
      const b = Buffer.from(text);
      const r = parseCriEntry(b, 0, b.length);
      assert.equal(typeof r, 'string', text);
      assert.match(r as string, re, text);
    }
  });

  it('joins partials until F, per stream, with the time of the first partial', () => {
    const { lines, bad } = feed([
      `${T1} stdout P hello `,
      `2024-05-01T10:00:00.2Z stderr F oops`,
      `2024-05-01T10:00:00.3Z stdout P big `,
      `2024-05-01T10:00:00.4Z stdout F world`,
      `2024-05-01T10:00:00.5Z stdout F {"level":"error","msg":"x"}`,
      'garbage line',
      '',
    ].join('\n'));
    assert.deepEqual(lines.map((l) => [l.stream, l.message, l.time]), [
      ['stderr', 'oops', '2024-05-01T10:00:00.200000000Z'],
      ['stdout', 'hello big world', T1],
      ['stdout', '{"level":"error","msg":"x"}', '2024-05-01T10:00:00.500000000Z'],
    ]);
    assert.equal(bad.length, 1);
    // The stderr line ended while a stdout partial was pending: resume before the partial, skipping stderr up to its end.
    assert.equal(lines[0]!.resume.offset, 0);
    assert.ok(lines[0]!.resume.extra!.skip.stderr! > 0);
    assert.equal(lines[1]!.resume.extra, undefined);
  });

  it('caps a line at the configured size and flags it truncated, on a UTF-8 boundary', () => {
    const part = 'é'.repeat(400); // 800 bytes
    const { lines } = feed(`${T1} stdout P ${part}\n${T1} stdout P ${part}\n${T1} stdout F end\n`, 1025);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.truncated, true);
    assert.equal(lines[0]!.bytes, 1603);
    assert.equal(Buffer.byteLength(lines[0]!.message), 1024);
    assert.ok(!lines[0]!.message.includes('\uFFFD'));
  });

  it('after a resume, skips the lines of a stream emitted before the restart', () => {
    const text = [`${T1} stdout P a`, `${T1} stderr F one`, `${T1} stdout F b`, `${T1} stderr F two`, ''].join('\n');
    const first = feed(text);
    const afterOne = first.lines[0]!.resume; // stderr "one" emitted, stdout "a" pending
    assert.equal(afterOne.offset, 0);
    // A restart right after "one": read from the stored offset with its extra.
    const second = feed(text.slice(afterOne.offset), 1024, afterOne.extra);
    assert.deepEqual(second.lines.map((l) => l.message), ['ab', 'two']);
  });

  it('completes a pending partial when the file is left', () => {
    const { lines, a, size } = feed(`${T1} stdout P unfinished\n`);
    assert.equal(lines.length, 0);
    a.finish(size);
    assert.equal(lines[0]!.message, 'unfinished');
    assert.equal(lines[0]!.resume.offset, size);
  });
});
