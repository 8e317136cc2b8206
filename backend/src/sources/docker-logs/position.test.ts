import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogPosition, type StoredPosition, type TimedLine } from './position.js';

const S = 1_795_000_000; // a second in 2026
const line = (sec: number, nsec: number, stream: 'stdout' | 'stderr' = 'stdout'): TimedLine & { id: number } => ({ sec, nsec, stream, id: 0 });
const ns = (sec: number, nsec: number) => `${sec}${String(nsec).padStart(9, '0')}`;

/** What dockerd serves from `since`: the lines at or after it, in file order. */
function serve<T extends TimedLine>(file: T[], p: StoredPosition): T[] {
  const since = BigInt(p.since);
  return file.filter((l) => BigInt(ns(l.sec, l.nsec)) >= since);
}

/** Reads from `from` until `k` new lines were taken, then "crashes": returns them and the position stored with the last. */
function takeFirst<T extends TimedLine>(file: T[], k: number, from: StoredPosition, tty: boolean): { stored: StoredPosition; taken: T[] } {
  const taken: T[] = [];
  if (k === 0) return { stored: from, taken };
  const pos = new LogPosition(from, tty);
  for (const l of serve(file, from)) {
    if (!pos.accept(l)) continue;
    taken.push(l);
    if (taken.length === k) break;
  }
  return { stored: pos.current(), taken };
}

