import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_FIELDS } from './fields.js';
import { decodeLogLine } from './index.js';
import { normalizeLevel } from './level.js';
import { MAX_LEAVES } from './json-log.js';

describe('JSON lines', () => {
  test('pino line: numeric level, ms time, msg, extra keys', () => {
    const d = decodeLogLine('{"level":50,"time":1700000000123,"pid":7,"hostname":"api-1","msg":"db connection lost","err":{"type":"Error","code":"ECONNRESET"}}');
    assert.deepEqual(d, {
      log: {
        format: 'json', level: 'error', time: '2023-11-14T22:13:20.123000000Z',
        fields: { pid: 7, hostname: 'api-1', 'err.type': 'Error', 'err.code': 'ECONNRESET' },
      },
      message: 'db connection lost',
    });
  });

  test('HTTP request log with aliases (zap / custom)', () => {
    const d = decodeLogLine(
      '{"ts":"2024-05-01T12:00:00.123456789Z","lvl":"WARN","message":"request","remote_addr":"198.51.100.7","method":"POST","uri":"/login?next=%2Fadmin","status_code":"401","ua":"python-requests/2.31","username":"admin","referer":"-","bytes_sent":12}',
    );
    assert.deepEqual(d, {
      log: { format: 'json', time: '2024-05-01T12:00:00.123456789Z', level: 'warn', fields: { referer: '-' } },
      message: 'request',
      source: { ip: '198.51.100.7' },
      http: { request: { method: 'POST' }, response: { status_code: 401, body: { bytes: 12 } } },
      url: { original: '/login?next=%2Fadmin', path: '/login', query: 'next=/admin' },
      user_agent: { original: 'python-requests/2.31' },
      user: { name: 'admin' },
    });
  });

  test('pino-http nested request / response, ECS names, request line', () => {
    const p = decodeLogLine('{"level":30,"req":{"id":1,"method":"GET","url":"/api?q=%27--","headers":{"user-agent":"curl/8"},"remoteAddress":"::ffff:10.0.0.9"},"res":{"statusCode":500},"msg":"request completed"}');
    assert.equal(p.http?.request?.method, 'GET');
    assert.equal(p.url?.query, "q='--");
    assert.equal(p.user_agent?.original, 'curl/8');
    assert.equal(p.source?.ip, '::ffff:10.0.0.9');
    assert.equal(p.http?.response?.status_code, 500);
    assert.deepEqual(p.log.fields, { 'req.id': 1 });
    const ecs = decodeLogLine('{"@timestamp":"2024-05-01T12:00:00Z","log":{"level":"error"},"http":{"request":{"method":"DELETE"},"response":{"status_code":403}},"url":{"original":"/x"},"source":{"ip":"1.2.3.4"},"user":{"name":"bob"},"message":"denied"}');
    assert.equal(ecs.log.level, 'error');
    assert.equal(ecs.http?.request?.method, 'DELETE');
    assert.equal(ecs.http?.response?.status_code, 403);
    assert.equal(ecs.url?.path, '/x');
    assert.equal(ecs.source?.ip, '1.2.3.4');
    assert.equal(ecs.user?.name, 'bob');
    const nginxJson = decodeLogLine('{"time_local":"10/Oct/2023:13:55:36 +0000","remote_addr":"1.2.3.4","request":"GET /a%20b?c=d HTTP/1.1","status":"200","http_user_agent":"Nikto"}');
    assert.equal(nginxJson.log.time, '2023-10-10T13:55:36.000000000Z');
    assert.equal(nginxJson.http?.request?.method, 'GET');
    assert.equal(nginxJson.url?.path, '/a b');
    assert.equal(nginxJson.user_agent?.original, 'Nikto');
  });

  test('wrong-typed aliases and second aliases stay in log.fields', () => {
    const d = decodeLogLine('{"msg":"a","message":"b","status":"ok","level":"loud","ip":"-"}');
    assert.equal(d.message, 'a');
    assert.deepEqual(d.log.fields, { message: 'b', status: 'ok', level: 'loud', ip: '-' });
    assert.equal(d.log.level, undefined);
  });

  test('bounds: 10,000 keys, 1,000 nesting levels, long strings, arrays', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10_000; i += 1) wide[`k${i}`] = i;
    const w = decodeLogLine(JSON.stringify({ msg: 'wide', ...wide }));
    assert.equal(w.log.format, 'json');
    assert.equal(w.message, 'wide');
    assert.equal(Object.keys(w.log.fields!).length, MAX_FIELDS);
    assert.equal(w.log.fields_truncated, true);
    assert.ok(MAX_LEAVES < 10_000);

    const deep = `{"msg":"deep","a":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`;
    const dd = decodeLogLine(deep);
    assert.equal(dd.log.format, 'json');
    assert.equal(dd.message, 'deep');
    const v = dd.log.fields!['a.a.a.a'];
    assert.equal(typeof v, 'string');
    assert.ok((v as string).length <= 1024);

    const long = decodeLogLine(JSON.stringify({ msg: 'x', blob: 'y'.repeat(5000), tags: ['a', 1, true, null], objs: [{ a: 1 }] }));
    assert.equal((long.log.fields!.blob as string).length, 1024);
    assert.deepEqual(long.log.fields!.tags, ['a', 1, true, null]);
    assert.equal(long.log.fields!.objs, '[{"a":1}]');

    const proto = decodeLogLine('{"__proto__":{"polluted":1},"msg":"p"}');
    assert.equal(proto.message, 'p');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('not JSON objects', () => {
    assert.equal(decodeLogLine('{"truncated": "li').log.format, 'plain');
    assert.equal(decodeLogLine('{not json at all}').log.format, 'plain');
    assert.equal(decodeLogLine('[1,2,3]').log.format, 'plain');
    assert.equal(decodeLogLine('  {"msg":"indented"}').message, 'indented');
  });
});

