import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShipEvent } from '../../event/event.js';
import { harness, metricValue, until } from './testing/harness.js';
import { makeClusterRoleBinding, makeConfigMap, makeCoreEvent, makeNode, makePod } from './testing/objects.js';

const k8s = (e: ShipEvent) => e.k8s as Record<string, unknown>;
const names = (evs: ShipEvent[]) => evs.map((e) => `${e.event.action} ${String(k8s(e).name)}`);

describe('k8s watch: list + watch', () => {
  it('records the first list silently, then reports creates, meaningful updates and deletes', async () => {
    const h = await harness({ watch_resources: ['pods'] }, { seed: (f) => f.add('pods', makePod('web-1')) });
    try {
      h.source.start();
      await until(() => h.source.status().connected && h.fake.openWatches('pods') === 1, 'watch open');
      assert.equal(h.emitter.events.length, 0, 'existing objects are not reported on the first list');
      h.fake.add('pods', makePod('web-2', { privileged: true, hostNetwork: true, hostPath: '/var/run/docker.sock', capAdd: ['SYS_ADMIN'], runAsUser: 0 }));
      const created = await until(() => h.emitter.of('pods', 'create')[0], 'create');
      const k = k8s(created);
      assert.equal(created.event.source, 'kubernetes');
      assert.equal(k.name, 'web-2');
      assert.equal(k.pod, 'web-2');
      assert.equal(k.namespace, 'default');
      assert.equal(k.node, 'node-1');
      assert.equal(k.verb, 'create');
      assert.equal((k.labels as Record<string, string>).app, 'web');
      assert.deepEqual(k.posture, ['privileged', 'host_namespace', 'sensitive_mount', 'capabilities', 'root_user']);
      assert.equal((k.pod_spec as Record<string, unknown>).privileged, true);
      assert.deepEqual((k.pod_spec as Record<string, unknown>).images, ['registry.example.com/shop/web:1.42.0', 'registry.example.com/platform/envoy:1.30.2']);
      assert.deepEqual((k.containers as Record<string, unknown>[])[0], {
        name: 'app', image: 'registry.example.com/shop/web:1.42.0', privileged: true, cap_add: ['SYS_ADMIN'], user: '0', read_only_rootfs: true,
      });

      // status heartbeat only (restart counters, conditions' probe times): no event
      h.fake.modify('pods', 'default', 'web-1', (p) => {
        const st = p.status as { containerStatuses: { restartCount: number }[]; conditions: { lastProbeTime: string }[] };
        st.containerStatuses[0]!.restartCount = 3;
        st.conditions[0]!.lastProbeTime = '2026-01-01T00:01:00Z';
      });
      // a label change: one update naming what changed
      h.fake.modify('pods', 'default', 'web-1', (p) => ((p.metadata as { labels: Record<string, string> }).labels.tier = 'front'));
      const upd = await until(() => h.emitter.of('pods', 'update')[0], 'update');
      assert.deepEqual(k8s(upd).changed, ['labels']);
      h.fake.modify('pods', 'default', 'web-1', (p) => ((p.status as { phase: string }).phase = 'Failed'));
      await until(() => h.emitter.of('pods', 'update').length === 2, 'phase update');
      assert.deepEqual(k8s(h.emitter.of('pods', 'update')[1]!).changed, ['phase']);
      h.fake.remove('pods', 'default', 'web-2');
      await until(() => h.emitter.of('pods', 'delete')[0], 'delete');
      assert.deepEqual(names(h.emitter.events), ['create web-2', 'update web-1', 'update web-1', 'delete web-2']);
      assert.equal(await metricValue(h.metrics, 'shipwatch_k8s_watch_events_total', { resource: 'pods' }), 4);
      assert.equal(h.source.status().resources.pods!.objects, 1);
    } finally {
      await h.close();
    }
  });

  it('with watch_emit_existing reports the objects of the first list as creates', async () => {
    const h = await harness({ watch_resources: ['pods'], watch_emit_existing: true }, { seed: (f) => { f.add('pods', makePod('a-1')); f.add('pods', makePod('b-1')); } });
    try {
      h.source.start();
      await until(() => h.emitter.events.length === 2, 'two creates');
      assert.deepEqual(names(h.emitter.events).sort(), ['create a-1', 'create b-1']);
    } finally {
      await h.close();
    }
  });
});