/** Resumes from `stored` and reads to the end; returns what was accepted. */
function resume<T extends TimedLine>(file: T[], stored: StoredPosition, tty: boolean): T[] {
  const pos = new LogPosition(stored, tty);
  return serve(file, stored).filter((l) => pos.accept(l));
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A json-file log as dockerd writes it: two streams each stamped in order, written in an order
 * that lets one stream's line land up to `disorderNs` after a later-stamped line of the other.
 * Some lines share a nanosecond.
 */
function logFile(n: number, seed: number, disorderNs: number): (TimedLine & { id: number })[] {
  const r = rng(seed);
  const stamped: (TimedLine & { id: number; writeAt: number })[] = [];
  let t = 0;
  for (let i = 0; i < n; i += 1) {
    if (r() > 0.1) t += Math.floor(r() * 3_000_000); // same nanosecond 10% of the time
    const stream = r() < 0.7 ? 'stdout' : 'stderr';
    const delay = stream === 'stderr' && r() < 0.2 ? Math.floor(r() * disorderNs) : 0;
    stamped.push({ sec: S + Math.floor(t / 1e9), nsec: t % 1e9, stream, id: i, writeAt: t + delay });
  }
  // file order: by write time; a stream's own order is kept (stable sort, same-stream delays never reorder it)
  const out = stamped.map((l, i) => ({ ...l, i }));
  out.sort((a, b) => a.writeAt - b.writeAt || a.i - b.i);
  // keep each stream in stamp order (the copier writes one stream sequentially)
  for (const s of ['stdout', 'stderr']) {
    const idx = out.map((l, i) => (l.stream === s ? i : -1)).filter((i) => i >= 0);
    const sorted = idx.map((i) => out[i]!).sort((a, b) => a.id - b.id);
    idx.forEach((i, k) => (out[i] = sorted[k]!));
  }
  return out.map(({ sec, nsec, stream, id }) => ({ sec, nsec, stream, id }));
}

describe('LogPosition', () => {
  it('with a TTY: since is the newest line, skip the lines at exactly that nanosecond', () => {
    const p = new LogPosition(LogPosition.from('0'), true);
    for (const l of [line(S, 1), line(S, 5), line(S, 5), line(S, 5)]) assert.equal(p.accept(l), true);
    assert.deepEqual(p.current(), { since: ns(S, 5), skip: 3, last: ns(S, 5) });
  });

  it('without a TTY: since stays at the older stream\'s last line while it is recent', () => {
    const p = new LogPosition(LogPosition.from('0'), false);
    p.accept(line(S, 100, 'stderr'));
    p.accept(line(S, 200, 'stdout'));
    p.accept(line(S, 300, 'stdout'));
    assert.deepEqual(p.current(), { since: ns(S, 100), skip: 3, last: ns(S, 300) });
  });

  it('a quiet stream bounds nothing: since is the newest minus the reorder window', () => {
    const p = new LogPosition(LogPosition.from('0'), false);
    p.accept(line(S, 0, 'stderr'));
    for (let i = 0; i < 10; i += 1) p.accept(line(S + 10 + i, 0, 'stdout'));
    // newest S+19, window 2 s: since S+17, lines at S+17, S+18, S+19
    assert.deepEqual(p.current(), { since: ns(S + 17, 0), skip: 3, last: ns(S + 19, 0) });
  });

  it('never moves before the since of the read it is in', () => {
    const p = new LogPosition({ since: ns(S + 5, 0), skip: 0 }, false);
    p.accept(line(S + 5, 10, 'stdout'));
    assert.deepEqual(p.current(), { since: ns(S + 5, 0), skip: 1, last: ns(S + 5, 10) });
  });

  it('without any line read keeps the stored position (and can mark it done)', () => {
    const stored = { since: ns(S, 1), skip: 2, last: ns(S, 1) };
    const p = new LogPosition(stored, false);
    assert.deepEqual(p.current(), stored);
    assert.deepEqual(p.current('2026-01-01T00:00:00Z'), { ...stored, done: '2026-01-01T00:00:00Z' });
  });

  it('skips exactly the re-served lines, then takes everything newer', () => {
    const p = new LogPosition({ since: ns(S, 5), skip: 2, last: ns(S, 5) }, true);
    assert.equal(p.accept(line(S, 5)), false);
    assert.equal(p.accept(line(S, 5)), false);
    assert.equal(p.accept(line(S, 5)), true, 'a third line at the same nanosecond is new');
    assert.equal(p.accept(line(S, 6)), true);
    assert.equal(p.skipped, 2);
  });

  it('stops skipping at the first line newer than the newest taken (the old ones were rotated away)', () => {
    const p = new LogPosition({ since: ns(S, 5), skip: 3, last: ns(S, 5) }, true);
    assert.equal(p.accept(line(S, 5)), false);
    assert.equal(p.accept(line(S, 9)), true);
    assert.equal(p.skipShort, 2);
  });

  it('resumes after a crash at any line of a log with reordered streams: no loss, no duplicate', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const file = logFile(400, seed, 40_000_000);
      const reordered = file.some((l, i) => i > 0 && (l.sec < file[i - 1]!.sec || (l.sec === file[i - 1]!.sec && l.nsec < file[i - 1]!.nsec)));
      assert.ok(reordered, 'the generated log has lines out of time order');
      for (let k = 0; k <= file.length; k += 1) {
        const start = LogPosition.from('0');
        const first = takeFirst(file, k, start, false);
        const rest = resume(file, first.stored, false);
        assert.deepEqual([...first.taken, ...rest].map((l) => l.id), file.map((l) => l.id), `seed ${seed}, crash after ${k} lines`);
      }
    }
  });

  it('resumes at any line of a long log whose position is taken as it goes (the window wraps, grows and shrinks)', () => {
    // ~9,000 lines over ~40 s in bursts and quiet spells: the 2 s window holds up to ~2,000 times,
    // is trimmed at every position taken, and its ring wraps, doubles and gives memory back.
    const file = logFile(9000, 11, 40_000_000).map((l, i) => ({ ...l, sec: l.sec + Math.floor(i / 1500) * 3 }));
    for (let k = 0; k <= file.length; k += 211) {
      const pos = new LogPosition(LogPosition.from('0'), false);
      const taken: typeof file = [];
      let stored = LogPosition.from('0');
      for (const l of file) {
        if (taken.length === k) break;
        if (!pos.accept(l)) continue;
        taken.push(l);
        if (taken.length % 37 === 0 || taken.length === k) stored = pos.current();
      }
      const rest = resume(file, stored, false);
      assert.deepEqual([...taken, ...rest].map((l) => l.id), file.map((l) => l.id), `crash after ${k} lines`);
    }
  });

  it('counts skip exactly while its window of times wraps, grows and shrinks', () => {
    const file = logFile(9000, 12, 40_000_000).map((l, i) => ({ ...l, sec: l.sec + Math.floor(i / 1500) * 3 }));
    const pos = new LogPosition(LogPosition.from('0'), false);
    const taken: bigint[] = [];
    file.forEach((l, i) => {
      assert.ok(pos.accept(l));
      taken.push(BigInt(ns(l.sec, l.nsec)));
      if (i % 7 !== 0) return;
      const p = pos.current();
      const since = BigInt(p.since);
      assert.equal(p.skip, taken.filter((t) => t >= since).length, `after line ${i}`);
    });
  });

  it('keeps at most 2^20 times per stream: past that the skip falls short (a duplicate later), never over', () => {
    const pos = new LogPosition(LogPosition.from('0'), true);
    const n = (1 << 20) + 1000;
    for (let i = 0; i < n; i += 1) pos.accept(line(S, 5));
    assert.equal(pos.current().skip, 1 << 20);
    pos.accept(line(S, 6));
    assert.deepEqual([pos.current().since, pos.current().skip], [ns(S, 6), 1]);
  });

  it('resumes repeatedly (crash, resume, crash again) without loss or duplicate', () => {
    const file = logFile(1000, 42, 30_000_000);
    const got: number[] = [];
    let stored = LogPosition.from('0');
    const r = rng(7);
    while (got.length < file.length) {
      const k = Math.min(file.length - got.length, 1 + Math.floor(r() * 50));
      const step = takeFirst(file, k, stored, false);
      if (step.taken.length === 0) break; // lost lines: nothing left to take
      got.push(...step.taken.map((l) => l.id));
      stored = step.stored;
    }
    assert.deepEqual(got, file.map((l) => l.id));
  });

  it('with a TTY (one stream, in order) resumes at any line', () => {
    const file = logFile(300, 9, 0).map((l) => ({ ...l, stream: 'stdout' as const }));
    for (let k = 0; k <= file.length; k += 1) {
      const first = takeFirst(file, k, LogPosition.from('0'), true);
      assert.deepEqual([...first.taken, ...resume(file, first.stored, true)].map((l) => l.id), file.map((l) => l.id));
      if (k > 0) assert.equal(first.stored.since, first.stored.last, 'since is the newest line itself');
    }
  });

  it('parses what it stores and refuses what it did not', () => {
    const p: StoredPosition = { since: ns(S, 7), skip: 4, last: ns(S, 9), done: '2026-01-01T00:00:00.5Z' };
    assert.deepEqual(LogPosition.parse(LogPosition.stringify(p)), p);
    assert.equal(LogPosition.parse('{oops'), undefined);
    assert.equal(LogPosition.parse('{"since":"12x"}'), undefined);
    assert.equal(LogPosition.parse(undefined), undefined);
    assert.deepEqual(LogPosition.parse('{"since":"5","skip":-1}'), { since: '5', skip: 0 });
    assert.equal(new LogPosition({ since: ns(S, 7), skip: 0 }, true).sinceParam, `${S}.000000007`);
  });
});
