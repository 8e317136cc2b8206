import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePath, getPath, setPath } from './fieldpath.js';

describe('dotted field paths', () => {
  const ev = {
    event: { action: 'start' },
    container: { name: 'web', labels: { 'com.docker.compose.project': 'shop', app: 'x' }, cap_add: ['NET_ADMIN'] },
  };

  it('reads nested fields and label keys that contain dots', () => {
    assert.equal(getPath(ev, 'event.action'), 'start');
    assert.equal(getPath(ev, 'container.labels.com.docker.compose.project'), 'shop');
    assert.equal(getPath(ev, 'container.labels.app'), 'x');
    assert.deepEqual(getPath(ev, 'container.cap_add'), ['NET_ADMIN']);
    assert.equal(compilePath('container.labels.com.docker.compose.project')(ev), 'shop');
    assert.equal(compilePath('event')(ev), ev.event);
  });

  it('answers undefined for what is missing or not an object, and never walks the prototype', () => {
    assert.equal(getPath(ev, 'container.labels.nope'), undefined);
    assert.equal(getPath(ev, 'event.action.length'), undefined);
    assert.equal(getPath(ev, 'container.toString'), undefined);
    assert.equal(getPath(null, 'a.b'), undefined);
    assert.equal(compilePath('constructor')({}), undefined);
  });

  it('sets nested paths, creating objects', () => {
    const o: Record<string, unknown> = { a: 1 };
    setPath(o, 'b.c.d', 2);
    setPath(o, 'a.x', 3);
    assert.deepEqual(o, { a: { x: 3 }, b: { c: { d: 2 } } });
  });
});
