import { makeHealth } from '../test/fixtures';
import { sourceRows, sourceTone } from './sources';

describe('sourceRows', () => {
  it('flattens grouped sources and reads the common fields', () => {
    const health = makeHealth();
    health.sources.k8s_audit = { webhook: { enabled: true }, file: { path: '/var/log/audit.log', state: 'following' } };
    expect(sourceRows(health)).toEqual([
      { name: 'docker', state: 'connected', endpoint: 'unix:///var/run/docker.sock', lastError: undefined },
      {
        name: 'docker_stats',
        state: 'disconnected',
        endpoint: 'unix:///var/run/docker.sock',
        lastError: 'connect ENOENT',
      },
      { name: 'k8s_audit.webhook', state: 'enabled', endpoint: undefined, lastError: undefined },
      { name: 'k8s_audit.file', state: 'following', endpoint: undefined, lastError: undefined },
    ]);
  });
});

describe('sourceTone', () => {
  it('tells working, pending, off and failing sources apart', () => {
    expect(['connected', 'following', 'waiting', 'disabled', 'disconnected', 'backoff'].map(sourceTone)).toEqual([
      'ok',
      'ok',
      'pending',
      'off',
      'failing',
      'failing',
    ]);
  });
});
