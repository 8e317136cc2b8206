/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk event and manifest JSON by path */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ShipEvent } from '../../event/event.js';
import { CollectorMetrics } from '../../metrics/registry.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { Store } from '../../sinks/store/store.js';
import { silentLogger } from '../../util/log.js';
import { PodLogSource, type PodLogSourceOptions } from './source.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-podlogs-'));
  dirs.push(d);
  return d;
}

const UID = '0b5e8a52-3d2c-4f1e-9a7b-6c5d4e3f2a10';
const POD_DIR = `shop_web-7d9f8c6b5-x2x4q_${UID}`;

/** A collector's worth of store + pipeline + source; `open` again on the same store dir is a restart. */
function open(storeDir: string, root: string, o: Partial<PodLogSourceOptions> = {}) {
  const metrics = new CollectorMetrics();
  const store = new Store({ path: storeDir, maxAgeMs: 1e13, maxBytes: 1e10, metrics });
  const pipeline = new Pipeline({ store, metrics, log: silentLogger() });
  const src = new PodLogSource({
    root, store, emitter: pipeline, metrics, log: silentLogger(), hostName: 'node-1', nodeName: 'node-1',
    maxLineBytes: 1024, pollMs: 10, rescanMs: 0, initialPosition: 'beginning', maxFiles: 100, ...o,
  });
  return {
    store, metrics, src,
    events: () => store.events({ source: 'log', limit: 10_000 }).items.reverse(),
    messages: () => store.events({ source: 'log', limit: 10_000 }).items.reverse().map((e: ShipEvent) => (e.log as { message: string }).message),
    close: async () => {
      await src.stop();
      store.close();
    },
  };
}

let clock = 0;
/** CRI entries, times increasing. */
function cri(lines: string[], stream = 'stdout', tag = 'F'): string {
  return lines.map((l) => `2024-05-01T10:00:${String(Math.floor(clock / 1e3) % 60).padStart(2, '0')}.${String(clock++ % 1e3).padStart(3, '0')}000000Z ${stream} ${tag} ${l}\n`).join('');
}

