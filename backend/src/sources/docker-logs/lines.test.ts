import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FramedLineAssembler, RawLineAssembler, type LogLine } from './lines.js';
import { normalizeRfc3339, rfc3339ToNanos } from '../../event/time.js';
import { chop, frame, framed, messages, raw, stamp } from './testing.js';

function run(tty: boolean, chunks: Buffer[], opts: { max?: number; final?: boolean } = {}) {
  const lines: LogLine[] = [];
  const engine: string[] = [];
  const malformed: string[] = [];
  const ev = { line: (l: LogLine) => lines.push(l), engineError: (m: string) => engine.push(m), malformed: (r: string) => malformed.push(r) };
  const a = tty ? new RawLineAssembler(ev, opts.max ?? 256 * 1024) : new FramedLineAssembler(ev, opts.max ?? 256 * 1024);
  for (const c of chunks) a.push(c);
  a.end(opts.final ?? false);
  return { lines, engine, malformed };
}

const T1 = stamp(1, 123456789);
const T2 = stamp(2, 5);
const T3 = stamp(3, 999999999);
const LONG = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

describe('FramedLineAssembler (no TTY)', () => {
  it('gives each line its stream, message and Docker time with nanoseconds', () => {
    const { lines, malformed } = run(false, [framed([[1, T1, 'hello world'], [2, T2, 'an error'], [1, T3, '']])]);
    assert.deepEqual(lines.map((l) => [l.stream, l.message, l.time, l.sec, l.nsec, l.bytes, l.truncated]), [
      ['stdout', 'hello world', T1, Date.parse(T1.slice(0, 19) + 'Z') / 1000, 123456789, 12, false],
      ['stderr', 'an error', T2, Date.parse(T2.slice(0, 19) + 'Z') / 1000, 5, 9, false],
      ['stdout', '', T3, Date.parse(T3.slice(0, 19) + 'Z') / 1000, 999999999, 1, false],
    ]);
    assert.deepEqual(malformed, []);
  });

  it('joins the 16 KiB partial messages of a long line, at any chunking', () => {
    const input = framed([[1, T1, 'before'], [1, T2, LONG], [2, T3, 'after']]);
    assert.equal(messages(T2, LONG).length, 2, 'dockerd splits 20,000 bytes into two partials');
    for (const sizes of [[input.length], [1], [7], [100, 9000], [16_384], [16_416]]) {
      const { lines } = run(false, chop(input, sizes));
      assert.deepEqual(lines.map((l) => [l.message.length, l.time]), [[6, T1], [20_000, T2], [5, T3]], `chunks of ${sizes.join(',')}`);
      assert.equal(lines[1]!.message, LONG);
      assert.equal(lines[1]!.bytes, 20_001);
    }
  });

  it('joins partials of stdout and stderr separately when their frames interleave', () => {
    const out = messages(T1, 'o'.repeat(40_000));
    const err = messages(T2, 'e'.repeat(20_000));
    const input = Buffer.concat([frame(1, out[0]!), frame(2, err[0]!), frame(1, out[1]!), frame(2, err[1]!), frame(1, out[2]!)]);
    const { lines } = run(false, chop(input, [5000]));
    assert.deepEqual(lines.map((l) => [l.stream, l.message.length, l.time]), [['stderr', 20_000, T2], ['stdout', 40_000, T1]]);
    assert.ok(lines[0]!.message === 'e'.repeat(20_000) && lines[1]!.message === 'o'.repeat(40_000));
  });

  it('keeps a multi-byte character cut by the partial boundary whole', () => {
    const line = `${'a'.repeat(16_383)}€ and more`;
    const { lines } = run(false, [framed([[1, T1, line]])]);
    assert.equal(lines[0]!.message, line);
  });

  it('a line of exactly 16 KiB: a full partial, then a message with only the newline', () => {
    const line = 'z'.repeat(16_384);
    assert.equal(messages(T1, line).length, 2);
    const { lines } = run(false, [framed([[1, T1, line], [1, T2, 'next']])]);
    assert.deepEqual(lines.map((l) => l.message.length), [16_384, 4]);
  });

  it('cuts a line at max_line_bytes on a character boundary and flags it', () => {
    const line = `${'é'.repeat(3000)}tail`; // 6004 bytes
    const { lines } = run(false, [framed([[1, T1, line], [1, T2, 'short']])], { max: 1025 });
    assert.equal(lines[0]!.truncated, true);
    assert.equal(lines[0]!.message, 'é'.repeat(512), '1025 bytes cut back to 1024, two bytes per character');
    assert.equal(lines[0]!.bytes, 6005);
    assert.deepEqual([lines[1]!.message, lines[1]!.truncated], ['short', false]);
  });

  it('cuts a 20,000-byte line at a 1 KiB cap across partials', () => {
    const { lines } = run(false, chop(framed([[1, T1, LONG]]), [333]), { max: 1024 });
    assert.equal(lines[0]!.message, LONG.slice(0, 1024));
    assert.equal(lines[0]!.truncated, true);
  });

  it('reports the engine\'s own messages (system-error frames) apart from the lines', () => {
    const { lines, engine } = run(false, [Buffer.concat([framed([[1, T1, 'a']]), frame(3, 'Error grabbing logs: log message is too large\n'), framed([[1, T2, 'b']])])]);
    assert.deepEqual(lines.map((l) => l.message), ['a', 'b']);
    assert.deepEqual(engine, ['Error grabbing logs: log message is too large']);
  });

  it('keeps a message without a timestamp, with the time of the line before, and reports it', () => {
    const input = Buffer.concat([framed([[1, T1, 'a']]), frame(1, 'no time here\n'), frame(1, '2026-13-45T00:00:00Z bad month\n'), framed([[1, T2, 'b']])]);
    for (const sizes of [[input.length], [1], [3]]) {
      const { lines, malformed } = run(false, chop(input, sizes));
      assert.deepEqual(lines.map((l) => [l.message, l.time, !!l.untimed]), [['a', T1, false], ['no time here', T1, true], ['2026-13-45T00:00:00Z bad month', T1, true], ['b', T2, false]]);
      assert.equal(malformed.length, 2);
    }
  });

  it('reads timestamps with fewer than nine fraction digits (RFC3339Nano) and with an offset', () => {
    const input = Buffer.concat([frame(1, '2026-01-02T03:04:05.5Z a\n'), frame(1, '2026-01-02T03:04:05Z b\n'), frame(1, '2026-01-02T04:04:05.000000001+01:00 c\n')]);
    const { lines } = run(false, [input]);
    assert.deepEqual(lines.map((l) => [l.time, l.nsec]), [['2026-01-02T03:04:05.500000000Z', 500_000_000], ['2026-01-02T03:04:05.000000000Z', 0], ['2026-01-02T03:04:05.000000001Z', 1]]);
  });

  it('gives every line a canonical event time that says the same instant as sec and nsec', () => {
    // logLineToEvent takes these times as they are (canonicalTime): a day that does not exist or a
    // leap second must come out as the instant the numbers say, not as written.
    const stamps = ['2024-02-29T23:59:59.999999999Z', '2026-02-29T00:00:01.5Z', '2026-04-31T10:00:00Z', '2026-12-31T23:59:60.25Z', '2026-06-30T12:00:00.000000001+02:00', '2026-01-02T03:04:05.000001Z'];
    const input = Buffer.concat(stamps.map((t, i) => frame(1, `${t} line ${i}\n`)));
    const { lines } = run(false, [input]);
    assert.equal(lines.length, stamps.length);
    for (const l of lines) {
      assert.equal(normalizeRfc3339(l.time), l.time, `${l.message}: ${l.time} is canonical`);
      assert.equal(rfc3339ToNanos(l.time), BigInt(l.sec) * 1_000_000_000n + BigInt(l.nsec), `${l.message}: ${l.time} is ${l.sec}.${l.nsec}`);
    }
    assert.deepEqual(lines.map((l) => l.time.slice(0, 10)), ['2024-02-29', '2026-03-01', '2026-05-01', '2026-05-01', '2026-06-30', '2026-01-02']);
    // A leap second is no time RFC 3339 parsers agree on: the line keeps its text and the time of
    // the line before, and says it has none of its own.
    assert.deepEqual([lines[3]!.untimed, lines[3]!.time, lines[3]!.message], [true, lines[2]!.time, '2026-12-31T23:59:60.25Z line 3']);
  });

  it('strips the newline and a carriage return before it, nothing else', () => {
    const { lines } = run(false, [framed([[1, T1, '  spaced\t'], [1, T2, 'dos\r']])]);
    assert.deepEqual(lines.map((l) => l.message), ['  spaced\t', 'dos']);
  });

  it('at the end of a stream: a last line without newline is whole only when the log is final', () => {
    const input = Buffer.concat([framed([[1, T1, 'a']]), frame(1, `${T2} no newline at exit`)]);
    assert.deepEqual(run(false, [input], { final: false }).lines.map((l) => l.message), ['a']);
    assert.deepEqual(run(false, [input], { final: true }).lines.map((l) => [l.message, l.time]), [['a', T1], ['no newline at exit', T2]]);
  });

  it('reports stdin frames and ignores them', () => {
    const { lines, malformed } = run(false, [Buffer.concat([frame(0, `${T1} typed\n`), framed([[1, T2, 'x']])])]);
    assert.deepEqual(lines.map((l) => l.message), ['x']);
    assert.deepEqual(malformed, ['stdin frame']);
  });
});

