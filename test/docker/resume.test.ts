import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { duplicates, engineEventKeys, eventKey, nowSeconds, storedEvents, type StoredEvent } from '../support/events.js';

async function churn(d: Dockerd, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await d.docker('run', '--name', `${prefix}${i}`, '--network', 'none', TEST_IMAGE, 'true');
    await d.docker('rm', `${prefix}${i}`);
  }
}

describe('resuming after gaps (real dockerd)', () => {
  let d: Dockerd;
  const running: RunningCollector[] = [];
  const start = async (storeDir?: string) => {
    const c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host }, storeDir });
    running.push(c);
    await c.waitForLog((l) => l.msg === 'docker engine connected');
    return c;
  };

  before(async () => {
    d = await startDockerd();
  });
  after(async () => {
    for (const c of running) await c.stop();
    await d?.destroy();
  });

  it('collector killed -9 while containers come and go: nothing missed, nothing twice', async () => {
    const c1 = await start();
    const since = nowSeconds();
    const work = churn(d, 'k', 8);
    await eventually(async () => ((await storedEvents(c1)).length >= 6 ? true : undefined), 'some events stored');
    await c1.kill9();
    await work;
    await churn(d, 'after', 2);
    const c2 = await start(c1.storeDir);
    const until = nowSeconds();
    const truth = await engineEventKeys(d, since, until);
    const stored = await eventually(async () => {
      const evs = (await storedEvents(c2)).filter((e) => truth.includes(eventKey(e)));
      return evs.length >= truth.length ? evs : undefined;
    }, `all ${truth.length} engine events stored`);
    const keys = stored.map(eventKey);
    assert.deepEqual(duplicates(keys), [], 'no event stored twice');
    assert.deepEqual([...keys].sort(), truth);
    const all = await storedEvents(c2);
    assert.equal(all.filter((e) => e.event.reconciled).length, 0, 'the engine still had every event: nothing to reconcile');
    const health = await c2.get<{ sources: { docker: { duplicates_skipped: number } } }>('/api/v1/health');
    assert.ok(health.body.sources.docker.duplicates_skipped >= 1, 'the inclusive since bound re-delivered the last event and it was skipped');
    await c2.stop();
  });

  it('dockerd stopped and restarted while the collector runs', async () => {
    const c = await start();
    await d.docker('run', '-d', '--name', 'keeper', '--restart', 'always', '--network', 'none', TEST_IMAGE, 'sleep', '600');
    await d.docker('run', '-d', '--name', 'victim', '--network', 'none', TEST_IMAGE, 'sleep', '600');
    await eventually(async () => ((await storedEvents(c)).some((e) => e.container?.name === 'victim' && e.event.action === 'start') ? true : undefined), 'victim started');
    await d.stop();
    const down = await eventually(async () => {
      const h = await c.get<{ status: string; sources: { docker: { connected: boolean } } }>('/api/v1/health');
      return h.body.sources.docker.connected === false ? h.body : undefined;
    }, 'health showing docker disconnected');
    assert.equal(down.status, 'degraded');
    await d.start();
    await d.docker('run', '-d', '--name', 'later', '--network', 'none', TEST_IMAGE, 'sleep', '600');
    const events = await eventually(async () => {
      const evs = await storedEvents(c);
      const ok = evs.some((e) => e.container?.name === 'later' && e.event.action === 'start')
        && evs.filter((e) => e.container?.name === 'keeper' && e.event.action === 'start').length >= 2
        && evs.some((e) => e.container?.name === 'victim' && e.event.action === 'die');
      return ok ? evs : undefined;
    }, 'events after the engine restart', 40_000);
    const h = await c.get<{ status: string; sources: { docker: { connected: boolean; reconnects: number } } }>('/api/v1/health');
    assert.equal(h.body.sources.docker.connected, true);
    assert.ok(h.body.sources.docker.reconnects >= 1);
    const real = events.filter((e) => !e.event.reconciled).map(eventKey);
    assert.deepEqual(duplicates(real), [], 'no engine event stored twice');
    const victimDies = events.filter((e) => e.container?.name === 'victim' && e.event.action === 'die');
    assert.equal(victimDies.length, 1, 'the container stopped by the engine restart: one die, seen live or reconciled');
    await c.stop();
    await d.docker('rm', '-f', 'keeper', 'victim', 'later');
  });

  it('what the engine forgot while the collector was down is reconciled once', async () => {
    await d.docker('run', '-d', '--name', 'old1', '--network', 'none', TEST_IMAGE, 'sleep', '600');
    const c1 = await start();
    await eventually(async () => {
      const r = await c1.get<{ containers: { name: string }[] }>('/api/v1/containers');
      return r.body.containers.some((x) => x.name === 'old1') ? true : undefined;
    }, 'old1 in the inventory (seeded)');
    await c1.kill9();
    await d.docker('rm', '-f', 'old1');
    await d.docker('run', '-d', '--name', 'new1', '--network', 'none', '--label', 'app=demo', TEST_IMAGE, 'sleep', '600');
    // A restart empties the engine's event memory: the removal of old1 and the life of new1 are gone from it.
    await d.stop();
    await d.start();
    const c2 = await start(c1.storeDir);
    const byName = (evs: StoredEvent[], name: string) => evs.filter((e) => e.container?.name === name && e.event.reconciled).map((e) => e.event.action);
    const evs = await eventually(async () => {
      const all = await storedEvents(c2);
      return byName(all, 'new1').includes('die') && byName(all, 'old1').includes('destroy') ? all : undefined;
    }, 'reconciled events');
    assert.deepEqual(byName(evs, 'new1'), ['create', 'start', 'die']);
    assert.deepEqual(byName(evs, 'old1'), ['destroy']);
    const create = evs.find((e) => e.container?.name === 'new1' && e.event.action === 'create')!;
    assert.equal(create.container?.labels?.app, 'demo');
    const inventory = await c2.get<{ containers: { name: string; state: string }[] }>('/api/v1/containers');
    assert.deepEqual(inventory.body.containers.map((x) => `${x.name}:${x.state}`), ['new1:exited']);
    await c2.stop();
    const c3 = await start(c1.storeDir);
    await new Promise((r) => setTimeout(r, 1000));
    const again = (await storedEvents(c3)).filter((e) => e.event.reconciled);
    assert.equal(again.length, evs.filter((e) => e.event.reconciled).length, 'a second restart reconciles nothing new');
    await c3.stop();
    await d.docker('rm', '-f', 'new1');
  });
});
