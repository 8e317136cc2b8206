import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ShipEvent } from '../../event/event.js';
import { rfc3339ToNanos } from '../../event/time.js';
import { alertEntry, eventEntry, isValidLabelName, sanitizeLabelName, StreamLabeler, streamLabels, timeToNanos } from './entry.js';
import { alertOf, dockerEvent, logEvent } from './testing/fixtures.js';

const opts = { hostName: 'h', externalLabels: {}, structuredMetadata: false };

describe('Loki entries', () => {
  test('timeToNanos equals rfc3339ToNanos on canonical and other forms', () => {
    const samples = [
      '2024-02-29T23:59:59.999999999Z',
      '1970-01-01T00:00:01.000000001Z',
      '1970-01-01T00:00:00.000000001Z',
      '2038-01-19T03:14:08.000000000Z',
      '2262-04-11T23:47:16.854775807Z',
      '2024-05-01T12:00:00+02:00',
      '2024-05-01T12:00:00.5Z',
      '2024-05-01t12:00:00.123456z',
    ];
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Math.random() * 4e12);
      const frac = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
      samples.push(`${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`);
    }
    for (const t of samples) assert.equal(timeToNanos(t), rfc3339ToNanos(t)!.toString(), t);
    assert.equal(timeToNanos('yesterday'), undefined);
    assert.equal(timeToNanos('2024-13-45T00:00:00.000000000Z'), undefined);
  });

  test('labels: empty ones omitted, values truncated, leading slash of docker names removed', () => {
    const ev = dockerEvent(1, 'web');
    (ev.container as Record<string, unknown>).compose = { project: 'p', service: '' };
    assert.deepEqual(streamLabels(ev, opts), { job: 'shipwatch', source: 'docker', host: 'node-1', container: 'web' });
    (ev.container as Record<string, unknown>).name = 'x'.repeat(5000);
    assert.equal(streamLabels(ev, opts).container!.length, 1024);
    const bare = { event: { id: '1', time: '2024-01-01T00:00:00.000000000Z', source: 'collector' as const, action: 'x' } };
    assert.deepEqual(streamLabels(bare, opts), { job: 'shipwatch', source: 'collector', host: 'h' });
    assert.deepEqual(streamLabels(bare, { ...opts, externalLabels: { cluster: 'prod' } }), { job: 'shipwatch', source: 'collector', host: 'h', cluster: 'prod' });
  });

  test('label values need no escaping beyond JSON', () => {
    const ev = logEvent(1, { container: 'we"b\\\n}{,=' });
    const e = eventEntry(ev, opts);
    assert.equal((JSON.parse(e.stream) as Record<string, string>).container, 'we"b\\\n}{,=');
    for (const name of Object.keys(JSON.parse(e.stream))) assert.ok(isValidLabelName(name), name);
  });

  test('the labeler gives every line the labels of its own context, cached or not', () => {
    const labeler = new StreamLabeler(opts);
    const check = (ev: ShipEvent, severity?: string) => assert.deepEqual(JSON.parse(labeler.labelsJson(ev, severity)), streamLabels(ev, opts, severity));
    const a = logEvent(1, { container: 'api' });
    const b = { ...logEvent(2, { container: 'api', stream: 'stderr' }), container: a.container, host: a.host };
    for (const ev of [a, b, a, b]) check(ev);
    assert.notEqual(labeler.labelsJson(a), labeler.labelsJson(b), 'stdout and stderr');
    // Renamed: a new context object, new labels.
    const renamed = { ...a, container: { ...(a.container as object), name: 'api-2' } };
    check(renamed);
    assert.equal(JSON.parse(labeler.labelsJson(renamed)).container, 'api-2');
    // The same container object under another host or pod object.
    check({ ...a, host: { name: 'node-9' } });
    check({ ...a, k8s: { namespace: 'ns', pod: 'p' } });
    check(a);
    // Alerts, other sources, odd streams.
    check(a, 'high');
    check(dockerEvent(3, 'api'));
    check({ ...a, log: { message: 'm', stream: 'weird' } });
  });

  test('label name helpers', () => {
    assert.ok(isValidLabelName('compose_service'));
    assert.ok(!isValidLabelName('9lives'));
    assert.ok(!isValidLabelName('__name__'));
    assert.ok(!isValidLabelName('a-b'));
    assert.equal(sanitizeLabelName('com.docker.compose-service'), 'com_docker_compose_service');
    assert.equal(sanitizeLabelName('9lives'), '_9lives');
  });

  test('a container log line goes as written; other events as their JSON', () => {
    const message = '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /x?a=\\"b\\" HTTP/1.1" 200 5 "-" "curl/8"';
    const ev = logEvent(3, { container: 'api', message });
    Object.assign(ev, { http: { response: { status_code: 200 } }, url: { original: '/x' } });
    assert.equal(eventEntry(ev, opts).line, message);
    assert.equal(eventEntry(ev, opts).meta, null);
    // With structured metadata: the container id, and the flag a cut line cannot carry itself.
    (ev.log as Record<string, unknown>).truncated = true;
    assert.deepEqual(JSON.parse(eventEntry(ev, { ...opts, structuredMetadata: true }).meta!), { container_id: 'capi0123456789', truncated: 'true' });
    // Through the labeler, the lines of one container share its metadata; a cut one still says
    // so, a renamed container (a new context object) gets its own.
    const withMeta = { ...opts, structuredMetadata: true };
    const labeler = new StreamLabeler(withMeta);
    const meta = (e: ShipEvent) => JSON.parse(eventEntry(e, withMeta, labeler).meta!) as Record<string, string>;
    const next = { ...ev, log: { ...(ev.log as object), truncated: undefined } } as ShipEvent;
    assert.deepEqual(meta(next), { container_id: 'capi0123456789' });
    assert.deepEqual(meta(ev), { container_id: 'capi0123456789', truncated: 'true' });
    assert.deepEqual(meta(next), { container_id: 'capi0123456789' });
    assert.deepEqual(meta({ ...next, container: { ...(next.container as object), id: 'other' } } as ShipEvent), { container_id: 'other' });
    // A log event without a message string still goes out, as its JSON.
    const odd = logEvent(4);
    (odd.log as Record<string, unknown>).message = 42;
    assert.deepEqual(JSON.parse(eventEntry(odd, opts).line), odd);
    // Other sources keep the whole event as their line.
    const dock = dockerEvent(4);
    assert.deepEqual(JSON.parse(eventEntry(dock, opts).line), dock);
  });

  test('alerts: source=alert, severity label, the alert time, the whole alert as line', () => {
    const ev = dockerEvent(7);
    const al = alertOf(ev, 1, 5);
    const e = alertEntry(al, { ...opts, structuredMetadata: true });
    assert.deepEqual(JSON.parse(e.stream), { job: 'shipwatch', source: 'alert', host: 'node-1', container: 'web', severity: 'medium' });
    assert.equal(e.ts, rfc3339ToNanos(al.time)!.toString());
    assert.deepEqual(JSON.parse(e.line), al);
    assert.deepEqual(JSON.parse(e.meta!), { container_id: 'id-web', rule_id: '100200' });
  });

  test('a time that is not RFC 3339 still yields an entry, stamped now', () => {
    const ev = logEvent(1);
    ev.event.time = 'garbage';
    const before = BigInt(Date.now()) * 1_000_000n;
    const ts = BigInt(eventEntry(ev, opts).ts);
    assert.ok(ts >= before && ts < before + 10_000_000_000n);
  });
});
