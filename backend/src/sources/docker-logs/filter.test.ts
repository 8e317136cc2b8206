import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logsConfigSchema, type LogsConfigInput } from './config.js';
import { compileGlob } from '../../transforms/detect/regex.js';
import { ContainerFilter } from './filter.js';

const c = (name: string, image = 'nginx:1.27', labels: Record<string, string> = {}, id = 'a'.repeat(64)) => ({ id, name, image, labels });
const filter = (cfg: LogsConfigInput, self?: string) => new ContainerFilter(logsConfigSchema.parse(cfg), self);

describe('logsConfigSchema', () => {
  it('has defaults', () => {
    assert.deepEqual(logsConfigSchema.parse({}), {
      enabled: true, include_names: [], exclude_names: [], include_images: [], exclude_images: [], include_labels: [], exclude_labels: [],
      max_line_bytes: 262_144, max_followers: 500, initial_position: 'end',
    });
  });

  it('takes lists as comma-separated strings (environment) and sizes with units', () => {
    const cfg = logsConfigSchema.parse({ exclude_names: 'buildkit*, *-migrate', include_labels: 'team=web,logs', max_line_bytes: '1MiB', enabled: 'false' });
    assert.deepEqual(cfg.exclude_names, ['buildkit*', '*-migrate']);
    assert.deepEqual(cfg.include_labels, ['team=web', 'logs']);
    assert.equal(cfg.max_line_bytes, 1024 * 1024);
    assert.equal(cfg.enabled, false);
  });

  it('refuses unknown keys and bad values', () => {
    assert.equal(logsConfigSchema.safeParse({ follow: true }).success, false);
    assert.equal(logsConfigSchema.safeParse({ max_line_bytes: 10 }).success, false);
    assert.equal(logsConfigSchema.safeParse({ include_labels: ['=x'] }).success, false);
    assert.equal(logsConfigSchema.safeParse({ max_followers: 0 }).success, false);
    assert.equal(logsConfigSchema.safeParse({ self_container_id: 'nothex' }).success, false);
  });
});

describe('ContainerFilter', () => {
  it('follows everything by default, except the opt-out label and the collector itself', () => {
    const f = filter({}, 'b'.repeat(64));
    assert.equal(f.decide(c('web')).follow, true);
    assert.equal(f.decide(c('quiet', 'x', { 'shipwatch.logs': 'false' })).follow, false);
    assert.equal(f.decide(c('quiet', 'x', { 'shipwatch.logs': 'FALSE' })).follow, false);
    assert.equal(f.decide(c('loud', 'x', { 'shipwatch.logs': 'true' })).follow, true);
    assert.equal(f.decide(c('shipwatch', 'x', {}, 'b'.repeat(64))).follow, false);
    assert.equal(filter({}, 'b'.repeat(12)).decide(c('shipwatch', 'x', {}, 'b'.repeat(64))).follow, false, 'a short self id matches');
  });

  it('includes by name, image and label (each non-empty list must match) and excludes by any', () => {
    const f = filter({ include_names: ['web-*', 'api'], include_images: ['nginx:*', 'registry.local/*'], exclude_labels: ['tier=debug*'] });
    assert.equal(f.decide(c('web-1')).follow, true);
    assert.equal(f.decide(c('/api', 'registry.local/api:3')).follow, true, 'the leading slash of Docker names is ignored');
    assert.equal(f.decide(c('db')).follow, false);
    assert.equal(f.decide(c('web-1', 'redis:7')).follow, false);
    assert.equal(f.decide(c('web-1', 'nginx:1', { tier: 'debugging' })).follow, false);
    assert.equal(f.decide(c('web-1', 'nginx:1', { tier: 'prod' })).follow, true);
  });

  it('label selectors: key, key=value, key=glob', () => {
    const f = filter({ include_labels: ['com.docker.compose.project=shop', 'logs'], exclude_names: ['*-migrate'] });
    assert.equal(f.decide(c('x', 'i', { 'com.docker.compose.project': 'shop' })).follow, true);
    assert.equal(f.decide(c('x', 'i', { logs: '' })).follow, true);
    assert.equal(f.decide(c('x', 'i', { 'com.docker.compose.project': 'shopping' })).follow, false);
    assert.equal(f.decide(c('db-migrate', 'i', { logs: 'yes' })).follow, false);
  });

  it('globs: * ? [set] [!set], everything else literal', () => {
    assert.ok(compileGlob('a.b*')('a.bcd'));
    assert.ok(!compileGlob('a.b*')('axbcd'));
    assert.ok(compileGlob('w?b')('web'));
    assert.ok(compileGlob('web-[0-9]')('web-7'));
    assert.ok(!compileGlob('web-[!0-9]')('web-7'));
    assert.ok(compileGlob('(x)+[')('(x)+['));
  });
});
