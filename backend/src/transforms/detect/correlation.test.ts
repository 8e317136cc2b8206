import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DetectionEngine } from './engine.js';
import { engineOf, errorsOf, mkEvent } from './testing/helpers.js';

const RESTART_LOOP = `
rules:
  - id: 100200
    level: 5
    description: "container {container.name} died"
    groups: [crash]
    condition: event.source = docker and event.action = die
  - id: 100201
    parent: 100200
    level: 10
    description: "restart loop: {container.name}"
    groups: [restart_loop]
    frequency: 5
    timeframe: 5m
    same: [container.id]
`;

const die = (id: string, t: number) => mkEvent({ container: { id, name: `c-${id}` } }, { action: 'die', time: t });
const ids = (alerts: { rule: { id: number } }[]) => alerts.map((a) => a.rule.id);

describe('frequency + timeframe + same', () => {
  it('alerts on the 5th matching event within 5 minutes of the same container', () => {
    const e = engineOf(RESTART_LOOP);
    assert.deepEqual(errorsOf(e), []);
    const got = [0, 60, 120, 180].map((t) => ids(e.evaluate(die('a', t))));
    assert.deepEqual(got, [[100200], [100200], [100200], [100200]], 'below the threshold the parent alerts');
    const fifth = e.evaluate(die('a', 240));
    assert.deepEqual(ids(fifth), [100201]);
    assert.equal(fifth[0]!.count, 5);
    assert.equal(fifth[0]!.rule.description, 'restart loop: c-a');
  });

  it('keeps keys apart: other containers do not add up', () => {
    const e = engineOf(RESTART_LOOP);
    for (let i = 0; i < 4; i += 1) e.evaluate(die('a', i));
    for (let i = 0; i < 4; i += 1) e.evaluate(die('b', i));
    assert.deepEqual(ids(e.evaluate(die('b', 5))), [100201]);
    assert.deepEqual(ids(e.evaluate(die('c', 6))), [100200]);
  });

  it('slides the window on event time: events older than the timeframe drop out', () => {
    const e = engineOf(RESTART_LOOP);
    for (const t of [0, 100, 200, 250]) e.evaluate(die('a', t));
    assert.deepEqual(ids(e.evaluate(die('a', 301))), [100200], 't=0 is 301 s old: out of the 5-minute window');
    assert.deepEqual(ids(e.evaluate(die('a', 302))), [100201], '100, 200, 250, 301, 302');
  });

  it('counts the window boundary in (difference equal to the timeframe)', () => {
    const e = engineOf(RESTART_LOOP);
    for (const t of [0, 75, 150, 225]) e.evaluate(die('a', t));
    assert.deepEqual(ids(e.evaluate(die('a', 300))), [100201]);
  });

  it('clears the window after alerting, so the next alert needs 5 new events', () => {
    const e = engineOf(RESTART_LOOP);
    for (let i = 0; i < 5; i += 1) e.evaluate(die('a', i));
    const next = [5, 6, 7, 8].map((t) => ids(e.evaluate(die('a', t))));
    assert.deepEqual(next, [[100200], [100200], [100200], [100200]]);
    assert.deepEqual(ids(e.evaluate(die('a', 9))), [100201]);
  });

  it('does not count events without the same field or without a valid time', () => {
    const e = engineOf(RESTART_LOOP);
    for (let i = 0; i < 6; i += 1) assert.deepEqual(ids(e.evaluate(mkEvent({}, { action: 'die', time: i }))), [100200]);
    for (let i = 0; i < 6; i += 1) assert.deepEqual(ids(e.evaluate(die('a', 'not-a-time' as unknown as number))), [100200]);
  });

  it('gives the same alerts on replay, whatever the wall clock', () => {
    const stream = [0, 1, 2, 3, 4, 500, 501, 502, 503, 504, 505].map((t) => die('a', t));
    const run = () => {
      const e = engineOf(RESTART_LOOP);
      return stream.map((ev) => ids(e.evaluate(ev)).join(','));
    };
    const first = run();
    assert.deepEqual(first, ['100200', '100200', '100200', '100200', '100201', '100200', '100200', '100200', '100200', '100201', '100200']);
    assert.deepEqual(run(), first);
  });

  it('tolerates slightly out-of-order events', () => {
    const e = engineOf(RESTART_LOOP);
    for (const t of [10, 5, 20, 15]) e.evaluate(die('a', t));
    assert.deepEqual(ids(e.evaluate(die('a', 12))), [100201]);
  });
});

