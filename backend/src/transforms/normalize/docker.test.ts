import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeDockerEvent, type DockerRawEvent } from './docker.js';

const line = '{"status":"exec_start: /bin/sh -c id","id":"abc","Type":"container","Action":"exec_start: /bin/sh -c id","Actor":{"ID":"abc","Attributes":{"execID":"e1","image":"nginx:1.25","name":"web","com.docker.compose.project":"shop","com.docker.compose.service":"api"}},"scope":"local","time":1764200000,"timeNano":1764200000123456789}';

describe('normalizeDockerEvent', () => {
  it('splits exec commands out of the action and keeps the raw action', () => {
    const nanos = /"timeNano":(\d+)/.exec(line)![1];
    const ev = normalizeDockerEvent(JSON.parse(line) as DockerRawEvent, nanos, 'h1');
    assert.equal(ev.event.action, 'exec_start');
    assert.equal(ev.event.source, 'docker');
    assert.equal(ev.event.time, '2025-11-26T23:33:20.123456789Z');
    assert.deepEqual(ev.docker, {
      type: 'container', action: 'exec_start', raw_action: 'exec_start: /bin/sh -c id', scope: 'local',
      actor: { id: 'abc', attributes: { execID: 'e1', image: 'nginx:1.25', name: 'web', 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' } },
      exec: { command: '/bin/sh -c id', id: 'e1' },
    });
    assert.deepEqual(ev.container, {
      id: 'abc', name: 'web', image: 'nginx:1.25',
      labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' },
      compose: { project: 'shop', service: 'api' },
    });
    assert.deepEqual(ev.host, { name: 'h1' });
  });

  it('reads only Type, Action and Actor: a Docker 29 event without status/id/from is the same', () => {
    const raw = JSON.parse(line) as Record<string, unknown>;
    delete raw.status;
    delete raw.id;
    const a = normalizeDockerEvent(raw as unknown as DockerRawEvent, '1', 'h');
    const b = normalizeDockerEvent(JSON.parse(line) as DockerRawEvent, '1', 'h');
    assert.deepEqual({ ...a, event: { ...a.event, id: '' } }, { ...b, event: { ...b.event, id: '' } });
  });

  it('splits health status, exit codes, signals and names docker cp actions', () => {
    const health = normalizeDockerEvent({ Type: 'container', Action: 'health_status: unhealthy', Actor: { ID: 'c', Attributes: { name: 'db' } } }, '5', 'h');
    assert.equal(health.event.action, 'health_status');
    assert.equal((health.docker as { health_status: string }).health_status, 'unhealthy');
    const die = normalizeDockerEvent({ Type: 'container', Action: 'die', Actor: { ID: 'c', Attributes: { exitCode: '137', name: 'db' } } }, '5', 'h');
    assert.equal((die.container as { exit_code: number }).exit_code, 137);
    assert.deepEqual((die.container as { labels: object }).labels, {});
    const kill = normalizeDockerEvent({ Type: 'container', Action: 'kill', Actor: { ID: 'c', Attributes: { signal: '15' } } }, '5', 'h');
    assert.equal((kill.docker as { signal: number }).signal, 15);
    const cp = normalizeDockerEvent({ Type: 'container', Action: 'extract-to-dir', Actor: { ID: 'c' } }, '5', 'h');
    assert.equal(cp.event.action, 'extract_to_dir');
    assert.equal((cp.docker as { action: string }).action, 'extract-to-dir');
  });

  it('names the object of image, network, volume and other events', () => {
    const img = normalizeDockerEvent({ Type: 'image', Action: 'delete', Actor: { ID: 'sha256:ab', Attributes: { name: 'sha256:ab' } } }, '1', 'h');
    assert.deepEqual(img.image, { name: 'sha256:ab', id: 'sha256:ab' });
    const pull = normalizeDockerEvent({ Type: 'image', Action: 'pull', Actor: { ID: 'evil.example/x:1', Attributes: { name: 'evil.example/x' } } }, '1', 'h');
    assert.deepEqual(pull.image, { name: 'evil.example/x' });
    const net = normalizeDockerEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n1', Attributes: { container: 'c9', name: 'bridge', type: 'bridge' } } }, '1', 'h');
    assert.deepEqual(net.network, { id: 'n1', name: 'bridge', type: 'bridge' });
    assert.deepEqual(net.container, { id: 'c9' });
    const vol = normalizeDockerEvent({ Type: 'volume', Action: 'mount', Actor: { ID: 'v1', Attributes: { container: 'c9', destination: '/data', driver: 'local' } } }, '1', 'h');
    assert.deepEqual(vol.volume, { name: 'v1', driver: 'local', destination: '/data' });
    const secret = normalizeDockerEvent({ Type: 'secret', Action: 'create', Actor: { ID: 's1', Attributes: { name: 'db-pass' } } }, '1', 'h');
    assert.deepEqual(secret.secret, { id: 's1', name: 'db-pass' });
  });

  it('falls back to whole seconds when there is no timeNano', () => {
    const ev = normalizeDockerEvent({ Type: 'daemon', Action: 'reload', time: 1764200000 }, undefined, 'h');
    assert.equal(ev.event.time, '2025-11-26T23:33:20.000000000Z');
  });
});
