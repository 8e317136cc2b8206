import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShipEvent } from './event.js';
import { asStringified, eventJson, jsonTextOf, rememberJsonText } from './json.js';

const auditEvent = (audit: Record<string, unknown>): ShipEvent => ({
  event: { id: 'e1', time: '2026-01-01T00:00:00.000000000Z', source: 'k8s_audit', action: 'get' },
  k8s: { audit, verb: 'get' },
  host: { name: 'h' },
});

describe('received JSON text', () => {
  it('is taken as is when JSON.stringify would write the same, trimmed', () => {
    assert.equal(asStringified(' {"a":"b \\"c\\" \\\\ \\n","n":[1,2]} '), '{"a":"b \\"c\\" \\\\ \\n","n":[1,2]}');
  });

  it("has Go's HTML escapes and \\/ replaced by their characters, and an escaped backslash left as it is", () => {
    assert.equal(asStringified('{"uri":"/api?a=1\\u0026b=\\u003cx\\u003E","p":"a\\/b"}'), '{"uri":"/api?a=1&b=<x>","p":"a/b"}');
    // A backslash, then the letters u0026: not an escape of &.
    const t = '{"s":"\\\\u0026"}';
    assert.equal(asStringified(t), t);
    assert.equal(JSON.parse(asStringified(t)!).s, '\\u0026');
  });

  it('is refused when it needs a parse to match JSON.stringify: other \\u escapes, line breaks or tabs between tokens', () => {
    assert.equal(asStringified('{"a":"\\u00e9"}'), undefined);
    assert.equal(asStringified('{"a":"\\u0001"}'), undefined);
    assert.equal(asStringified('{\n  "a": 1\n}'), undefined);
    assert.equal(asStringified('{"a":\t1}'), undefined);
    const o = {};
    rememberJsonText(o, '{"a":"\\u2028"}');
    assert.equal(jsonTextOf(o), undefined, 'nothing recorded: the event falls back to JSON.stringify');
  });

  it('stands for k8s.audit in the event JSON, which parses to the same event', () => {
    const received = '{"kind":"Event","verb":"get","requestURI":"/api/v1/pods?a=1\\u0026b=2","user":{"username":"u"}}';
    const audit = JSON.parse(received) as Record<string, unknown>;
    rememberJsonText(audit, received);
    assert.equal(jsonTextOf(audit), received.replace('\\u0026', '&'));
    const ev = auditEvent(audit);
    const json = eventJson(ev);
    assert.equal(json, JSON.stringify(ev), 'same text when the sender wrote compact JSON in the same order');
    assert.deepEqual(JSON.parse(json), ev);
    assert.equal((ev.k8s as { audit: unknown }).audit, audit, 'the event is left as it was');
    assert.ok(!json.includes('\u0000') && !json.includes('\\u0000'));
  });

  it("keeps the sender's spaces and key order, and is JSON.stringify for an event without a recorded text", () => {
    const received = '{"verb": "get", "kind": "Event"}';
    const audit = JSON.parse(received) as Record<string, unknown>;
    rememberJsonText(audit, received);
    const ev = auditEvent(audit);
    assert.ok(eventJson(ev).includes('"k8s":{"audit":{"verb": "get", "kind": "Event"},"verb":"get"}'));
    assert.deepEqual(JSON.parse(eventJson(ev)), ev);
    const plain = auditEvent({ verb: 'get' });
    assert.equal(eventJson(plain), JSON.stringify(plain));
    const noK8s: ShipEvent = { event: { id: 'e2', time: '2026-01-01T00:00:00Z', source: 'docker', action: 'start' } };
    assert.equal(eventJson(noK8s), JSON.stringify(noK8s));
  });

  it('is not fooled by a string in the event that looks like the stand-in', () => {
    const received = '{"verb":"get"}';
    const audit = JSON.parse(received) as Record<string, unknown>;
    rememberJsonText(audit, received);
    const ev = auditEvent(audit);
    ev.event.action = '\u0000shipwatch-json-text-';
    ev.user = { name: '"\u0000shipwatch-json-text-x"' };
    assert.deepEqual(JSON.parse(eventJson(ev)), ev);
  });
});
