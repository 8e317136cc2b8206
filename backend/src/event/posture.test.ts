import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSensitiveHostPath, postureFindings } from './posture.js';

describe('posture', () => {
  it('knows the host paths that matter', () => {
    for (const p of ['/', '/etc', '/etc/', '/etc/shadow', '/proc', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/root/.ssh', '/home/user/x/docker.sock']) {
      assert.equal(isSensitiveHostPath(p), true, p);
    }
    for (const p of ['/srv/data', '/opt/app', '/var/lib/app', '/etcetera', '/home/user/data']) assert.equal(isSensitiveHostPath(p), false, p);
  });

  it('lists what a container exposes', () => {
    const ids = postureFindings({
      privileged: true, cap_add: ['NET_ADMIN', 'CHOWN'], network_mode: 'host', pid_mode: 'host', ipc_mode: 'private', user: '', read_only_rootfs: false,
      mounts: [{ type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', rw: true }, { type: 'volume', source: '/var/lib/docker/volumes/x', destination: '/x', rw: true }],
    }).map((f) => f.id);
    assert.deepEqual(ids, ['privileged', 'sensitive_mount', 'host_namespace', 'host_namespace', 'capabilities', 'root_user', 'writable_rootfs']);
    assert.deepEqual(postureFindings({ privileged: false, cap_add: ['CHOWN'], user: '1000', read_only_rootfs: true, mounts: [] }), []);
  });
});
