import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ShipEvent } from '../event/event.js';
import { CollectorMetrics } from '../metrics/registry.js';
import { Store } from '../sinks/store/store.js';
import { silentLogger } from '../util/log.js';
import { Pipeline } from './pipeline.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function pipeline(evaluate: (ev: ShipEvent) => [] = () => []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-pipeline-'));
  dirs.push(dir);
  const metrics = new CollectorMetrics();
  const store = new Store({ path: dir, maxAgeMs: 86_400_000, maxBytes: 1e9, metrics });
  return { p: new Pipeline({ store, metrics, log: silentLogger(), detector: { evaluate } }), metrics, store };
}

const ev = (i: number): ShipEvent => ({ event: { id: `e${i}`, time: '2026-01-02T03:04:05.000000000Z', source: 'docker', action: 'start' } });

async function evalCount(metrics: CollectorMetrics): Promise<{ count: number; sum: number }> {
  const m = await metrics.ruleEvalSeconds.get();
  const get = (name: string) => m.values.find((v) => v.metricName === name)?.value ?? 0;
  return { count: get('shipwatch_rule_evaluation_seconds_count'), sum: get('shipwatch_rule_evaluation_seconds_sum') };
}

describe('Pipeline', () => {
  it('times at most one rule evaluation per millisecond, and every event when they come slower', async () => {
    const { p, metrics, store } = pipeline(() => {
      const until = performance.now() + 0.02; // 20 µs of rules
      while (performance.now() < until);
      return [];
    });
    const t0 = Date.now();
    for (let i = 0; i < 2000; i += 1) p.emit(ev(i));
    const ms = Date.now() - t0 + 1;
    const burst = await evalCount(metrics);
    assert.ok(burst.count >= 1 && burst.count <= ms, `${burst.count} timed in ${ms} ms`);
    assert.ok(burst.sum >= burst.count * 0.00002, 'each timed evaluation took its 20 µs');
    for (let i = 0; i < 5; i += 1) {
      await new Promise((r) => setTimeout(r, 3));
      p.emit(ev(10_000 + i));
    }
    assert.equal((await evalCount(metrics)).count, burst.count + 5, 'events 3 ms apart are each timed');
    p.commit();
    assert.equal(store.counts().events, 2005, 'every event is kept, timed or not');
    store.close();
  });

  it('counts accepted events by source once per commit, including a commit that fails', async () => {
    const { p, metrics, store } = pipeline();
    const accepted = async (source: string) => (await metrics.eventsTotal.get()).values.find((v) => v.labels.source === source)?.value ?? 0;
    for (let i = 0; i < 3; i += 1) p.emit(ev(i));
    p.emit({ event: { id: 'l', time: '2026-01-02T03:04:05.000000000Z', source: 'log', action: 'log' } });
    p.commit();
    assert.equal(await accepted('docker'), 3);
    assert.equal(await accepted('log'), 1);
    p.emit(ev(9));
    const commit = store.commit.bind(store);
    store.commit = () => {
      throw new Error('disk full');
    };
    p.commit(); // fails, and is retried in a second: the event was accepted all the same
    assert.equal(await accepted('docker'), 4);
    store.commit = commit;
    await p.flush();
    assert.equal(store.counts().events, 5);
    assert.equal(await accepted('docker'), 4, 'the retry counts nothing twice');
    store.close();
  });
});
