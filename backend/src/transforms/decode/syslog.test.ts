import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { getPath } from '../../event/fieldpath.js';
import { decodeLogLine, logLineToEvent, syslogTime } from './index.js';
import type { DecodedLog } from './types.js';

const OPENSSH_SAMPLE = '/work/shared/acceptance/loghub-openssh/OpenSSH_2k.log';

const d = (msg: string): DecodedLog => decodeLogLine(`Dec 10 06:55:46 LabSZ sshd[24200]: ${msg}`);

describe('syslog header', () => {
  test('RFC 3164, PRI, no host, RFC 3339 and RFC 5424 forms', () => {
    assert.deepEqual(decodeLogLine('Jan  5 01:02:03 web1 cron[123]: (root) CMD (run-parts /etc/cron.hourly)'), {
      log: { format: 'syslog', syslog: { timestamp: 'Jan  5 01:02:03', hostname: 'web1', appname: 'cron' } },
      process: { name: 'cron', pid: 123 },
      message: '(root) CMD (run-parts /etc/cron.hourly)',
    });
    const pri = decodeLogLine('<38>Feb 11 10:00:00 gw sshd[1]: Server listening on 0.0.0.0 port 22.');
    assert.equal(pri.log.syslog?.priority, 38);
    assert.equal(pri.log.level, 'info');
    assert.equal(pri.event?.action, 'ssh_server_listening');
    const nohost = decodeLogLine('Feb 11 10:00:00 sshd[7]: Accepted publickey for deploy from 10.0.0.2 port 5022 ssh2: ED25519 SHA256:abcdef');
    assert.equal(nohost.log.syslog?.hostname, undefined);
    assert.equal(nohost.log.format, 'sshd');
    assert.equal(nohost.ssh?.key_type, 'ED25519');
    assert.equal(nohost.ssh?.key_fingerprint, 'SHA256:abcdef');
    const iso = decodeLogLine('2024-03-01T10:11:12.345678+01:00 bastion sshd-session[99]: Failed password for root from 192.0.2.1 port 4242 ssh2');
    assert.equal(iso.log.format, 'sshd');
    assert.equal(iso.log.time, '2024-03-01T09:11:12.345678000Z');
    assert.equal(iso.event?.action, 'ssh_auth_failed');
    const r5424 = decodeLogLine('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App]"] An application event');
    assert.equal(r5424.log.format, 'syslog');
    assert.equal(r5424.log.time, '2003-10-11T22:14:15.003000000Z');
    assert.equal(r5424.log.level, 'info');
    assert.equal(r5424.message, 'An application event');
    assert.equal(r5424.log.syslog?.appname, 'evntslog');
  });

  test('application lines that start with an ISO time are not syslog', () => {
    assert.equal(decodeLogLine('2024-01-15T10:00:00Z INFO main: starting').log.format, 'plain');
    assert.equal(decodeLogLine('2024-01-15T10:00:00Z something happened').log.format, 'plain');
  });

  test('syslogTime: the year is chosen so the time is not after the reference', () => {
    assert.equal(syslogTime('Dec 10 06:55:46', '2024-12-31T00:00:00Z'), '2024-12-10T06:55:46.000000000Z');
    assert.equal(syslogTime('Dec 31 23:59:59', '2025-01-01T00:00:10Z'), '2024-12-31T23:59:59.000000000Z');
    assert.equal(syslogTime('Jan  1 00:00:05', '2025-01-01T00:00:10Z'), '2025-01-01T00:00:05.000000000Z');
    // a few seconds ahead of the reference is the previous year, unless a tolerance is given
    assert.equal(syslogTime('Jan  1 00:00:15', '2025-01-01T00:00:10Z'), '2024-01-01T00:00:15.000000000Z');
    assert.equal(syslogTime('Jan  1 00:00:15', '2025-01-01T00:00:10Z', { futureToleranceMs: 60_000 }), '2025-01-01T00:00:15.000000000Z');
    // Feb 29 goes back to a leap year
    assert.equal(syslogTime('Feb 29 12:00:00', '2027-06-01T00:00:00Z'), '2024-02-29T12:00:00.000000000Z');
    // the clock's zone
    assert.equal(syslogTime('Dec 10 06:55:46', '2024-12-31T00:00:00Z', { utcOffsetMinutes: 60 }), '2024-12-10T05:55:46.000000000Z');
    assert.equal(syslogTime('Dec 10 06:55:46.123456', Date.UTC(2024, 11, 31)), '2024-12-10T06:55:46.123456000Z');
    assert.equal(syslogTime('2024-03-01T10:11:12Z', 0), '2024-03-01T10:11:12.000000000Z');
    assert.equal(syslogTime('Foo 10 06:55:46', 0), undefined);
    assert.equal(syslogTime('Dec 10 06:55:46', 'not a time'), undefined);
  });
});

