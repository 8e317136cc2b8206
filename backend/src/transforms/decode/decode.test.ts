import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyDecodedLog, decodeLogLine, logLineToEvent } from './index.js';

describe('decodeLogLine dispatch and robustness', () => {
  test('formats', () => {
    const cases: Array<[string, string]> = [
      ['{"msg":"x"}', 'json'],
      ['level=info msg=x', 'logfmt'],
      ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "x"', 'nginx'],
      ['Dec 10 06:55:46 LabSZ sshd[1]: Connection closed by 1.2.3.4 [preauth]', 'sshd'],
      ['Dec 10 06:55:46 LabSZ kernel: eth0: link up', 'syslog'],
      ['just words', 'plain'],
      ['', 'plain'],
      ['   ', 'plain'],
      ['=', 'plain'],
      ['{', 'plain'],
      ['<', 'plain'],
      ['<999>Dec 10 06:55:46 h x: y', 'plain'],
      ['[', 'plain'],
      ['9', 'plain'],
      ['Dec', 'plain'],
      ['Dec 10', 'plain'],
    ];
    for (const [line, format] of cases) assert.equal(decodeLogLine(line).log.format, format, line);
  });

  test('line ends are stripped', () => {
    assert.equal(decodeLogLine('{"msg":"crlf"}\r\n').message, 'crlf');
    assert.equal(decodeLogLine('Dec 10 06:55:46 LabSZ sshd[1]: Invalid user a from 1.2.3.4\r').source?.ip, '1.2.3.4');
  });

  test('a 1 MiB line of each kind decodes without throwing, in bounded time', () => {
    const big = 'x'.repeat(1024 * 1024);
    const started = Date.now();
    const lines = [
      big,
      `{"msg":"${big}"}`,
      `{"msg":"${big}`,
      `level=info msg="${big}`,
      `k=${big}`,
      `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /${big} HTTP/1.1" 200 1 "-" "x"`,
      `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /${'%25'.repeat(300_000)} HTTP/1.1" 200 1 "-" "x"`,
      `Dec 10 06:55:46 LabSZ sshd[1]: Failed password for ${big} from 1.2.3.4 port 1 ssh2`,
      `${' ['.repeat(500_000)}`,
      `${'"'.repeat(1024 * 1024)}`,
      `a=${'\\"'.repeat(500_000)}`,
      `{${'"a":1,'.repeat(170_000)}"b":2}`,
      `${'['.repeat(100_000)}`,
      `{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    ];
    for (const l of lines) {
      const d = decodeLogLine(l);
      assert.ok(d.log.format);
      assert.ok((d.message?.length ?? 0) <= 64 * 1024);
      assert.ok((d.url?.original?.length ?? 0) <= 64 * 1024);
    }
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  test('binary garbage and random input never throw', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = '{}[]"\\=: -/%+<>0123456789abcDec\u0000\u00ff\ud800\t\r\nGETHTTP/1.1sshd[]';
    for (let i = 0; i < 20_000; i += 1) {
      const len = rnd() % 200;
      let s = '';
      for (let j = 0; j < len; j += 1) s += alphabet[rnd() % alphabet.length];
      decodeLogLine(s);
    }
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = rnd() & 0xff;
    decodeLogLine(bytes.toString('latin1'));
    decodeLogLine(bytes.toString('utf8'));
    // mutations of real lines
    const real = [
      '203.0.113.7 - - [10/Oct/2023:13:55:36 +0200] "GET /index.php?id=1%27%20OR%201=1-- HTTP/1.1" 200 2326 "-" "sqlmap/1.7.2"',
      'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
      'time="2024-01-15T10:00:00Z" level=warning msg="slow \\"query\\""',
      '{"level":"info","msg":"x","status":200}',
    ];
    for (const line of real) {
      for (let cut = 0; cut <= line.length; cut += 1) {
        decodeLogLine(line.slice(0, cut));
        decodeLogLine(line.slice(cut));
      }
    }
  });
});

describe('logLineToEvent', () => {
  test('a container line becomes a log event with the runtime time and context', () => {
    const ev = logLineToEvent(
      { message: '172.18.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /?q=%3Cscript%3E HTTP/1.1" 200 5 "-" "curl/8.5"\n', stream: 'stdout', time: '2023-10-10T13:55:36.123456789+00:00' },
      { context: { host: { name: 'node-1' }, container: { id: 'abc', name: 'web', image: 'nginx:1.27' } } },
    );
    assert.equal(ev.event.source, 'log');
    assert.equal(ev.event.action, 'log');
    assert.equal(ev.event.time, '2023-10-10T13:55:36.123456789Z');
    assert.match(ev.event.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(ev.host, { name: 'node-1' });
    assert.deepEqual(ev.container, { id: 'abc', name: 'web', image: 'nginx:1.27' });
    assert.deepEqual(ev.log, {
      format: 'nginx', time: '2023-10-10T13:55:36.000000000Z', stream: 'stdout',
      message: '172.18.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /?q=%3Cscript%3E HTTP/1.1" 200 5 "-" "curl/8.5"',
    });
    assert.equal((ev.url as { query: string }).query, 'q=<script>');
  });

  test('sshd action lands in event.action; applyDecodedLog keeps id and time', () => {
    const ev = logLineToEvent({ message: 'Dec 10 06:55:46 LabSZ sshd[1]: Invalid user a from 1.2.3.4', stream: 'stderr', time: '2024-12-10T06:55:46Z' });
    assert.equal(ev.event.action, 'ssh_invalid_user');
    assert.equal(ev.event.outcome, 'failure');
    assert.equal(ev.event.time, '2024-12-10T06:55:46.000000000Z');
    const target = { event: { id: 'x', time: 't', source: 'log', action: 'log' } };
    applyDecodedLog(target, decodeLogLine('Dec 10 06:55:46 LabSZ sshd[1]: Invalid user a from 1.2.3.4'));
    assert.deepEqual(target.event, { id: 'x', time: 't', source: 'log', action: 'ssh_invalid_user', outcome: 'failure' });
  });

  test('a time the source gives in canonical form is taken as it is; any other is normalized', () => {
    const canonical = '2026-01-02T03:04:05.000000007Z';
    assert.equal(logLineToEvent({ message: 'x', stream: 'stdout', time: canonical, canonicalTime: true }).event.time, canonical);
    assert.equal(logLineToEvent({ message: 'x', stream: 'stdout', time: '2026-01-02T04:04:05.5+01:00' }).event.time, '2026-01-02T03:04:05.500000000Z');
  });

  test('log events of every format have the same keys in the same order; unset ones stay out of the JSON', () => {
    const context = { host: { name: 'n' }, container: { id: 'c', name: 'web' } };
    const lines = [
      '10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8.5"',
      '{"level":"info","msg":"done","path":"/api","status":200}',
      'level=info msg="cache refreshed" took=5ms',
      'Dec 10 06:55:46 host sshd[1]: Invalid user a from 1.2.3.4',
      'just words',
    ];
    const events = lines.map((message) => logLineToEvent({ message, stream: 'stdout', time: '2026-01-02T03:04:05Z' }, { context }));
    for (const ev of events) assert.deepEqual(Object.keys(ev), Object.keys(events[0]!));
    const plain = JSON.parse(JSON.stringify(events[4])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plain), ['event', 'host', 'container', 'log']);
    assert.equal((events[0]!.url as { path: string }).path, '/x');
  });

  test('very long messages are cut in the event', () => {
    const ev = logLineToEvent({ message: 'y'.repeat(300 * 1024), stream: 'stdout', time: '2024-01-01T00:00:00Z' });
    const log = ev.log as { message: string; truncated: boolean };
    assert.equal(log.message.length, 256 * 1024);
    assert.equal(log.truncated, true);
  });
});
