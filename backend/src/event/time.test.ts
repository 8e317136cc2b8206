import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nanosToDockerSince, nanosToRfc3339, normalizeRfc3339, rfc3339ToNanos } from './time.js';

describe('event times', () => {
  it('keeps every nanosecond of a Docker timeNano that a JS number would round', () => {
    const nanos = '1764200000123456789';
    assert.notEqual(String(Number(nanos)), nanos, 'a double cannot hold it');
    assert.equal(nanosToRfc3339(nanos), '2025-11-26T23:33:20.123456789Z');
    assert.equal(rfc3339ToNanos('2025-11-26T23:33:20.123456789Z'), BigInt(nanos));
  });

  it('normalizes offsets and precisions to UTC with nine digits, so times sort as text', () => {
    assert.equal(normalizeRfc3339('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000000000Z');
    assert.equal(normalizeRfc3339('2026-01-02T05:04:05.5+02:00'), '2026-01-02T03:04:05.500000000Z');
    assert.equal(normalizeRfc3339('2026-01-02 03:04:05.123456Z'), '2026-01-02T03:04:05.123456000Z');
    assert.equal(normalizeRfc3339('yesterday'), undefined);
    // Within the second last seen: a canonical time comes back as it is, others are padded or refused.
    assert.equal(normalizeRfc3339('2026-01-02T03:04:05.000000001Z'), '2026-01-02T03:04:05.000000001Z');
    assert.equal(normalizeRfc3339('2026-01-02T03:04:05.987654321Z'), '2026-01-02T03:04:05.987654321Z');
    assert.equal(normalizeRfc3339('2026-01-02T03:04:05.98Z'), '2026-01-02T03:04:05.980000000Z');
    assert.equal(normalizeRfc3339('2026-01-02T03:04:05.98765432xZ'), undefined);
    assert.equal(normalizeRfc3339('2026-13-45T99:00:00Z'), undefined);
    const a = normalizeRfc3339('2026-01-02T03:04:05.9Z')!;
    const b = normalizeRfc3339('2026-01-02T03:04:05.10Z')!;
    assert.ok(b < a);
  });

  it('writes since/until the way the Docker API reads them', () => {
    assert.equal(nanosToDockerSince(1764200000000000005n), '1764200000.000000005');
  });
});
