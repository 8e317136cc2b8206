import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidv7 } from './id.js';

describe('event and alert ids', () => {
  it('are UUIDv7, unique, and ordered by creation even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((x, i) => i === 0 || ids[i - 1]! < x));
    const future = Date.now() + 86_400_000;
    assert.equal(parseInt(uuidv7(future).replace('-', '').slice(0, 12), 16), future, 'the first 48 bits are the milliseconds');
    // Random bits are drawn per millisecond: across milliseconds the variant's free bits vary.
    const spread = Array.from({ length: 200 }, (_, i) => uuidv7(future + 1 + i));
    assert.deepEqual(new Set(spread.map((x) => x[19])), new Set(['8', '9', 'a', 'b']), 'the variant bits are 10, the next two random');
    assert.equal(new Set(spread.map((x) => x.slice(19))).size, spread.length, 'fresh random bits each millisecond');
    // Each id is its own string, not a view of a buffer written again by the next one.
    const first = uuidv7(future + 1000);
    const copy = `${first}`;
    uuidv7(future + 1001);
    assert.equal(first, copy);
  });
});