describe('RawLineAssembler (TTY)', () => {
  it('splits messages at newlines and strips \\r\\n', () => {
    const { lines } = run(true, [raw([[T1, 'out1'], [T2, 'err1'], [T3, '']])]);
    assert.deepEqual(lines.map((l) => [l.stream, l.message, l.time]), [['stdout', 'out1', T1], ['stdout', 'err1', T2], ['stdout', '', T3]]);
  });

  it('joins partials: a message ends after exactly 16 KiB and the next starts with its timestamp', () => {
    const input = raw([[T1, 'a'], [T2, LONG], [T3, 'b']]);
    for (const sizes of [[input.length], [1], [13], [16_384], [16_415], [4000, 31]]) {
      const { lines, malformed } = run(true, chop(input, sizes));
      assert.deepEqual(lines.map((l) => [l.message.length, l.time]), [[1, T1], [20_000, T2], [1, T3]], `chunks of ${sizes.join(',')}`);
      assert.equal(lines[1]!.message, LONG);
      assert.deepEqual(malformed, []);
    }
  });

  it('keeps content that does not start with a timestamp after 16 KiB (another buffer size) as part of the line', () => {
    const line = 'q'.repeat(20_000);
    const input = Buffer.concat([Buffer.from(`${T1} ${line}\r\n`), Buffer.from(`${T2} next\r\n`)]);
    const { lines, malformed } = run(true, chop(input, [1000]));
    assert.deepEqual(lines.map((l) => [l.message, l.time]), [[line, T1], ['next', T2]]);
    assert.equal(malformed.length, 1);
  });

  it('a last line without newline is emitted only when the log is final', () => {
    const input = Buffer.concat([raw([[T1, 'a']]), Buffer.from(`${T2} prompt> `)]);
    assert.deepEqual(run(true, [input]).lines.map((l) => l.message), ['a']);
    assert.deepEqual(run(true, [input], { final: true }).lines.map((l) => l.message), ['a', 'prompt> ']);
  });

  it('caps long lines', () => {
    const { lines } = run(true, chop(raw([[T1, LONG], [T2, 'ok']]), [777]), { max: 2048 });
    assert.deepEqual(lines.map((l) => [l.message.length, l.truncated]), [[2048, true], [2, false]]);
  });
});
