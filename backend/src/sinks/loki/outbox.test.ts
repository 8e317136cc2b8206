import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import type { LokiEntry } from './entry.js';
import { decodeChunk, encodeChunk, LokiOutbox } from './outbox.js';
import { LokiSink } from './sink.js';
import { tempDb } from './testing/fixtures.js';

const entry = (i: number, stream: string, meta: string | null = null): LokiEntry => ({
  stream: JSON.stringify({ job: 'shipwatch', container: stream }),
  ts: String(1_700_000_000_000_000_000n + BigInt(i)),
  line: JSON.stringify({ i, text: `tab\there "quoted" \\ ünïcødé 😀 ${'x'.repeat(i % 50)}` }),
  meta,
});

const dec = (seq: number, c: { header: string; data: Buffer }, skip: number, withMeta: boolean) => decodeChunk(seq, c.header, c.data, skip, withMeta);

describe('Loki outbox', () => {
  test('chunks: grouped by stream, order kept within a stream, values byte-exact', () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i, `c${i % 3}`, i % 2 ? '{"container_id":"x"}' : null));
    for (const withMeta of [false, true]) {
      const decoded = dec(7, encodeChunk(entries, withMeta), 0, withMeta);
      assert.equal(decoded.length, 30);
      assert.deepEqual(decoded.map((d) => d.idx), Array.from({ length: 30 }, (_, i) => i));
      const byStream = new Map<string, number[]>();
      for (const d of decoded) {
        const [ts, line, meta] = JSON.parse(d.buf.toString('utf8', d.start, d.end)) as [string, string, unknown];
        const i = (JSON.parse(line) as { i: number }).i;
        assert.equal(ts, entries[i]!.ts);
        assert.equal(line, entries[i]!.line);
        assert.equal(d.stream, entries[i]!.stream);
        assert.deepEqual(meta, withMeta && i % 2 ? { container_id: 'x' } : undefined);
        byStream.set(d.stream, [...(byStream.get(d.stream) ?? []), i]);
      }
      for (const list of byStream.values()) assert.deepEqual(list, [...list].sort((a, b) => a - b));
    }
    // Queued with metadata, read without: the metadata is taken out.
    const stripped = dec(7, encodeChunk(entries, true), 25, false);
    assert.equal(stripped.length, 5);
    for (const d of stripped) assert.equal((JSON.parse(d.buf.toString('utf8', d.start, d.end)) as unknown[]).length, 2);
  });

  test('a chunk queued before Brotli (raw deflate, no `z` in its header) still decodes', () => {
    const entries = Array.from({ length: 12 }, (_, i) => entry(i, `c${i % 2}`));
    const current = encodeChunk(entries, false);
    const header = JSON.parse(current.header) as Record<string, unknown>;
    assert.equal(header.z, 'br');
    delete header.z;
    const legacy = zlib.deflateRawSync(zlib.brotliDecompressSync(current.data), { level: 1 });
    const decoded = decodeChunk(3, JSON.stringify(header), legacy, 2, false);
    assert.deepEqual(decoded.map((d) => d.idx), Array.from({ length: 10 }, (_, i) => i + 2));
    const text = (d: (typeof decoded)[number]) => d.buf.toString('utf8', d.start, d.end);
    assert.deepEqual(decoded.map(text), dec(3, current, 2, false).map(text));
  });

  test('a push body built from chunk slices is valid JSON with every entry once', () => {
    const a = dec(1, encodeChunk(Array.from({ length: 10 }, (_, i) => entry(i, `c${i % 2}`)), false), 3, false);
    const b = dec(2, encodeChunk(Array.from({ length: 10 }, (_, i) => entry(10 + i, `c${i % 3}`)), false), 0, false);
    const body = JSON.parse(LokiSink.buildBody([...a, ...b]).toString()) as { streams: Array<{ stream: Record<string, string>; values: string[][] }> };
    const got = body.streams.flatMap((s) => s.values.map((v) => (JSON.parse(v[1]!) as { i: number }).i));
    // idx counts in chunk order, which groups by stream: skipping 3 of chunk a skips 0, 2 and 4.
    assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i).filter((i) => ![0, 2, 4].includes(i)));
    assert.equal(body.streams.length, 3);
  });

  test('partial acknowledgement of a chunk, counts and bytes', () => {
    const env = tempDb();
    try {
      const ob = new LokiOutbox(env.db);
      ob.append(Array.from({ length: 10 }, (_, i) => entry(i, 'a')), 1e9, false);
      ob.append(Array.from({ length: 10 }, (_, i) => entry(10 + i, 'a')), 1e9, false);
      const first = ob.readChunk(0, false)!;
      assert.equal(ob.stats().entries, 20);
      assert.deepEqual(ob.remove(first.seq, 3), { entries: 4, bytes: 0 });
      assert.equal(ob.readChunk(0, false)!.entries[0]!.idx, 4);
      const second = ob.readChunk(first.seq, false)!;
      const r = ob.remove(second.seq, 1);
      assert.equal(r.entries, 6 + 2);
      assert.equal(ob.stats().entries, 8);
      assert.equal(ob.headSeq(), second.seq);
      // A fresh outbox on the same database sees the same state.
      const again = new LokiOutbox(env.db);
      assert.deepEqual(again.readChunk(0, false)!.entries.map((e) => e.idx), [2, 3, 4, 5, 6, 7, 8, 9]);
      again.remove(second.seq, 9);
      assert.deepEqual(again.stats(), { entries: 0, bytes: 0 });
    } finally {
      env.cleanup();
    }
  });
});