describe('sshd messages', () => {
  test('failed password for an invalid user', () => {
    assert.deepEqual(d('Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2'), {
      log: { format: 'sshd', syslog: { timestamp: 'Dec 10 06:55:46', hostname: 'LabSZ', appname: 'sshd' }, level: 'info' },
      process: { name: 'sshd', pid: 24200 },
      message: 'Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
      event: { action: 'ssh_auth_failed', outcome: 'failure' },
      auth: { outcome: 'failure', method: 'password', invalid_user: true },
      user: { name: 'webmaster' },
      source: { ip: '173.234.31.186', port: 38926 },
      ssh: { protocol: 'ssh2' },
    });
  });

  test('accepted, invalid user, user names with spaces', () => {
    const a = d('Accepted password for fztu from 119.137.62.142 port 49116 ssh2');
    assert.deepEqual([a.event, a.auth, a.user, a.source], [
      { action: 'ssh_auth_success', outcome: 'success' }, { outcome: 'success', method: 'password' }, { name: 'fztu' },
      { ip: '119.137.62.142', port: 49116 },
    ]);
    const inv = d('Invalid user webmaster from 173.234.31.186');
    assert.deepEqual([inv.event, inv.auth, inv.user, inv.source], [
      { action: 'ssh_invalid_user', outcome: 'failure' }, { outcome: 'failure', invalid_user: true }, { name: 'webmaster' },
      { ip: '173.234.31.186' },
    ]);
    const sp = d('Invalid user  0101 from 183.62.140.253 port 4444');
    assert.equal(sp.user?.name, ' 0101');
    assert.equal(sp.source?.port, 4444);
    const none = d('Failed none for invalid user admin admin from 10.0.0.1 port 1 ssh2');
    assert.equal(none.auth?.method, 'none');
    assert.equal(none.user?.name, 'admin admin');
    const kbd = d('Failed keyboard-interactive/pam for root from 10.0.0.1 port 2 ssh2');
    assert.equal(kbd.auth?.method, 'keyboard-interactive/pam');
  });

  test('PAM messages', () => {
    const f = d('pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186  user=root');
    assert.deepEqual([f.event, f.auth, f.source, f.user], [
      { action: 'pam_auth_failure', outcome: 'failure' }, { outcome: 'failure', method: 'password' }, { ip: '173.234.31.186' }, { name: 'root' },
    ]);
    const host = d('pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn ');
    assert.deepEqual(host.source, { domain: 'ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn' });
    assert.equal(host.user, undefined);
    const more = d('PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root');
    assert.deepEqual([more.event?.action, more.auth?.failures, more.source?.ip], ['pam_auth_failures', 5, '112.95.230.3']);
    assert.equal(d('PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4').auth?.failures, 1);
    const unknown = d('pam_unix(sshd:auth): check pass; user unknown');
    assert.deepEqual([unknown.event, unknown.auth], [{ action: 'pam_user_unknown' }, { invalid_user: true }]);
    assert.equal(d('PAM service(sshd) ignoring max retries; 6 > 3').event?.action, 'pam_max_retries');
    const opened = d('pam_unix(sshd:session): session opened for user fztu by (uid=0)');
    assert.deepEqual([opened.event?.action, opened.user?.name], ['ssh_session_opened', 'fztu']);
    assert.equal(d('pam_unix(sshd:session): session opened for user bob(uid=1000) by (uid=0)').user?.name, 'bob');
    assert.equal(d('pam_unix(sshd:session): session closed for user fztu').event?.action, 'ssh_session_closed');
  });

  test('connections, disconnects, break-in attempts, preauth, levels', () => {
    const c = d('Connection closed by 212.47.254.145 [preauth]');
    assert.deepEqual([c.event, c.source, c.ssh], [{ action: 'ssh_connection_closed' }, { ip: '212.47.254.145' }, { preauth: true }]);
    const c2 = d('Connection closed by authenticating user root 10.0.0.5 port 52344 [preauth]');
    assert.deepEqual([c2.user, c2.source], [{ name: 'root' }, { ip: '10.0.0.5', port: 52344 }]);
    const c3 = d('Connection closed by invalid user oracle 10.0.0.6 port 1 [preauth]');
    assert.deepEqual([c3.user, c3.auth], [{ name: 'oracle' }, { invalid_user: true }]);
    const r = d('Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]');
    assert.deepEqual([r.event, r.source, r.ssh], [
      { action: 'ssh_disconnect' }, { ip: '52.80.34.196' }, { preauth: true, disconnect_code: 11, disconnect_reason: 'Bye Bye' },
    ]);
    const r2 = d('Received disconnect from 10.0.0.1 port 22:11: disconnected by user');
    assert.deepEqual([r2.source, r2.ssh?.disconnect_code], [{ ip: '10.0.0.1', port: 22 }, 11]);
    const e = d('error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]');
    assert.deepEqual([e.log.level, e.event?.action, e.ssh?.disconnect_code], ['error', 'ssh_disconnect', 14]);
    const rev = d('reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!');
    assert.deepEqual([rev.event, rev.source, rev.ssh], [
      { action: 'ssh_reverse_mapping_failed' }, { ip: '173.234.31.186', domain: 'ns.marryaldkfaczcz.com' }, { break_in_attempt: true },
    ]);
    const addr = d('Address 10.1.2.3 maps to host.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!');
    assert.deepEqual([addr.event?.action, addr.source, addr.ssh?.break_in_attempt], ['ssh_address_mismatch', { ip: '10.1.2.3', domain: 'host.example' }, true]);
    assert.deepEqual(d('Did not receive identification string from 10.0.0.9').source, { ip: '10.0.0.9' });
    assert.equal(d("Bad protocol version identification 'GET / HTTP/1.1' from 10.0.0.9 port 3333").source?.port, 3333);
    const many = d('Disconnecting: Too many authentication failures for admin [preauth]');
    assert.deepEqual([many.event?.action, many.user?.name], ['ssh_too_many_auth_failures', 'admin']);
    const max = d('error: maximum authentication attempts exceeded for invalid user test from 10.0.0.3 port 4000 ssh2 [preauth]');
    assert.deepEqual([max.event?.action, max.user?.name, max.auth?.invalid_user, max.source?.ip], ['ssh_max_auth_attempts', 'test', true, '10.0.0.3']);
    const na = d('User root from 10.0.0.4 not allowed because not listed in AllowUsers');
    assert.deepEqual([na.event?.outcome, na.user?.name, na.source?.ip], ['failure', 'root', '10.0.0.4']);
    assert.equal(d('fatal: Write failed: Connection reset by peer [preauth]').log.level, 'fatal');
    assert.equal(d('Unable to negotiate with 10.0.0.7 port 5555: no matching key exchange method found.').source?.port, 5555);
    assert.equal(d('input_userauth_request: invalid user test9 [preauth]').user?.name, 'test9');
    assert.equal(d('something sshd never said').event, undefined);
  });

  test('message repeated N times', () => {
    const r = d('message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]');
    assert.equal(r.log.repeat_count, 5);
    assert.deepEqual([r.event, r.user, r.source], [
      { action: 'ssh_auth_failed', outcome: 'failure' }, { name: 'root' }, { ip: '5.36.59.76', port: 42393 },
    ]);
    assert.equal(r.message, 'message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]');
  });
});

