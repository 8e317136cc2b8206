import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventPosition } from './position.js';

describe('EventPosition', () => {
  it('skips only re-deliveries at the inclusive resume bound', () => {
    const p = new EventPosition(undefined);
    p.advance(100n, 'a');
    p.advance(100n, 'b');
    const back = EventPosition.parse(p.serialize());
    assert.equal(back.isDuplicate(100n, 'a'), true);
    assert.equal(back.isDuplicate(100n, 'b'), true);
    assert.equal(back.isDuplicate(100n, 'c'), false, 'another event in the same nanosecond is new');
    assert.equal(back.isDuplicate(101n, 'a'), false);
    back.advance(101n, 'x');
    assert.equal(back.isDuplicate(100n, 'a'), false, 'only the newest nanosecond is remembered');
    back.advance(99n, 'late');
    assert.equal(back.nanos, 101n, 'never moves back');
  });

  it('treats an unreadable stored position as none', () => {
    assert.equal(EventPosition.parse('{oops').nanos, undefined);
    assert.equal(EventPosition.parse('{"nanos":"12x"}').nanos, undefined);
    assert.equal(EventPosition.parse(undefined).nanos, undefined);
  });
});
