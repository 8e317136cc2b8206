import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startCollector, type RunningCollector } from '../support/collector.js';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { engineEventKeys, eventKey, nowSeconds, storedEvents, } from '../support/events.js';


describe('Docker events from a real dockerd', () => {
  let d: Dockerd;
  let c: RunningCollector;

  before(async () => {
    d = await startDockerd();
    c = await startCollector({ env: { SHIPWATCH_DOCKER_SOCKET: d.host, SHIPWATCH_STATS_INTERVAL: '1000' } });
    await c.waitForLog((l) => l.msg === 'docker engine connected');
  });
  after(async () => {
    await c?.stop();
    await d?.destroy();
  });

  it('sees every kind of event once, normalized and enriched', async () => {
    const since = nowSeconds();
    const host = path.join(d.dir, 'cp.txt');
    fs.writeFileSync(host, 'copied in\n');
    const id = await d.docker('create', '--name', 'web1', '--network', 'none', '-v', 'data1:/data', '--cap-add', 'SYS_PTRACE',
      '--label', 'com.docker.compose.project=shop', '--label', 'com.docker.compose.service=web', '--user', '1000', TEST_IMAGE, 'sleep', '300');
    await d.docker('start', 'web1');
    await d.docker('exec', 'web1', 'sh', '-c', 'echo hi');
    await d.docker('pause', 'web1');
    await d.docker('unpause', 'web1');
    await d.docker('rename', 'web1', 'web2');
    await d.docker('update', '--cpu-shares', '512', 'web2');
    await d.docker('cp', 'web2:/bin/busybox', path.join(d.dir, 'out.bin'));
    await d.docker('cp', host, 'web2:/tmp/');
    await d.docker('kill', 'web2');
    await d.docker('rm', 'web2');
    // This sandbox refuses to start privileged containers (runc cannot apply all caps), so they are only created.
    await d.docker('create', '--name', 'priv', '--network', 'none', '--privileged', '-v', '/etc:/host-etc:ro', TEST_IMAGE, 'sleep', '300');
    await d.docker('rm', 'priv');
    await d.docker('run', '-d', '--name', 'stopper', '--network', 'none', TEST_IMAGE, 'sleep', '300');
    await d.docker('stop', '-t', '1', 'stopper');
    await d.docker('rm', 'stopper');
    await d.docker('run', '--name', 'fail', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'exit 3').catch(() => undefined);
    await d.docker('rm', 'fail');
    await d.docker('tag', TEST_IMAGE, 'swtest/extra:2');
    await d.docker('rmi', 'swtest/extra:2');
    const tar = path.join(d.dir, 'img.tar');
    await d.docker('save', '-o', tar, TEST_IMAGE);
    await d.docker('load', '-i', tar);
    await d.docker('import', tar, 'swtest/imported:1');
    await d.docker('rmi', 'swtest/imported:1');
    await d.docker('volume', 'create', 'vol2');
    await d.docker('volume', 'rm', 'vol2', 'data1');
    await d.docker('network', 'create', 'net1');
    await d.docker('network', 'rm', 'net1');
    const until = nowSeconds();

    const truth = await engineEventKeys(d, since, until);
    const events = await eventually(async () => {
      const evs = (await storedEvents(c)).filter((e) => truth.includes(eventKey(e)));
      return evs.length >= truth.length ? evs : undefined;
    }, `${truth.length} events in the store`);
    const seen = events.map(eventKey).sort();
    assert.deepEqual(seen, truth, 'each engine event stored exactly once');

    const kinds = new Set(events.map((e) => `${e.docker.type}:${e.event.action}`));
    for (const k of ['container:create', 'container:start', 'container:exec_create', 'container:exec_start', 'container:exec_die', 'container:pause',
      'container:unpause', 'container:rename', 'container:update', 'container:archive_path', 'container:extract_to_dir', 'container:kill',
      'container:die', 'container:stop', 'container:destroy', 'image:tag', 'image:untag', 'image:save', 'image:load', 'image:import', 'image:delete',
      'volume:create', 'volume:mount', 'volume:destroy', 'network:create', 'network:connect', 'network:disconnect', 'network:destroy']) {
      assert.ok(kinds.has(k), `an event ${k} (saw ${[...kinds].sort().join(', ')})`);
    }

    const exec = events.find((e) => e.event.action === 'exec_start')!;
    assert.equal(exec.docker.action, 'exec_start');
    assert.equal(exec.docker.exec?.command, 'sh -c echo hi');
    assert.equal(exec.docker.raw_action, 'exec_start: sh -c echo hi');
    assert.equal(exec.container?.name, 'web1');
    assert.equal(exec.container?.id, id);
    assert.deepEqual(exec.container?.compose, { project: 'shop', service: 'web' });
    assert.deepEqual(exec.container?.cap_add, ['SYS_PTRACE']);
    assert.equal(exec.container?.user, '1000');
    assert.equal(exec.container?.network_mode, 'none');
    assert.equal((exec.container?.mounts as { destination: string }[])[0]?.destination, '/data');
    assert.match(String(exec.container?.image_id), /^sha256:/);

    const renamed = events.find((e) => e.event.action === 'kill' && e.container?.id === id)!;
    assert.equal(renamed.container?.name, 'web2', 'the name after rename');
    const died = events.find((e) => e.event.action === 'die' && e.container?.id === id)!;
    assert.equal(died.container?.exit_code, 137);
    const failed = events.find((e) => e.event.action === 'die' && e.container?.name === 'fail')!;
    assert.equal(failed.container?.exit_code, 3);
    const priv = events.find((e) => e.event.action === 'create' && e.container?.name === 'priv')!;
    assert.equal(priv.container?.privileged, true);
    assert.ok((priv.container?.mounts as { source: string; rw: boolean }[]).some((m) => m.source === '/etc' && m.rw === false));
    const destroyed = events.find((e) => e.event.action === 'destroy' && e.container?.id === id)!;
    assert.equal(destroyed.container?.name, 'web2', 'destroy enriched from the cache before eviction');
    const netEv = events.find((e) => e.event.action === 'connect')!;
    assert.ok(netEv.container?.name, 'network events carry the container name');
    for (const e of events) {
      assert.match(e.event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      assert.equal(e.event.reconciled, undefined);
    }
  });

  it('lists containers with their posture', async () => {
    await d.docker('create', '--name', 'exposed', '--network', 'none', '--privileged', '-v', '/var/run:/host-run', '--cap-add', 'NET_ADMIN', TEST_IMAGE, 'sleep', '300');
    const found = await eventually(async () => {
      const r = await c.get<{ containers: { name: string; state: string; posture: { id: string }[] }[] }>('/api/v1/containers');
      return r.body.containers.find((x) => x.name === 'exposed' && x.state === 'created');
    }, 'the container in the inventory');
    const ids = found.posture.map((p) => p.id);
    assert.ok(ids.includes('privileged'));
    assert.ok(ids.includes('sensitive_mount'));
    assert.ok(ids.includes('capabilities'));
    await d.docker('rm', '-f', 'exposed');
    await eventually(async () => {
      const r = await c.get<{ containers: { name: string }[] }>('/api/v1/containers');
      return r.body.containers.some((x) => x.name === 'exposed') ? undefined : true;
    }, 'the container gone from the inventory');
  });

  it('marks health-check execs and raises the shipped shell alert only for real shells', async () => {
    await d.docker('run', '-d', '--name', 'probed', '--network', 'none', '--health-cmd', 'true', '--health-interval', '1s', TEST_IMAGE, 'sleep', '300');
    await d.docker('exec', 'probed', 'sh', '-c', 'id');
    const evs = await eventually(async () => {
      const all = (await storedEvents(c)).filter((e) => e.container?.name === 'probed' && e.event.action === 'exec_start');
      return all.some((e) => (e.docker.exec as { healthcheck?: boolean }).healthcheck) && all.some((e) => !(e.docker.exec as { healthcheck?: boolean }).healthcheck) ? all : undefined;
    }, 'a health-check exec and a manual one');
    const probe = evs.find((e) => (e.docker.exec as { healthcheck?: boolean }).healthcheck)!;
    assert.equal(probe.docker.exec?.command, '/bin/sh -c true');
    const alerts = await eventually(async () => {
      const r = await c.get<{ alerts: { rule: { id: number; groups: string[] }; event: { event: { id: string } } }[] }>('/api/v1/alerts?group=shell&container=probed');
      return r.body.alerts.length > 0 ? r.body.alerts : undefined;
    }, 'the shell alert');
    const manual = evs.find((e) => !(e.docker.exec as { healthcheck?: boolean }).healthcheck)!;
    assert.ok(alerts.some((a) => a.event.event.id === manual.event.id), 'the manual shell alerts');
    assert.ok(!alerts.some((a) => evs.filter((e) => (e.docker.exec as { healthcheck?: boolean }).healthcheck).some((e) => e.event.id === a.event.event.id)), 'health checks do not');
    await d.docker('rm', '-f', 'probed');
  });

  it('serves live usage in the container list and cAdvisor-named series on /metrics', async () => {
    await d.docker('run', '-d', '--name', 'measured', '--network', 'none', '-m', '64m', TEST_IMAGE, 'sleep', '300');
    const listed = await eventually(async () => {
      const r = await c.get<{ containers: { name: string; metrics: { memory_working_set_bytes?: number; memory_limit_bytes?: number } | null }[] }>('/api/v1/containers');
      const m = r.body.containers.find((x) => x.name === 'measured')?.metrics;
      return m && (m.memory_working_set_bytes ?? 0) > 0 ? m : undefined;
    }, 'usage of the container');
    assert.equal(listed.memory_limit_bytes, 64 * 1024 * 1024);
    const text = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(text, /^container_spec_memory_limit_bytes\{[^}]*name="measured"[^}]*\} 67108864$/m);
    assert.match(text, /^container_cpu_usage_seconds_total\{[^}]*cpu="total"[^}]*name="measured"[^}]*\} [\d.e+-]+$/m);
    await d.docker('rm', '-f', 'measured');
  });

  it('reads container logs, decodes them and raises application-log alerts', async () => {
    const line = '203.0.113.9 - - [26/Nov/2026:10:00:00 +0000] "GET /item.php?id=1%27%20OR%20%271%27=%271 HTTP/1.1" 200 512 "-" "curl/8.0"';
    await d.docker('run', '--name', 'webapp', '--network', 'none', TEST_IMAGE, 'sh', '-c', `echo '${line}'; echo 'plain stderr line' >&2`);
    const logs = await eventually(async () => {
      const evs = (await storedEvents(c, 'log')).filter((e) => e.container?.name === 'webapp');
      return evs.length >= 2 ? evs : undefined;
    }, 'the two log lines stored (no Loki configured)');
    const access = logs.find((e) => (e.log as { stream: string }).stream === 'stdout')!;
    assert.equal((access.log as { format: string }).format, 'nginx');
    assert.equal((access.source as { ip: string }).ip, '203.0.113.9');
    assert.equal((access.url as { query: string }).query, "id=1' OR '1'='1");
    assert.equal((logs.find((e) => (e.log as { stream: string }).stream === 'stderr')!.log as { message: string }).message, 'plain stderr line');
    const alert = await eventually(async () => {
      const r = await c.get<{ alerts: { rule: { groups: string[] } }[] }>('/api/v1/alerts?group=sqli&container=webapp');
      return r.body.alerts[0];
    }, 'the SQL injection alert');
    assert.ok(alert.rule.groups.includes('web_attack'));
    await d.docker('rm', 'webapp');
  });
});
