import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDemuxer, FrameError, type FrameHandler } from './frames.js';
import { chop, frame } from './testing.js';

interface Collected {
  stream: number;
  data: string;
  pieces: number;
}

function collector(): { h: FrameHandler; frames: Collected[] } {
  const frames: Collected[] = [];
  let cur: Collected | undefined;
  const h: FrameHandler = {
    piece(stream, buf, start, end, first, last) {
      if (first) {
        assert.equal(cur, undefined, 'a new frame starts only after the previous ended');
        cur = { stream, data: '', pieces: 0 };
      }
      assert.ok(cur, 'a piece belongs to a started frame');
      assert.equal(stream, cur.stream);
      cur.data += buf.toString('latin1', start, end);
      cur.pieces += 1;
      if (last) {
        frames.push(cur);
        cur = undefined;
      }
    },
  };
  return { h, frames };
}

describe('FrameDemuxer', () => {
  const input = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, ''), frame(1, 'x'.repeat(70_000)), frame(3, 'Error grabbing logs: boom\n'), frame(1, 'end\n')]);
  const expected = [
    { stream: 1, data: 'hello\n' }, { stream: 2, data: 'oops\n' }, { stream: 1, data: '' }, { stream: 1, data: 'x'.repeat(70_000) },
    { stream: 3, data: 'Error grabbing logs: boom\n' }, { stream: 1, data: 'end\n' },
  ];

  it('reads many frames from one chunk, each in one piece', () => {
    const { h, frames } = collector();
    const d = new FrameDemuxer(h);
    d.push(input);
    assert.deepEqual(frames.map(({ stream, data }) => ({ stream, data })), expected);
    assert.ok(frames.every((f) => f.pieces === 1));
    assert.equal(d.frames, 6);
    assert.equal(d.midFrame, false);
  });

  for (const sizes of [[1], [3], [7], [8], [9], [1, 2, 3, 5, 8, 13], [4096], [65536]]) {
    it(`reads frames and headers split across chunks of ${sizes.join(',')} bytes`, () => {
      const { h, frames } = collector();
      const d = new FrameDemuxer(h);
      for (const c of chop(input, sizes)) d.push(c);
      assert.deepEqual(frames.map(({ stream, data }) => ({ stream, data })), expected);
      assert.equal(d.midFrame, false);
    });
  }

  it('hands out a frame bigger than a chunk as pieces without copying them', () => {
    const big = frame(2, Buffer.alloc(100_000, 0x61));
    const seen: { len: number; first: boolean; last: boolean; shared: boolean }[] = [];
    const chunks = chop(big, [16_384]);
    let current: Buffer | undefined;
    const d = new FrameDemuxer({
      piece(_s, buf, start, end, first, last) {
        seen.push({ len: end - start, first, last, shared: buf === current });
      },
    });
    for (const c of chunks) {
      current = c;
      d.push(c);
    }
    assert.equal(seen.reduce((n, p) => n + p.len, 0), 100_000);
    assert.equal(seen[0]!.first, true);
    assert.equal(seen.at(-1)!.last, true);
    assert.ok(seen.slice(1).every((p) => !p.first));
    assert.ok(seen.slice(0, -1).every((p) => !p.last));
    assert.ok(seen.every((p) => p.shared), 'pieces are ranges of the pushed chunk');
  });

  it('reports a zero-length frame as one empty piece', () => {
    const pieces: [number, number, boolean, boolean][] = [];
    const d = new FrameDemuxer({ piece: (_s, _b, start, end, first, last) => pieces.push([start, end, first, last]) });
    d.push(frame(1, ''));
    assert.deepEqual(pieces, [[8, 8, true, true]]);
  });

  it('refuses an unknown stream type or non-zero padding, and stays broken', () => {
    for (const bad of [Buffer.from([4, 0, 0, 0, 0, 0, 0, 1, 65]), Buffer.from([1, 0, 1, 0, 0, 0, 0, 1, 65]), Buffer.from('{"message":"no such container"}')]) {
      const { h, frames } = collector();
      const d = new FrameDemuxer(h);
      d.push(frame(1, 'ok\n'));
      assert.throws(() => d.push(bad), (e: unknown) => e instanceof FrameError && /not a Docker stream frame header at byte 11/.test(e.message));
      assert.throws(() => d.push(frame(1, 'more\n')), FrameError);
      assert.deepEqual(frames.map((f) => f.data), ['ok\n'], 'frames before the garbage were delivered');
    }
  });

  it('refuses an absurd frame size instead of buffering it', () => {
    const d = new FrameDemuxer({ piece: () => undefined }, 1024);
    const h = Buffer.from([1, 0, 0, 0, 0x10, 0, 0, 0]);
    assert.throws(() => d.push(h), /exceeds 1024/);
  });

  it('is not recursive: a million tiny frames in one chunk', () => {
    const one = frame(1, 'a');
    const many = Buffer.alloc(one.length * 1_000_000);
    for (let i = 0; i < 1_000_000; i += 1) one.copy(many, i * one.length);
    let n = 0;
    new FrameDemuxer({ piece: () => void (n += 1) }).push(many);
    assert.equal(n, 1_000_000);
  });
});
