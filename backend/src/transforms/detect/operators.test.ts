import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { condition, mkEvent } from './testing/helpers.js';

const ev = mkEvent({
  container: { name: 'web-1', image: 'nginx:1.25', privileged: true, cap_add: ['NET_ADMIN', 'SYS_PTRACE'], mounts: [{ source: '/var/run/docker.sock', destination: '/sock' }, { source: '/data', destination: '/d' }] },
  http: { response: { status_code: 404 }, request: { method: 'GET' } },
  metric: { cpu: { percent: '93.5' } },
  source: { ip: '10.1.2.3' },
  url: { original: '/index.php?id=1 UNION SELECT' },
  log: { message: 'Failed password for root' },
});

describe('comparison operators', () => {
  it('= and != on strings, with a missing field failing both', () => {
    assert.equal(condition('container.name = web-1')(ev), true);
    assert.equal(condition('container.name = "web-2"')(ev), false);
    assert.equal(condition('container.name != web-2')(ev), true);
    assert.equal(condition('container.name != web-1')(ev), false);
    assert.equal(condition('container.missing != x')(ev), false);
    assert.equal(condition('not container.missing = x')(ev), true);
    assert.equal(condition('container.name == web-1')(ev), true);
  });

  it('numbers compare numerically and coerce numeric strings both ways', () => {
    assert.equal(condition('http.response.status_code = 404')(ev), true);
    assert.equal(condition('http.response.status_code = "404"')(ev), true);
    assert.equal(condition('http.response.status_code >= 400 and http.response.status_code < 500')(ev), true);
    assert.equal(condition('http.response.status_code > 404')(ev), false);
    assert.equal(condition('http.response.status_code <= 404')(ev), true);
    assert.equal(condition('metric.cpu.percent > 90')(ev), true);
    assert.equal(condition('metric.cpu.percent > 95')(ev), false);
    assert.equal(condition('metric.cpu.percent = 93.50')(ev), true);
    assert.equal(condition('container.name > 1')(ev), false);
    assert.equal(condition('log.message < 0')(mkEvent({ log: { message: '' } })), false, 'an empty string is not 0');
  });

  it('booleans', () => {
    assert.equal(condition('container.privileged = true')(ev), true);
    assert.equal(condition('container.privileged = false')(ev), false);
    assert.equal(condition('container.privileged = true')(mkEvent({ container: { privileged: 'true' } })), true);
  });

  it('in with literals and with a named list; intersects on arrays', () => {
    assert.equal(condition('http.request.method in (GET, POST)')(ev), true);
    assert.equal(condition('http.request.method in (PUT, "DELETE")')(ev), false);
    assert.equal(condition('http.response.status_code in (401, 403, 404)')(ev), true);
    assert.equal(condition('http.response.status_code in ("404")')(ev), true);
    assert.equal(condition('http.request.method in (verbs)', { lists: 'verbs: [HEAD, GET]' })(ev), true);
    assert.equal(condition('http.request.method in verbs', { lists: 'verbs: [HEAD]' })(ev), false);
    assert.equal(condition('http.request.method in (verbs, POST)', { lists: 'verbs: [HEAD]' })(ev), false);
    assert.equal(condition('container.cap_add intersects (SYS_ADMIN, SYS_PTRACE)')(ev), true);
    assert.equal(condition('container.cap_add intersects (SYS_ADMIN, ALL)')(ev), false);
    assert.equal(condition('container.name in ()')(ev), false);
  });

  it('array fields match when any element matches', () => {
    assert.equal(condition('container.cap_add = SYS_PTRACE')(ev), true);
    assert.equal(condition('container.cap_add != SYS_PTRACE')(ev), false, '!= means no element equals');
    assert.equal(condition('container.cap_add != SYS_ADMIN')(ev), true);
    assert.equal(condition('container.mounts.source = /var/run/docker.sock')(ev), true, 'paths fan out over arrays of objects');
    assert.equal(condition('container.mounts.source startswith /etc')(ev), false);
    assert.equal(condition('container.mounts.1.source = /data')(ev), true, 'numeric segments index arrays');
  });

  it('contains, icontains, startswith, endswith and their list forms', () => {
    assert.equal(condition('log.message contains password')(ev), true);
    assert.equal(condition('log.message contains Password')(ev), false);
    assert.equal(condition('log.message icontains "FAILED PASSWORD"')(ev), true);
    assert.equal(condition('url.original icontains ("union select", "<script")')(ev), true);
    assert.equal(condition('url.original icontains ("<script", "../")')(ev), false);
    assert.equal(condition('container.image startswith nginx:')(ev), true);
    assert.equal(condition('container.image startswith (redis, postgres)')(ev), false);
    assert.equal(condition('container.image istartswith NGINX')(ev), true);
    assert.equal(condition('container.image endswith ":1.25"')(ev), true);
    assert.equal(condition('container.image endswith 1.26')(ev), false);
    assert.equal(condition('container.image iendswith ":1.25"')(ev), true);
    assert.equal(condition('http.response.status_code startswith 4')(ev), true, 'numbers are compared as their text');
    assert.equal(condition('metric.cpu.percent contains 3.50')(mkEvent({ metric: { cpu: { percent: 'x3.50' } } })), true, 'a bare word keeps its spelling for text operators');
  });

  it('glob matches the whole value', () => {
    assert.equal(condition('container.image glob "nginx:*"')(ev), true);
    assert.equal(condition('container.image glob "*:1.2?"')(ev), true);
    assert.equal(condition('container.image glob "ngin[xy]:*"')(ev), true);
    assert.equal(condition('container.image glob "ngin[!x]:*"')(ev), false);
    assert.equal(condition('container.image glob "nginx"')(ev), false);
    assert.equal(condition('container.image glob "*x:1*2*"')(ev), true);
    assert.equal(condition('container.mounts.source glob "/var/run/*.sock"')(ev), true);
  });

  it('regex searches (unanchored) with RE2 syntax', () => {
    assert.equal(condition('url.original regex "(?i)union\\s+select"')(ev), true);
    assert.equal(condition('url.original regex "^/index"')(ev), true);
    assert.equal(condition('url.original regex "^index"')(ev), false);
    assert.equal(condition('url.original regex ("^/admin", "id=\\d+")')(ev), true);
    assert.equal(condition('url.original regex ("^/admin", "id=[a-z]")')(ev), false);
  });

  it('exists', () => {
    assert.equal(condition('source.ip exists')(ev), true);
    assert.equal(condition('user.name exists')(ev), false);
    assert.equal(condition('not user.name exists')(ev), true);
    assert.equal(condition('user.name exists')(mkEvent({ user: { name: null } })), false);
  });

  it('in_cidr for IPv4, IPv6 and IPv4-mapped addresses', () => {
    assert.equal(condition('source.ip in_cidr ("10.0.0.0/8", 192.168.0.0/16)')(ev), true);
    assert.equal(condition('source.ip in_cidr (172.16.0.0/12)')(ev), false);
    assert.equal(condition('source.ip in_cidr 10.1.2.3')(ev), true);
    assert.equal(condition('source.ip in_cidr (private_nets)', { lists: 'private_nets: [10.0.0.0/8]' })(ev), true);
    assert.equal(condition('source.ip in_cidr (fd00::/8)')(mkEvent({ source: { ip: 'fd12:3456::1' } })), true);
    assert.equal(condition('source.ip in_cidr (fd00::/8)')(mkEvent({ source: { ip: '2001:db8::1' } })), false);
    assert.equal(condition('source.ip in_cidr (10.0.0.0/8)')(mkEvent({ source: { ip: '::ffff:10.9.9.9' } })), true);
    assert.equal(condition('source.ip in_cidr (10.0.0.0/8)')(mkEvent({ source: { ip: 'not-an-ip' } })), false);
    assert.equal(condition('source.ip in_cidr (0.0.0.0/0)')(mkEvent({ source: { ip: '255.255.255.255' } })), true);
  });
});

