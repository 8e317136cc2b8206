import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiError } from '../docker/client.js';
import { ResponseParser, streamGet } from './stream.js';
import { chop } from './testing.js';

function parse(chunks: Buffer[]) {
  const body: Buffer[] = [];
  let heads = 0;
  let ends = 0;
  const errors: string[] = [];
  const p = new ResponseParser({ head: () => void (heads += 1), body: (b) => void body.push(Buffer.from(b)), end: () => void (ends += 1), error: (e) => void errors.push(e.message) });
  for (const c of chunks) p.feed(c);
  p.close();
  return { p, body: Buffer.concat(body).toString('latin1'), deliveries: body.length, heads, ends, errors };
}

const chunked = (parts: string[], trailer = '') => Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('')}0\r\n${trailer}\r\n`);

describe('ResponseParser', () => {
  const parts = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(i * 7)}\n`);
  const input = chunked(parts, 'X-Trailer: 1\r\n');

  for (const sizes of [[input.length], [1], [2], [5, 3], [64], [1000]]) {
    it(`decodes a chunked body read in pieces of ${sizes.join(',')} bytes`, () => {
      const r = parse(chop(input, sizes));
      assert.equal(r.heads, 1);
      assert.equal(r.p.statusCode, 200);
      assert.equal(r.p.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
      assert.equal(r.body, parts.join(''));
      assert.equal(r.ends, 1);
      assert.deepEqual(r.errors, []);
    });
  }

  it('hands on the body of one read at once, however many chunks it holds', () => {
    const r = parse([input]);
    assert.equal(r.deliveries, 1);
  });

  it('reads a Content-Length body and a body up to the end of the connection', () => {
    const cl = parse([Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 11\r\n\r\n{"a":"b"}\r\nextra')]);
    assert.deepEqual([cl.p.statusCode, cl.body, cl.ends], [404, '{"a":"b"}\r\n', 1]);
    const raw = parse(chop(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: x\r\n\r\nsome raw bytes'), [4]));
    assert.deepEqual([raw.body, raw.ends], ['some raw bytes', 1]);
  });

  it('accepts chunk extensions and upper-case hex', () => {
    const r = parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n')]);
    assert.equal(r.body, '0123456789');
  });

  it('reports a broken stream instead of guessing', () => {
    assert.match(parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]).errors[0]!, /bad chunk size/);
    assert.match(parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX')]).errors[0]!, /CRLF/);
    assert.match(parse([Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')]).errors[0]!, /not an HTTP response/);
  });
});

describe('streamGet', () => {
  let server: http.Server;
  let socketPath: string;
  const lines = Array.from({ length: 2000 }, (_, i) => `message ${i}\n`);

  before(async () => {
    socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'swstream-')), 's.sock');
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/missing') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"No such container: abc"}');
        return;
      }
      if (url.pathname === '/slow') {
        res.writeHead(200);
        res.write('first\n');
        return; // never ends
      }
      assert.equal(req.method, 'GET');
      assert.equal(url.searchParams.get('since'), '12.000000005');
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
      // one write (one HTTP chunk) per message, as dockerd does
      let i = 0;
      const more = () => {
        while (i < lines.length) {
          if (!res.write(lines[i++])) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
  });
  after(() => {
    server.close();
    fs.rmSync(path.dirname(socketPath), { recursive: true, force: true });
  });

  it('streams a chunked body, in fewer deliveries than chunks', async () => {
    const res = await streamGet({ socketPath }, '/logs', { since: '12.000000005' });
    assert.equal(res.statusCode, 200);
    const got: Buffer[] = [];
    res.on('data', (c) => got.push(c));
    await new Promise<void>((r) => res.on('end', () => r()));
    assert.equal(Buffer.concat(got).toString(), lines.join(''));
    assert.ok(got.length < lines.length, `${got.length} deliveries for ${lines.length} chunks`);
  });

  it('pauses and resumes', async () => {
    const res = await streamGet({ socketPath }, '/logs', { since: '12.000000005' });
    let n = 0;
    res.on('data', (c) => {
      n += c.length;
      res.pause();
      setTimeout(() => res.resume(), 2);
    });
    await new Promise<void>((r) => res.on('end', () => r()));
    assert.equal(n, Buffer.byteLength(lines.join('')));
  });

  it('rejects an error status with the engine\'s message', async () => {
    await assert.rejects(streamGet({ socketPath }, '/missing', {}), (e: unknown) => e instanceof DockerApiError && e.status === 404 && /No such container: abc/.test(e.message));
  });

  it('an abort cuts the stream: close without end', async () => {
    const ac = new AbortController();
    const res = await streamGet({ socketPath }, '/slow', {}, ac.signal);
    const got: string[] = [];
    let ended = false;
    res.on('data', (c) => got.push(c.toString()));
    res.on('end', () => (ended = true));
    const closed = new Promise<void>((r) => res.on('close', () => r()));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await closed;
    assert.deepEqual(got, ['first\n']);
    assert.equal(ended, false);
  });

  it('rejects when nothing listens', async () => {
    await assert.rejects(streamGet({ socketPath: `${socketPath}.none` }, '/x', {}), (e: unknown) => e instanceof DockerApiError && e.code === 'ENOENT');
  });
});