describe('loghub OpenSSH_2k sample', { skip: !fs.existsSync(OPENSSH_SAMPLE) && 'sample not present' }, () => {
  test('every line decodes as sshd; counts match the text', () => {
    const lines = fs.readFileSync(OPENSSH_SAMPLE, 'utf8').split('\n').filter((l) => l.length > 0);
    assert.equal(lines.length, 2000);
    const count = (pred: (x: DecodedLog) => boolean): number => decoded.filter(pred).length;
    const decoded = lines.map((l) => decodeLogLine(l));
    assert.equal(count((x) => x.log.format === 'sshd'), 2000);
    // CRLF line ends are stripped
    assert.ok(decoded.every((x) => !x.message?.endsWith('\r')));

    // Every line containing `Failed password` (518 plain + 2 inside `message repeated`) is one.
    const failedPasswordText = lines.filter((l) => l.includes('Failed password')).length;
    assert.equal(failedPasswordText, 520);
    assert.equal(count((x) => x.event?.action === 'ssh_auth_failed' && x.auth?.method === 'password'), 520);
    // plus 4 `Failed none`
    assert.equal(count((x) => x.event?.action === 'ssh_auth_failed'), 524);
    assert.equal(count((x) => x.event?.action === 'ssh_auth_failed' && x.auth?.invalid_user === true), 139);
    // occurrences, counting the repeats: 518 + 2 × 5 = 528 failed passwords
    const occurrences = decoded
      .filter((x) => x.event?.action === 'ssh_auth_failed' && x.auth?.method === 'password')
      .reduce((n, x) => n + (x.log.repeat_count ?? 1), 0);
    assert.equal(occurrences, 528);
    assert.equal(count((x) => (x.log.repeat_count ?? 0) > 0), 2);

    assert.equal(lines.filter((l) => l.includes(': Invalid user ')).length, 113);
    assert.equal(count((x) => x.event?.action === 'ssh_invalid_user'), 113);
    assert.equal(count((x) => x.event?.action === 'ssh_invalid_user_request'), 113);
    assert.equal(count((x) => x.event?.action === 'ssh_auth_success'), 1);
    assert.equal(count((x) => x.event?.action === 'pam_auth_failure'), lines.filter((l) => l.includes('pam_unix(sshd:auth): authentication failure')).length);
    assert.equal(count((x) => x.event?.action === 'pam_auth_failures'), lines.filter((l) => /PAM \d+ more authentication failure/.test(l)).length);
    assert.equal(count((x) => x.event?.action === 'ssh_reverse_mapping_failed'), 85);
    assert.equal(count((x) => x.ssh?.break_in_attempt === true), lines.filter((l) => l.includes('POSSIBLE BREAK-IN ATTEMPT')).length);
    assert.equal(count((x) => x.event?.action === 'ssh_disconnect'), lines.filter((l) => l.includes('Received disconnect from')).length);
    assert.equal(count((x) => x.event?.action === 'ssh_connection_closed'), 34);

    // every auth failure has a source (IP or, for PAM rhost names, a domain)
    assert.ok(decoded.filter((x) => x.auth?.outcome === 'failure').every((x) => x.source?.ip || x.source?.domain));
    // all but a handful of lines have an action
    const unclassified = decoded.filter((x) => !x.event?.action).map((x) => x.message);
    assert.ok(unclassified.length <= 2, JSON.stringify(unclassified));

    // Failures by source: the brute force from 183.62.140.253 stands out.
    const bySource = new Map<string, number>();
    for (const x of decoded) {
      if (x.auth?.outcome === 'failure' && x.source?.ip) bySource.set(x.source.ip, (bySource.get(x.source.ip) ?? 0) + (x.log.repeat_count ?? 1));
    }
    const top = [...bySource.entries()].sort((a, b) => b[1] - a[1])[0]!;
    assert.equal(top[0], '183.62.140.253');
  });

  test('replay: event.time from the line, spaced as in the file', () => {
    const lines = fs.readFileSync(OPENSSH_SAMPLE, 'utf8').split('\n').filter((l) => l.length > 0);
    const events = lines.map((message) =>
      logLineToEvent({ message, stream: 'stdout', time: '2025-01-15T00:00:00Z' }, { timeFromLine: {}, context: { host: { name: 'LabSZ' } } }),
    );
    assert.equal(events[0]!.event.time, '2024-12-10T06:55:46.000000000Z');
    assert.equal(events[0]!.event.source, 'log');
    assert.equal(events[0]!.event.action, 'ssh_reverse_mapping_failed');
    assert.equal(events[5]!.event.time, '2024-12-10T06:55:48.000000000Z');
    assert.equal(getPath(events[5], 'log.format'), 'sshd');
    assert.equal((getPath(events[5], 'log.message') as string).endsWith('ssh2'), true);
    assert.deepEqual(events[5]!.host, { name: 'LabSZ' });
    const times = events.map((e) => e.event.time);
    assert.deepEqual([...times].sort(), times);
  });
});