describe('different', () => {
  const SCAN = `
rules:
  - {id: 100300, level: 0, description: client error, condition: "event.source = log and http.response.status_code >= 400 and http.response.status_code < 500"}
  - id: 100301
    parent: 100300
    level: 8
    description: "web scan from {source.ip}"
    groups: [web_scan]
    frequency: 4
    timeframe: 1m
    same: [source.ip]
    different: [url.original]
`;
  const req = (ip: string, url: string, t: number) => mkEvent({ source: { ip }, url: { original: url }, http: { response: { status_code: 404 } } }, { source: 'log', action: 'access', time: t });

  it('needs distinct values of the different fields', () => {
    const e = engineOf(SCAN);
    assert.deepEqual(errorsOf(e), []);
    for (let i = 0; i < 10; i += 1) assert.deepEqual(e.evaluate(req('1.2.3.4', '/same', i)), [], 'repeating one URL is not a scan');
    assert.deepEqual(e.evaluate(req('1.2.3.4', '/a', 11)), []);
    assert.deepEqual(e.evaluate(req('1.2.3.4', '/b', 12)), []);
    const hit = e.evaluate(req('1.2.3.4', '/c', 13));
    assert.deepEqual(ids(hit), [100301], '/same, /a, /b, /c');
    assert.equal(hit[0]!.count, 4);
  });

  it('forgets distinct values older than the timeframe', () => {
    const e = engineOf(SCAN);
    e.evaluate(req('5.5.5.5', '/1', 0));
    e.evaluate(req('5.5.5.5', '/2', 1));
    e.evaluate(req('5.5.5.5', '/3', 2));
    assert.deepEqual(e.evaluate(req('5.5.5.5', '/4', 70)), [], '/1../3 are older than 1 minute');
    assert.deepEqual(e.evaluate(req('5.5.5.5', '/3', 71)), [], 'a repeated value refreshes, does not add');
    e.evaluate(req('5.5.5.5', '/5', 72));
    assert.deepEqual(ids(e.evaluate(req('5.5.5.5', '/6', 73))), [100301]);
  });
});

describe('ignore (suppression)', () => {
  const NOISY = `
rules:
  - id: 100400
    level: 6
    description: "unhealthy {container.name}"
    condition: event.action = health_status and docker.health_status = unhealthy
    ignore: 10m
    same: [container.id]
`;
  const unhealthy = (id: string, t: number) => mkEvent({ container: { id }, docker: { health_status: 'unhealthy' } }, { action: 'health_status', time: t });

  it('suppresses repeats of the same key within the window, on event time', () => {
    const e = engineOf(NOISY);
    assert.deepEqual(errorsOf(e), []);
    assert.equal(e.evaluate(unhealthy('a', 0)).length, 1);
    assert.equal(e.evaluate(unhealthy('a', 60)).length, 0);
    assert.equal(e.evaluate(unhealthy('b', 61)).length, 1, 'another key is not suppressed');
    assert.equal(e.evaluate(unhealthy('a', 599)).length, 0);
    assert.equal(e.evaluate(unhealthy('a', 600)).length, 1, 'the window is over');
  });

  it('without same, suppresses the whole rule', () => {
    const e = engineOf(NOISY.replace('    same: [container.id]\n', ''));
    assert.equal(e.evaluate(unhealthy('a', 0)).length, 1);
    assert.equal(e.evaluate(unhealthy('b', 1)).length, 0);
  });

  it('a suppressed threshold keeps its window and alerts again once the suppression ends', () => {
    const text = `
rules:
  - id: 100500
    level: 7
    description: burst
    condition: event.source = log and http.response.status_code >= 500
    frequency: 3
    timeframe: 1m
    ignore: 2m
`;
    const e = engineOf(text);
    const err = (t: number) => ids(e.evaluate(mkEvent({ http: { response: { status_code: 503 } } }, { source: 'log', action: 'access', time: t })));
    assert.deepEqual([0, 1, 2].map(err), [[], [], [100500]]);
    assert.deepEqual([3, 4, 5, 100].map(err), [[], [], [], []], 'suppressed until t=122');
    assert.deepEqual([110, 120].map(err), [[], []]);
    assert.deepEqual(err(122), [100500], 'the sustained burst fires when the suppression ends');
  });
});

describe('bounded state', () => {
  it('evicts the oldest keys past the limit and counts evictions', () => {
    const e = engineOf(RESTART_LOOP, { maxCorrelationKeys: 10 });
    for (let i = 0; i < 25; i += 1) e.evaluate(die(`k${i}`, i));
    const s = e.stats();
    assert.equal(s.correlationKeys, 10);
    assert.equal(s.correlationEvictions, 15);
    for (let i = 0; i < 4; i += 1) e.evaluate(die('k0', 30 + i));
    assert.deepEqual(ids(e.evaluate(die('k0', 40))), [100201], 'an evicted key starts over');
  });
});

describe('reload', () => {
  it('keeps the state of unchanged rules and resets rules whose definition changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'detect-reload-'));
    try {
      const file = join(dir, 'r.yaml');
      const other = `
  - id: 100600
    level: 4
    description: other die
    condition: event.action = die
    frequency: 5
    timeframe: 5m
    same: [container.id]
`;
      writeFileSync(file, RESTART_LOOP + other);
      const e = DetectionEngine.fromDirs({ shippedDir: dir });
      assert.deepEqual(errorsOf(e), []);
      for (let i = 0; i < 4; i += 1) assert.deepEqual(ids(e.evaluate(die('a', i))), [100200]);
      // Level and description are not part of the definition hash; the timeframe is.
      writeFileSync(file, RESTART_LOOP.replace('level: 10', 'level: 11') + other.replace('timeframe: 5m', 'timeframe: 10m'));
      const report = e.reload();
      assert.equal(report.errors, 0);
      const fifth = e.evaluate(die('a', 5));
      assert.deepEqual(ids(fifth), [100201], 'the restart-loop window survived; 100600 restarted from zero');
      assert.equal(fifth[0]!.rule.level, 11, 'with the new level');
      for (let i = 6; i < 9; i += 1) e.evaluate(die('a', i));
      assert.ok(ids(e.evaluate(die('a', 9))).includes(100600), 'the changed rule fires after 5 new events');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