describe('logfmt', () => {
  test('go-kit / logrus text line with quoting and escapes', () => {
    const d = decodeLogLine('time="2024-01-15T10:00:00+01:00" level=warning msg="slow \\"query\\"\\ttook\\n2s" method=GET path="/search?q=a+b" status=200 user=alice remote_addr=10.0.0.4 cached');
    assert.deepEqual(d, {
      log: { format: 'logfmt', time: '2024-01-15T09:00:00.000000000Z', level: 'warn', fields: { cached: true } },
      message: 'slow "query"\ttook\n2s',
      http: { request: { method: 'GET' }, response: { status_code: 200 } },
      url: { original: '/search?q=a+b', path: '/search', query: 'q=a b' },
      user: { name: 'alice' },
      source: { ip: '10.0.0.4' },
    });
  });

  test('Grafana-style logger line, unicode escape, unterminated quote', () => {
    const g = decodeLogLine('logger=context userId=1 orgId=1 uname=admin t=2024-01-15T10:00:00.123Z level=error msg="Request Completed" method=POST path=/api/login status=401 remote_addr=172.18.0.1');
    assert.equal(g.log.level, 'error');
    assert.equal(g.http?.response?.status_code, 401);
    assert.equal(g.source?.ip, '172.18.0.1');
    assert.deepEqual(g.log.fields, { logger: 'context', userId: '1', orgId: '1', uname: 'admin', t: '2024-01-15T10:00:00.123Z' });
    assert.equal(decodeLogLine('msg="caf\\u00e9"').message, 'café');
    const u = decodeLogLine('level=info msg="never closed');
    assert.equal(u.message, 'never closed');
    assert.equal(u.log.level, 'info');
  });

  test('look-alikes', () => {
    assert.equal(decodeLogLine('Starting server on port=8080').log.format, 'plain');
    assert.equal(decodeLogLine('a=').log.format, 'logfmt');
    assert.equal(decodeLogLine('key="x" "stray" =oops k2=v2').log.fields?.k2, 'v2');
  });
});

describe('levels', () => {
  test('names and numbers', () => {
    assert.equal(normalizeLevel('WARNING'), 'warn');
    assert.equal(normalizeLevel('Information'), 'info');
    assert.equal(normalizeLevel('trace'), 'debug');
    assert.equal(normalizeLevel('CRITICAL'), 'fatal');
    assert.equal(normalizeLevel('err'), 'error');
    assert.equal(normalizeLevel(60), 'fatal');
    assert.equal(normalizeLevel(20), 'debug');
    assert.equal(normalizeLevel(3), 'error');
    assert.equal(normalizeLevel('40'), 'warn');
    assert.equal(normalizeLevel('loud'), undefined);
    assert.equal(normalizeLevel(true), undefined);
  });

  test('plain lines', () => {
    assert.deepEqual(decodeLogLine('ERROR: disk full'), { log: { format: 'plain', level: 'error' } });
    assert.deepEqual(decodeLogLine('[warn] low memory'), { log: { format: 'plain', level: 'warn' } });
    assert.deepEqual(decodeLogLine('2024-01-15T10:00:00.5Z INFO started'), {
      log: { format: 'plain', time: '2024-01-15T10:00:00.500000000Z', level: 'info' },
    });
    assert.deepEqual(decodeLogLine('hello world'), { log: { format: 'plain' } });
  });
});