function containerDir(root: string, container = 'nginx', podDir = POD_DIR): string {
  const d = path.join(root, podDir, container);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

describe('PodLogSource', () => {
  it('reads CRI files with the pod identity, decodes lines, counts malformed entries', async () => {
    const d = tmp();
    const root = path.join(d, 'pods');
    const cdir = containerDir(root);
    fs.writeFileSync(path.join(cdir, '0.log'), [
      cri(['10.1.2.3 - - [01/May/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.0"']),
      'this is not a CRI entry\n',
      cri(['partial '], 'stderr', 'P'),
      cri(['end'], 'stderr'),
      cri([`${'x'.repeat(2000)}`]),
    ].join(''));
    fs.writeFileSync(path.join(cdir, '0.log.20240501-100000.gz'), 'not followed');
    fs.mkdirSync(path.join(root, 'not-a-pod-dir'));
    const c = open(path.join(d, 'store'), root);
    await c.src.round();
    const evs = c.events();
    assert.equal(evs.length, 3);
    const web = evs[0]! as Record<string, any>;
    assert.equal(web.event.source, 'log');
    assert.deepEqual(web.k8s, { namespace: 'shop', pod: 'web-7d9f8c6b5-x2x4q', pod_uid: UID, node: 'node-1', container_restart: 0 });
    assert.equal(web.container.name, 'nginx');
    assert.equal(web.container.id, `${UID}/nginx`);
    assert.equal(web.host.name, 'node-1');
    assert.equal(web.log.stream, 'stdout');
    assert.equal(web.log.format, 'nginx');
    assert.equal(web.http.response.status_code, 200);
    assert.equal((evs[1] as Record<string, any>).log.message, 'partial end');
    assert.equal((evs[1] as Record<string, any>).log.stream, 'stderr');
    const long = evs[2] as Record<string, any>;
    assert.equal(long.log.truncated, true);
    assert.equal(long.log.message.length, 1024);
    const st = c.src.status();
    assert.equal(st.files, 1);
    assert.equal(st.pods, 1);
    assert.equal(st.bad_lines, 1);
    assert.equal(st.truncated, 1);
    const malformed = (await c.metrics.malformedTotal.get()).values.find((v) => v.labels.source === 'k8s_pod_logs');
    assert.equal(malformed?.value, 1);
    await c.close();
  });

  it('follows rotation by rename (finishing the rotated file first), copytruncate and a restart file', async () => {
    const d = tmp();
    const root = path.join(d, 'pods');
    const cdir = containerDir(root);
    const log0 = path.join(cdir, '0.log');
    fs.writeFileSync(log0, cri(['a1', 'a2']));
    const c = open(path.join(d, 'store'), root);
    await c.src.round();
    // kubelet rotation: rename, the runtime writes a late line to the old file, then reopens.
    const rotated = `${log0}.20240501-100001`;
    fs.renameSync(log0, rotated);
    fs.appendFileSync(rotated, cri(['a3']));
    fs.writeFileSync(log0, cri(['b1']));
    await c.src.round(); // reads a3, sees the rename
    await c.src.round(); // the old file stayed the same: switch
    await c.src.round();
    assert.deepEqual(c.messages(), ['a1', 'a2', 'a3', 'b1']);
    // copytruncate: copied away, emptied, written again
    fs.copyFileSync(log0, `${log0}.1`);
    fs.truncateSync(log0, 0);
    fs.appendFileSync(log0, cri(['c1', 'c2']));
    await c.src.round();
    // the container restarted: 1.log
    fs.writeFileSync(path.join(cdir, '1.log'), cri(['d1']));
    await c.src.round();
    assert.deepEqual(c.messages(), ['a1', 'a2', 'a3', 'b1', 'c1', 'c2', 'd1']);
    const restart = c.events().at(-1) as Record<string, any>;
    assert.equal(restart.k8s.container_restart, 1);
    assert.ok(c.src.status().rotations >= 2);
    await c.close();
  });

  it('resumes after a restart from the durable positions: no loss, no duplicates, interleaved partials included', async () => {
    const d = tmp();
    const root = path.join(d, 'pods');
    const storeDir = path.join(d, 'store');
    const cdir = containerDir(root);
    const log0 = path.join(cdir, '0.log');
    // stdout partial pending while stderr lines complete
    fs.writeFileSync(log0, cri(['o1']) + cri(['half '], 'stdout', 'P') + cri(['e1', 'e2'], 'stderr'));
    const c1 = open(storeDir, root);
    await c1.src.round();
    assert.deepEqual(c1.messages(), ['o1', 'e1', 'e2']);
    await c1.close();

    // While stopped: the partial completes, more lines, then a rotation by rename.
    fs.appendFileSync(log0, cri(['done']) + cri(['e3'], 'stderr'));
    fs.renameSync(log0, `${log0}.20240501-100002`);
    fs.writeFileSync(log0, cri(['n1']));
    // and a new pod appeared
    const other = containerDir(root, 'worker', `shop_jobs-1_${UID.replace('0b5', '1c6')}`);
    fs.writeFileSync(path.join(other, '0.log'), cri(['w1']));

    const c2 = open(storeDir, root, { initialPosition: 'end' }); // not a first run: initial_position does not apply
    for (let i = 0; i < 4; i += 1) await c2.src.round();
    const msgs = c2.messages();
    // Listed by event time: the joined line has the time of its first partial, before e1.
    assert.deepEqual(msgs.filter((m) => m !== 'w1'), ['o1', 'half done', 'e1', 'e2', 'e3', 'n1']);
    assert.ok(msgs.includes('w1'));
    await c2.close();

    // A third start reads nothing again.
    const c3 = open(storeDir, root);
    await c3.src.round();
    await c3.src.round();
    assert.equal(c3.messages().length, msgs.length);
    await c3.close();
  });

  it('starts at the end of existing files on the very first start with initial_position end; drops gone files', async () => {
    const d = tmp();
    const root = path.join(d, 'pods');
    const cdir = containerDir(root);
    fs.writeFileSync(path.join(cdir, '0.log'), cri(['old']));
    const c = open(path.join(d, 'store'), root, { initialPosition: 'end' });
    await c.src.round();
    fs.appendFileSync(path.join(cdir, '0.log'), cri(['new']));
    fs.writeFileSync(path.join(cdir, '1.log'), cri(['restarted']));
    await c.src.round();
    assert.deepEqual(c.messages(), ['new', 'restarted']);
    // the pod is deleted: its files are dropped after two scans, and their positions with them
    fs.rmSync(path.join(root, POD_DIR), { recursive: true });
    await c.src.round();
    await c.src.round();
    assert.equal(c.src.status().files, 0);
    assert.equal(c.store.position(`k8s.pod_logs:${POD_DIR}/nginx/0.log`), undefined);
    await c.close();
  });

  it('waits for a missing root and bounds the number of files followed', async () => {
    const d = tmp();
    const root = path.join(d, 'pods');
    const c = open(path.join(d, 'store'), root, { maxFiles: 1 });
    await c.src.round();
    assert.equal(c.src.status().state, 'waiting');
    assert.match(c.src.status().last_error ?? '', /does not exist/);
    fs.writeFileSync(path.join(containerDir(root, 'a'), '0.log'), cri(['x']));
    fs.writeFileSync(path.join(containerDir(root, 'b'), '0.log'), cri(['y']));
    await c.src.round();
    const st = c.src.status();
    assert.equal(st.state, 'following');
    assert.equal(st.files, 1);
    assert.equal(st.files_over_limit, 1);
    assert.equal(c.messages().length, 1);
    await c.close();
  });
});