describe('k8s watch: recovery', () => {
  it('resumes from the last resourceVersion after the server closes the watch (no relist)', async () => {
    const h = await harness({ watch_resources: ['pods'] });
    try {
      h.source.start();
      await until(() => h.fake.openWatches('pods') === 1, 'watch open');
      h.fake.add('pods', makePod('a-1'));
      await until(() => h.emitter.events.length === 1, 'first event');
      const rv = String(h.fake.resourceVersion);
      h.fake.endWatches('pods');
      await until(() => h.fake.watchRequests('pods').length === 2 && h.fake.openWatches('pods') === 1, 'second watch');
      assert.equal(h.fake.watchRequests('pods')[1]!.query.resourceVersion, rv);
      h.fake.add('pods', makePod('b-1'));
      await until(() => h.emitter.events.length === 2, 'event after the restart');
      assert.equal(h.fake.listRequests('pods').length, 1, 'no relist');
      assert.equal(await metricValue(h.metrics, 'shipwatch_k8s_watch_restarts_total', { resource: 'pods', reason: 'closed' }), 1);
    } finally {
      await h.close();
    }
  });

  it('restarts after a TCP reset in the middle of a watch and misses nothing', async () => {
    const h = await harness({ watch_resources: ['pods'] });
    try {
      h.fake.failNext('pods', { kind: 'reset', afterMs: 50 });
      h.source.start();
      await until(() => h.fake.watchRequests('pods').length >= 1, 'first watch');
      h.fake.add('pods', makePod('during-1')); // written while the first watch is being reset
      await until(() => h.fake.openWatches('pods') === 1, 'reconnected');
      h.fake.add('pods', makePod('after-1'));
      await until(() => h.emitter.events.length === 2, 'both events');
      assert.deepEqual(names(h.emitter.events), ['create during-1', 'create after-1']);
      assert.ok(h.source.status().restarts >= 1);
      assert.equal(h.fake.listRequests('pods').length, 1, 'resumed from the resourceVersion, no relist');
    } finally {
      await h.close();
    }
  });

  for (const kind of ['hang', 'silent'] as const) {
    it(`the watchdog restarts a watch that ${kind === 'hang' ? 'never gets an answer' : 'goes silent after the headers'}`, async () => {
      const h = await harness({ watch_resources: ['pods'], watch_stale_after: '300ms' });
      try {
        h.fake.failNext('pods', { kind });
        h.source.start();
        await until(() => h.fake.watchRequests('pods').length >= 2 && h.fake.openWatches('pods') === 1, 'second watch after the watchdog', 5000);
        h.fake.add('pods', makePod('late-1'));
        await until(() => h.emitter.events.length === 1, 'event on the new watch');
        assert.equal(await metricValue(h.metrics, 'shipwatch_k8s_watch_restarts_total', { resource: 'pods', reason: 'stale' }), 1);
        assert.match(h.source.status().resources.pods!.last_error ?? 'ok', /ok|no event or bookmark/);
      } finally {
        await h.close();
      }
    });
  }

  it('relists after 410 Gone and reports only the real differences (1 deleted of 1000, no fake deletes)', async () => {
    const h = await harness({ watch_resources: ['pods'], watch_page_size: 100 }, {
      seed: (f) => {
        for (let i = 0; i < 1000; i += 1) f.add('pods', makePod(`app${i}-7d9f8c6b5d-x${i}`));
      },
    });
    try {
      h.source.start();
      await until(() => h.source.status().synced && h.fake.openWatches('pods') === 1, 'synced');
      assert.equal(h.fake.listRequests('pods').length, 10, 'paginated: 10 pages of 100');
      assert.equal(h.source.status().resources.pods!.objects, 1000);
      // While the collector is away and the history gets compacted: one pod deleted, one relabelled,
      // one created, one with only a status heartbeat.
      h.fake.remove('pods', 'default', 'app5-7d9f8c6b5d-x5', { silent: true });
      const relabelled = h.fake.get('pods', 'default', 'app6-7d9f8c6b5d-x6')!;
      (relabelled.metadata as { labels: Record<string, string> }).labels.release = 'canary';
      h.fake.add('pods', relabelled, { silent: true });
      const beat = h.fake.get('pods', 'default', 'app7-7d9f8c6b5d-x7')!;
      (beat.status as { containerStatuses: { restartCount: number }[] }).containerStatuses[0]!.restartCount = 9;
      h.fake.add('pods', beat, { silent: true });
      h.fake.add('pods', makePod('new-7d9f8c6b5d-n1'), { silent: true });
      h.fake.compact();
      h.fake.endWatches('pods');
      await until(() => h.source.status().relists === 2 && h.fake.openWatches('pods') === 1, 'relisted');
      await until(() => h.emitter.events.length === 3, 'differences');
      assert.deepEqual(names(h.emitter.events).sort(), ['create new-7d9f8c6b5d-n1', 'delete app5-7d9f8c6b5d-x5', 'update app6-7d9f8c6b5d-x6']);
      assert.ok(h.emitter.events.every((e) => e.event.reconciled === true));
      const del = h.emitter.of('pods', 'delete')[0]!;
      assert.equal(k8s(del).uid !== undefined, true);
      assert.equal((k8s(del).labels as Record<string, string>).app, 'app5');
      assert.equal(k8s(del).node, 'node-1');
      assert.deepEqual(k8s(h.emitter.of('pods', 'update')[0]!).changed, ['labels']);
      assert.equal(h.source.status().resources.pods!.objects, 1000);
      assert.equal(await metricValue(h.metrics, 'shipwatch_k8s_watch_relists_total', { resource: 'pods', cause: 'gone' }), 1);
      assert.equal(await metricValue(h.metrics, 'shipwatch_k8s_watch_restarts_total', { resource: 'pods', reason: 'gone' }), 1);
    } finally {
      await h.close();
    }
  });

  it('asks for bookmarks and resumes from the resourceVersion of the last bookmark', async () => {
    const h = await harness({ watch_resources: ['pods'] });
    try {
      h.source.start();
      await until(() => h.fake.openWatches('pods') === 1, 'watch open');
      assert.equal(h.fake.watchRequests('pods')[0]!.query.allowWatchBookmarks, 'true');
      assert.equal(h.fake.bookmark('pods'), 1);
      const rv = String(h.fake.resourceVersion);
      await until(() => h.source.status().resources.pods!.resource_version === rv, 'bookmark taken');
      // Events of that range were compacted: resuming from the list's version would get a 410.
      h.fake.compact();
      h.fake.endWatches('pods');
      await until(() => h.fake.watchRequests('pods').length === 2 && h.fake.openWatches('pods') === 1, 'resumed');
      assert.equal(h.fake.watchRequests('pods')[1]!.query.resourceVersion, rv);
      assert.equal(h.source.status().relists, 1, 'no relist');
      assert.equal(h.source.status().resources.pods!.bookmarks, 1);
    } finally {
      await h.close();
    }
  });

  it('backs off exponentially with jitter, capped at watch_backoff_max, and recovers', async () => {
    const h = await harness({ watch_resources: ['pods'], watch_backoff_max: '80ms' }, { backoffBaseMs: 10, random: () => 0.999 });
    try {
      for (let i = 0; i < 7; i += 1) h.fake.failNext('pods', { kind: 'status', code: 500 }, 'list');
      h.source.start();
      await until(() => h.source.status().connected && h.fake.openWatches('pods') === 1, 'connected after failures');
      const delays = h.retries.map((r) => r.delay);
      assert.deepEqual(delays, [9, 19, 39, 79, 79, 79, 79]);
      assert.ok(h.retries.every((r) => r.reason === 'error'));
      assert.match(h.source.status().resources.pods!.last_error ?? '', /^$|HTTP 500/);
    } finally {
      await h.close();
    }
  });

  it('counts and skips malformed objects without stopping the stream', async () => {
    const h = await harness({ watch_resources: ['pods'] });
    try {
      h.source.start();
      await until(() => h.fake.openWatches('pods') === 1, 'watch open');
      h.fake.writeRaw('pods', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: 'oops' } }));
      h.fake.writeRaw('pods', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'no-uid' } } }));
      h.fake.writeRaw('pods', JSON.stringify({ type: 'EXPLODED', object: {} }));
      h.fake.writeRaw('pods', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'bad-spec', uid: 'u-1' }, spec: { containers: 'nope', volumes: [null, 3] } } }));
      h.fake.add('pods', makePod('good-1'));
      await until(() => h.emitter.of('pods', 'create').length === 2, 'valid objects after the bad ones');
      assert.deepEqual(names(h.emitter.events), ['create bad-spec', 'create good-1']);
      assert.equal(h.source.status().malformed, 3);
      assert.equal(await metricValue(h.metrics, 'shipwatch_malformed_input_total', { source: 'kubernetes' }), 3);
      assert.equal(h.fake.watchRequests('pods').length, 1, 'the same stream went on');
    } finally {
      await h.close();
    }
  });
});

