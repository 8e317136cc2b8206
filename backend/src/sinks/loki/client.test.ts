import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseLokiConfig } from './config.js';
import { LokiPushClient, parseRetryAfter, pushUrl, redactUrl } from './client.js';
import { startLokiReceiver } from './testing/loki-receiver.js';
import { commit, logEvent, makeSink, tempDb, waitUntil } from './testing/fixtures.js';

describe('Loki push client', () => {
  test('push URL and redaction', () => {
    assert.equal(pushUrl('http://loki:3100').toString(), 'http://loki:3100/loki/api/v1/push');
    assert.equal(pushUrl('http://loki:3100/').toString(), 'http://loki:3100/loki/api/v1/push');
    assert.equal(pushUrl('https://gw/tenant1/').toString(), 'https://gw/tenant1/loki/api/v1/push');
    assert.equal(pushUrl('http://loki:3100/loki/api/v1/push').toString(), 'http://loki:3100/loki/api/v1/push');
    assert.equal(redactUrl('https://user:secret@logs/x'), 'https://logs/x');
  });

  test('Retry-After: seconds or HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  test('basic auth from URL userinfo, not sent in the URL', async () => {
    const r = await startLokiReceiver();
    const url = new URL(r.url);
    url.username = 'inst';
    url.password = 'p@ss';
    const client = new LokiPushClient(parseLokiConfig({ url: url.toString() }));
    const res = await client.push(Buffer.from('{"streams":[]}'));
    client.close();
    assert.equal(res.status, 400); // not gzip: the receiver cannot gunzip it
    assert.equal(r.requests()[0]!.headers.authorization, `Basic ${Buffer.from('inst:p@ss').toString('base64')}`);
    await r.close();
  });
});

describe('Loki over TLS', () => {
  let dir: string;
  const file = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipwatch-loki-tls-'));
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca');
    fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=shipwatch');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('CA file, mutual TLS, untrusted certificate, insecure_skip_verify', async () => {
    const r = await startLokiReceiver({ tls: { key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.pem')), ca: fs.readFileSync(file('ca.pem')) } });
    const env = tempDb();
    try {
      const mtls = makeSink(env.db, { url: r.url, tls_ca_file: file('ca.pem'), tls_cert_file: file('client.pem'), tls_key_file: file('client.key') });
      commit(env.db, mtls, [logEvent(1)]);
      mtls.start();
      await r.waitForEntries(1);
      await mtls.stop();

      // No client certificate: the handshake fails, the entry stays queued and is retried.
      const noCert = makeSink(env.db, { url: r.url, tls_ca_file: file('ca.pem') });
      commit(env.db, noCert, [logEvent(2)]);
      noCert.start();
      await waitUntil(() => noCert.health().retrying, 5000, 'retrying');
      await noCert.stop(100);
      assert.equal(r.count(), 1);

      // Server certificate not trusted (system roots only).
      const untrusted = makeSink(env.db, { url: r.url, tls_cert_file: file('client.pem'), tls_key_file: file('client.key') });
      untrusted.start();
      await waitUntil(() => untrusted.health().retrying, 5000, 'retrying');
      assert.match(untrusted.health().last_error!.message, /certificate/i);
      await untrusted.stop(100);

      const insecure = makeSink(env.db, { url: r.url, tls_insecure_skip_verify: true, tls_cert_file: file('client.pem'), tls_key_file: file('client.key') });
      insecure.start();
      await r.waitForEntries(2);
      await insecure.stop();
    } finally {
      env.cleanup();
      await r.close();
    }
  });
});