describe('boolean structure', () => {
  const t = mkEvent({ a: { x: 1, y: 1, z: 0 } });
  it('not binds tighter than and, and tighter than or', () => {
    // (not x=1) and y=1 -> false; not (x=1 and y=1) would also be false, so use z to tell them apart.
    assert.equal(condition('not a.z = 1 and a.x = 1')(t), true);
    assert.equal(condition('not a.x = 1 and a.z = 1')(t), false);
    assert.equal(condition('not (a.x = 1 and a.z = 1)')(t), true);
  });

  it('and binds tighter than or', () => {
    // a.z=1 or (a.x=1 and a.y=1) -> true; (a.z=1 or a.x=1) and a.y=0 -> false
    assert.equal(condition('a.z = 1 or a.x = 1 and a.y = 1')(t), true);
    assert.equal(condition('a.x = 1 or a.z = 1 and a.y = 0')(t), true);
    assert.equal(condition('(a.x = 1 or a.z = 1) and a.y = 0')(t), false);
  });

  it('macros expand, nest, and combine with lists', () => {
    const macros = ['is_a: a.x = 1', 'is_b: is_a and a.y in (ones)', 'never: a.z = 1'].join('\n');
    assert.equal(condition('is_b and not never', { macros, lists: 'ones: [1]' })(t), true);
    assert.equal(condition('is_b and never', { macros, lists: 'ones: [1]' })(t), false);
  });
});

describe('generated and traced forms agree', () => {
  const conditions = [
    'container.name = web-1',
    'container.name != web-1',
    'http.response.status_code = 404',
    'http.response.status_code = "404"',
    'http.response.status_code != 404',
    'http.response.status_code > 403.5',
    'metric.cpu.percent <= 93.5',
    'container.privileged = true',
    'container.privileged != false',
    'http.request.method in (GET, POST)',
    'http.response.status_code in (404, 500)',
    'container.cap_add in (SYS_PTRACE)',
    'container.cap_add intersects (A, B, NET_ADMIN)',
    'container.mounts.source = /data',
    'source.ip exists',
    'user.name exists',
    'not (container.name = web-1 or http.request.method = PUT) and source.ip in_cidr (10.0.0.0/8)',
  ];
  const events = [
    ev,
    mkEvent({ container: { name: 'web-2', privileged: 'false', cap_add: 'SYS_PTRACE' }, http: { response: { status_code: '404.0' }, request: { method: ['PUT', 'GET'] } }, metric: { cpu: { percent: 93.5 } } }),
    mkEvent({ container: { name: 404, privileged: 1 }, http: { response: { status_code: true } }, source: { ip: null }, user: { name: '' } }),
    mkEvent({}),
  ];
  it('for every operator shape and value type', () => {
    for (const c of conditions) {
      const fast = condition(c);
      const traced = condition(c, {}, true);
      events.forEach((e, i) => assert.equal(fast(e), traced(e), `${c} on event ${i}`));
    }
  });

  it('a condition too large to generate falls back to closures with the same meaning', () => {
    const big = Array.from({ length: 450 }, (_, i) => `http.response.status_code = ${1000 + i}`).join(' or ');
    const f = condition(`${big} or container.name = web-1`);
    assert.equal(f(ev), true);
    assert.equal(f(mkEvent({ container: { name: 'x' } })), false);
    assert.equal(condition(`${big} or http.response.status_code = 1449`)(mkEvent({ http: { response: { status_code: '1449' } } })), true);
  });
});