describe('k8s watch: resources', () => {
  it('never keeps nor emits configmap data, yet reports a content change', async () => {
    const h = await harness({ watch_resources: ['configmaps'] });
    try {
      h.source.start();
      await until(() => h.fake.openWatches('configmaps') === 1, 'watch open');
      h.fake.add('configmaps', makeConfigMap('app'));
      await until(() => h.emitter.events.length === 1, 'create');
      h.fake.modify('configmaps', 'default', 'app', (c) => ((c.data as Record<string, string>)['app.yaml'] = 'password: hunter3\n'));
      await until(() => h.emitter.events.length === 2, 'update');
      assert.deepEqual(k8s(h.emitter.events[1]!).changed, ['data']);
      const text = JSON.stringify(h.emitter.events);
      for (const leak of ['hunter', 'app.yaml', 'blob.bin', 'c2VjcmV0', '"data":', 'binaryData', 'dataDigest']) assert.ok(!text.includes(leak), `${leak} leaked`);
      assert.deepEqual(k8s(h.emitter.events[0]!).configmap, { key_count: 2 });
    } finally {
      await h.close();
    }
  });

  it('reports Warning core Events and listed reasons, again when they repeat, not Normal noise', async () => {
    const h = await harness({ watch_resources: ['events'] });
    try {
      h.source.start();
      await until(() => h.fake.openWatches('events') === 1, 'watch open');
      h.fake.add('events', makeCoreEvent('web-1.a', { reason: 'Pulled', type: 'Normal' }));
      h.fake.add('events', makeCoreEvent('web-1.b', { reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-1' }));
      h.fake.add('events', makeCoreEvent('web-1.c', { reason: 'Killing', type: 'Normal' }));
      await until(() => h.emitter.events.length === 2, 'two events');
      h.fake.modify('events', 'default', 'web-1.b', (e) => {
        e.count = 2;
        e.lastTimestamp = '2026-01-01T00:00:30Z';
      });
      h.fake.modify('events', 'default', 'web-1.b', (e) => ((e.metadata as Record<string, unknown>).annotations = { x: 'y' }));
      await until(() => h.emitter.events.length === 3, 'repeat');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(h.emitter.events.map((e) => e.event.action), ['backoff', 'killing', 'backoff']);
      const ev = h.emitter.events[2]!;
      assert.equal(ev.event.time, '2026-01-01T00:00:30.000000000Z');
      assert.deepEqual(k8s(ev).event, {
        reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-1', type: 'Warning', count: 2, component: 'kubelet',
        first_time: '2026-01-01T00:00:00.000000000Z', last_time: '2026-01-01T00:00:30.000000000Z',
      });
      assert.equal(k8s(ev).pod, 'web-1');
      assert.equal(k8s(ev).container, 'app');
      assert.equal(k8s(ev).node, 'node-1');
      assert.equal((k8s(ev).involved_object as Record<string, unknown>).kind, 'Pod');
      assert.equal(h.source.status().resources.events!.filtered, 1);
    } finally {
      await h.close();
    }
  });

  it('ignores node heartbeats and reports a node turning NotReady', async () => {
    const h = await harness({ watch_resources: ['nodes', 'clusterrolebindings'] }, { seed: (f) => f.add('nodes', makeNode('node-1')) });
    try {
      h.source.start();
      await until(() => h.fake.openWatches() === 2, 'watches open');
      for (let i = 1; i <= 5; i += 1) {
        h.fake.modify('nodes', undefined, 'node-1', (n) => {
          for (const c of (n.status as { conditions: { lastHeartbeatTime: string }[] }).conditions) c.lastHeartbeatTime = `2026-01-01T00:0${i}:00Z`;
        });
      }
      h.fake.modify('nodes', undefined, 'node-1', (n) => ((n.status as { conditions: { status: string }[] }).conditions[1]!.status = 'False'));
      h.fake.add('clusterrolebindings', makeClusterRoleBinding('ops-admin', 'cluster-admin', { kind: 'User', name: 'mallory' }));
      await until(() => h.emitter.events.length === 2, 'two events');
      const node = h.emitter.of('nodes')[0]!;
      assert.deepEqual(k8s(node).changed, ['ready']);
      assert.equal(k8s(node).ready, false);
      const crb = h.emitter.of('clusterrolebindings')[0]!;
      assert.equal((k8s(crb).rbac as Record<string, unknown>).cluster_admin, true);
      assert.equal(k8s(crb).api_group, 'rbac.authorization.k8s.io');
    } finally {
      await h.close();
    }
  });

  it('watches each listed namespace separately when watch_namespaces is set', async () => {
    const h = await harness({ watch_resources: ['pods', 'namespaces'], watch_namespaces: 'team-a,team-b' });
    try {
      h.source.start();
      await until(() => h.fake.openWatches() === 3, 'three watches');
      assert.deepEqual(Object.keys(h.source.status().resources).sort(), ['namespaces', 'pods@team-a', 'pods@team-b']);
      h.fake.add('pods', makePod('x-1', { namespace: 'team-b' }));
      h.fake.add('pods', makePod('y-1', { namespace: 'team-c' }));
      await until(() => h.emitter.events.length === 1, 'one event');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(names(h.emitter.events), ['create x-1']);
    } finally {
      await h.close();
    }
  });
});
