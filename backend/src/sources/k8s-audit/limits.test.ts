import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentAuditKeys, TokenBucket } from './limits.js';

describe('TokenBucket', () => {
  it('starts full, takes all or nothing, refills at the rate up to the capacity', () => {
    let now = 0;
    const b = new TokenBucket(100, 200, () => now);
    assert.deepEqual(b.take(150), { ok: true });
    assert.deepEqual(b.take(60), { ok: false, retryAfterSeconds: 1 });
    assert.equal(b.available(), 50, 'a refused take takes nothing');
    now += 500; // +50
    assert.deepEqual(b.take(100), { ok: true });
    now += 60_000;
    assert.equal(b.available(), 200, 'never above the capacity');
    assert.deepEqual(b.take(200), { ok: true });
    assert.deepEqual(b.take(199), { ok: false, retryAfterSeconds: 2 });
  });

  it('never limits with rate 0', () => {
    const b = new TokenBucket(0);
    assert.equal(b.unlimited, true);
    assert.deepEqual(b.take(1e9), { ok: true });
  });
});

describe('RecentAuditKeys', () => {
  it('knows auditID + stage pairs, the oldest auditID out first', () => {
    const k = new RecentAuditKeys(2);
    assert.equal(k.add('a', 'ResponseStarted'), 0);
    assert.equal(k.has('a', 'ResponseStarted'), true);
    assert.equal(k.has('a', 'ResponseComplete'), false, 'another stage is another event');
    assert.equal(k.add('a', 'ResponseComplete'), 0, 'a second stage takes no room');
    assert.equal(k.has('a', 'ResponseComplete'), true);
    k.add('b', '');
    assert.equal(k.has('b', ''), true);
    assert.equal(k.has('b', 'Panic'), false);
    assert.equal(k.size, 2);
    assert.equal(k.add('c', 'ResponseComplete'), 1);
    assert.equal(k.evictions, 1);
    assert.equal(k.has('a', 'ResponseStarted'), false);
    assert.equal(k.has('b', ''), true);
    assert.equal(k.has('c', 'ResponseComplete'), true);
  });

  it('forgets a pair on request, without a stale ring slot evicting it later', () => {
    const k = new RecentAuditKeys(2);
    k.add('a', 'ResponseComplete');
    k.add('a', 'ResponseStarted');
    k.delete('a', 'ResponseComplete');
    assert.equal(k.has('a', 'ResponseComplete'), false);
    assert.equal(k.has('a', 'ResponseStarted'), true);
    k.delete('a', 'ResponseStarted');
    assert.equal(k.size, 0);
    k.add('b', 'x'); // slot 1
    k.add('a', 'ResponseComplete'); // slot 0 again: replaces the stale 'a'
    k.add('c', 'x'); // slot 1: evicts b
    assert.equal(k.has('a', 'ResponseComplete'), true);
    assert.equal(k.has('b', 'x'), false);
    assert.equal(k.evictions, 1);
  });

  it('holds exactly max auditIDs once full, the newest ones', () => {
    const k = new RecentAuditKeys(1000);
    for (let i = 0; i < 4000; i += 1) if (!k.has(`id-${i}`, 'ResponseComplete')) k.add(`id-${i}`, 'ResponseComplete');
    assert.equal(k.size, 1000);
    assert.equal(k.evictions, 3000);
    assert.equal(k.has('id-2999', 'ResponseComplete'), false);
    assert.equal(k.has('id-3000', 'ResponseComplete'), true);
    assert.equal(k.has('id-3999', 'ResponseComplete'), true);
  });

  it('remembers nothing with max 0', () => {
    const k = new RecentAuditKeys(0);
    k.add('a', 'x');
    assert.equal(k.has('a', 'x'), false);
  });
});
