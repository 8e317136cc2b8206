import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lokiConfigSchema, parseLokiConfig } from './config.js';

describe('lokiConfigSchema', () => {
  test('defaults; url unset means disabled', () => {
    assert.deepEqual(parseLokiConfig({}), {
      tls_insecure_skip_verify: false,
      timeout_ms: 10_000,
      batch_max_bytes: 1024 * 1024,
      batch_wait_ms: 1000,
      max_queue_bytes: 512 * 1024 * 1024,
      structured_metadata: false,
      external_labels: {},
      min_backoff_ms: 500,
      max_backoff_ms: 300_000,
      flush_timeout_ms: 5000,
    });
    assert.equal(parseLokiConfig({ url: '' }).url, undefined);
  });

  test('environment-style strings', () => {
    const c = parseLokiConfig({
      url: 'https://logs.example.com:3100',
      batch_max_bytes: '2MiB',
      max_queue_bytes: '1GiB',
      batch_wait_ms: '250',
      timeout_ms: '30s',
      structured_metadata: 'true',
      tls_insecure_skip_verify: '0',
    });
    assert.equal(c.batch_max_bytes, 2 * 1024 * 1024);
    assert.equal(c.max_queue_bytes, 1024 ** 3);
    assert.equal(c.batch_wait_ms, 250);
    assert.equal(c.timeout_ms, 30_000);
    assert.equal(c.structured_metadata, true);
    assert.equal(c.tls_insecure_skip_verify, false);
  });

  test('refuses contradictions and bad names', () => {
    const bad = [
      { url: 'ftp://x' },
      { url: 'not a url' },
      { username: 'u' },
      { username: 'u', password: 'p', bearer_token: 't' },
      { tls_cert_file: '/c.pem' },
      { external_labels: { 'bad-name': 'x' } },
      { external_labels: { job: 'x' } },
      { external_labels: { __x: 'x' } },
      { batch_max_bytes: 0 },
      { min_backoff_ms: 10_000, max_backoff_ms: 1000 },
      { unknown_key: 1 },
    ];
    for (const b of bad) assert.equal(lokiConfigSchema.safeParse(b).success, false, JSON.stringify(b));
    assert.equal(lokiConfigSchema.safeParse({ external_labels: { cluster: 'prod' } }).success, true);
  });
});
