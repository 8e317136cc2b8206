import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { startLokiReceiver } from './testing/loki-receiver.js';

function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/loki/api/v1/push`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const push = (values: unknown[], stream: unknown = { job: 'x' }) => JSON.stringify({ streams: [{ stream, values }] });
const JSON_CT = { 'Content-Type': 'application/json' };

describe('loopback Loki receiver', () => {
  test('contract: content type, encodings, strict shape, duplicates', async () => {
    const r = await startLokiReceiver({ structuredMetadata: false });
    try {
      assert.equal((await post(r.url, push([['1', 'a']]), {})).status, 400);
      assert.equal((await post(r.url, push([['1', 'a']]), { 'Content-Type': 'application/x-protobuf' })).status, 400);
      assert.equal((await post(r.url, '{"streams":', JSON_CT)).status, 400);
      for (const bad of [push([[1, 'a']]), push([['1.5', 'a']]), push([['1']]), push([['1', 2]]), push([['1', 'a']], {}), push([['1', 'a']], { 'a-b': 'x' }), push([['1', 'a', { k: 'v' }]]), '{"streams":[],"x":1}']) {
        const res = await post(r.url, bad, JSON_CT);
        assert.equal(res.status, 400, bad);
        assert.ok(res.text.length > 0);
      }
      assert.equal((await post(r.url, push([['1', 'a']]), { ...JSON_CT, 'Content-Encoding': 'br' })).status, 415);
      assert.equal((await post(r.url, zlib.gzipSync(push([['1', 'a'], ['2', 'b']])), { ...JSON_CT, 'Content-Encoding': 'gzip' })).status, 204);
      assert.equal((await post(r.url, push([['1', 'a'], ['3', 'c']]), { 'Content-Type': 'application/json; charset=utf-8' })).status, 204);
      assert.equal((await post(r.url, push([['1', 'a']], { job: 'other' }), JSON_CT)).status, 204);
      assert.deepEqual(r.entries().map((e) => [e.labels.job, e.ts, e.line]), [['x', '1', 'a'], ['x', '2', 'b'], ['x', '3', 'c'], ['other', '1', 'a']]);
      assert.equal(r.duplicateCount(), 1);
      assert.deepEqual(r.duplicates()[0], { labels: { job: 'x' }, ts: '1', line: 'a' });
    } finally {
      await r.close();
    }
  });

  test('modes: status for N requests, down and back on the same port, hang', async () => {
    const r = await startLokiReceiver();
    try {
      await r.setMode({ kind: 'status', status: 503, count: 2, retryAfter: '3' });
      assert.equal((await post(r.url, push([['1', 'a']]), JSON_CT)).status, 503);
      assert.equal((await post(r.url, push([['1', 'a']]), JSON_CT)).status, 503);
      assert.equal((await post(r.url, push([['1', 'a']]), JSON_CT)).status, 204);
      await r.setMode({ kind: 'down' });
      await assert.rejects(post(r.url, push([['2', 'a']]), JSON_CT), /ECONNREFUSED/);
      await r.setMode({ kind: 'ok' });
      assert.equal((await post(r.url, push([['2', 'a']]), JSON_CT)).status, 204);
      await r.setMode({ kind: 'hang', record: true });
      const hung = post(r.url, push([['3', 'a']]), JSON_CT);
      await r.waitForEntries(3, 2000);
      await r.setMode({ kind: 'ok' });
      await assert.rejects(hung, /socket hang up|ECONNRESET/);
      assert.equal(r.count(), 3);
    } finally {
      await r.close();
    }
  });
});
