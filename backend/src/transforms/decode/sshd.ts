// OpenSSH server messages (the part after `sshd[pid]: `) to authentication fields.
//
// `event.action` names the message kind, `auth.outcome` is set only for messages that are one
// authentication attempt (so a brute-force rule counting `auth.outcome = failure` counts each try
// once per source of evidence, as Wazuh's sshd rules do):
//
//   message                                                        event.action                  auth.outcome
//   Failed <method> for [invalid user ]<u> from <ip> port <p> ssh2 ssh_auth_failed               failure
//   Accepted <method> for <u> from <ip> port <p> ssh2[: <key>]     ssh_auth_success              success
//   Postponed <method> for <u> from <ip> port <p> ssh2             ssh_auth_postponed            -
//   Invalid user <u> from <ip> [port <p>]                          ssh_invalid_user              failure
//   input_userauth_request: invalid user <u>                       ssh_invalid_user_request      -
//   User <u> from <ip> not allowed because ...                     ssh_user_not_allowed          failure
//   ROOT LOGIN REFUSED FROM <ip>                                   ssh_root_login_refused        failure
//   pam_unix(sshd:auth): authentication failure; ... rhost= user=  pam_auth_failure              failure
//   PAM <n> more authentication failure(s); ... rhost= user=       pam_auth_failures (auth.failures = n)  failure
//   pam_unix(sshd:auth): check pass; user unknown                  pam_user_unknown              -
//   PAM service(sshd) ignoring max retries; <n> > <m>              pam_max_retries               -
//   pam_unix(sshd:session): session opened|closed for user <u>     ssh_session_opened|closed     -
//   Connection closed by [authenticating|invalid user <u> ]<ip> [port <p>]  ssh_connection_closed  -
//   Connection reset by ... / Disconnected from ...                ssh_connection_reset / ssh_disconnected
//   Received disconnect from <ip>[ port <p>]: <code>: <reason>     ssh_disconnect (ssh.disconnect_code/_reason)
//   reverse mapping checking getaddrinfo for <h> [<ip>] failed...  ssh_reverse_mapping_failed (ssh.break_in_attempt)
//   Address <ip> maps to <h>, but this does not map back ...       ssh_address_mismatch (ssh.break_in_attempt)
//   Did not receive identification string from <ip>                ssh_no_identification
//   Bad protocol version identification '...' from <ip>            ssh_bad_protocol
//   Unable to negotiate with <ip> port <p>: ...                    ssh_negotiation_failed
//   Disconnecting[ ...]: Too many authentication failures[ for <u>] ssh_too_many_auth_failures
//   error: maximum authentication attempts exceeded for <u> from <ip> port <p>  ssh_max_auth_attempts
//   Connection from <ip> port <p> on <ip> port <p>                 ssh_connection
//   Server listening on <addr> port <p>.                           ssh_server_listening
//   Received signal <n>; terminating.                              ssh_server_stopped
//   Timeout, client not responding                                 ssh_timeout
//
// `message repeated N times: [ <message>]` is decoded as <message> with `log.repeat_count = N`.
// A trailing ` [preauth]` sets `ssh.preauth`; a leading `error: `/`fatal: `/`warning: ` sets the
// level (otherwise `info`, unless the syslog priority gave one).

import type { DecodedLog } from './types.js';
import { clip, digitsAt, sourceFromHost } from './util.js';

function setUser(out: DecodedLog, name: string | undefined): void {
  if (name !== undefined && name.length > 0) out.user = { name: clip(name, 256) };
}

function setSource(out: DecodedLog, host: string | undefined, port?: string): void {
  if (!host) return;
  const src = sourceFromHost(host);
  if (!src) return;
  out.source = out.source ? Object.assign(out.source, src) : src;
  if (port !== undefined) {
    const p = Number(port);
    if (Number.isInteger(p) && p > 0 && p < 65536) out.source.port = p;
  }
}

function act(out: DecodedLog, action: string, outcome?: 'success' | 'failure'): void {
  out.event = outcome ? { action, outcome } : { action };
  if (outcome) (out.auth ??= {}).outcome = outcome;
}

/** `<ip>[ port <p>][ <proto>][: <key type> <fingerprint>]` after ` from `. */
function fromTail(out: DecodedLog, tail: string): void {
  let e = tail.indexOf(' ');
  if (e < 0) e = tail.length;
  const ip = tail.charCodeAt(e - 1) === 58 ? tail.slice(0, e - 1) : tail.slice(0, e);
  let port: string | undefined;
  let rest = e + 1;
  if (tail.startsWith('port ', rest)) {
    let pe = tail.indexOf(' ', rest + 5);
    if (pe < 0) pe = tail.length;
    port = tail.charCodeAt(pe - 1) === 58 ? tail.slice(rest + 5, pe - 1) : tail.slice(rest + 5, pe);
    rest = pe + 1;
  }
  setSource(out, ip, port);
  if (rest < tail.length && tail.startsWith('ssh', rest) && digitsAt(tail, rest + 3, 1) >= 0) {
    const ssh = (out.ssh ??= {});
    ssh.protocol = tail.slice(rest, rest + 4);
    if (tail.charCodeAt(rest + 4) === 58 && tail.charCodeAt(rest + 5) === 32) {
      const kt = tail.slice(rest + 6).split(' ', 2);
      if (kt[0]) ssh.key_type = kt[0];
      if (kt[1]) ssh.key_fingerprint = kt[1];
    }
  }
}

/** `[invalid user ]<user> from <tail>` (the user may hold spaces: split at the last ` from `). */
function userFrom(out: DecodedLog, rest: string): void {
  let r = rest;
  if (r.startsWith('invalid user ')) {
    (out.auth ??= {}).invalid_user = true;
    r = r.slice(13);
  }
  const f = r.lastIndexOf(' from ');
  if (f < 0) {
    setUser(out, r);
    return;
  }
  setUser(out, r.slice(0, f));
  fromTail(out, r.slice(f + 6));
}

/** `[authenticating user <u> |invalid user <u> ]<ip>[ port <p>]` (Connection closed/reset, Disconnected). */
function peer(out: DecodedLog, rest: string): void {
  const t = rest.split(' ');
  let end = t.length;
  let port: string | undefined;
  if (end >= 3 && t[end - 2] === 'port') {
    port = t[end - 1];
    end -= 2;
  }
  let ip = t[end - 1];
  if (ip?.endsWith(':')) ip = ip.slice(0, -1);
  setSource(out, ip, port);
  const prefix = t.slice(0, end - 1);
  if (prefix.length >= 3 && prefix[1] === 'user' && (prefix[0] === 'authenticating' || prefix[0] === 'invalid')) {
    if (prefix[0] === 'invalid') (out.auth ??= {}).invalid_user = true;
    setUser(out, prefix.slice(2).join(' '));
  }
}

function pamValue(s: string, key: string): string | undefined {
  const k = s.indexOf(key);
  if (k < 0) return undefined;
  const v = k + key.length;
  let e = s.indexOf(' ', v);
  if (e < 0) e = s.length;
  return e > v ? s.slice(v, e) : undefined;
}

/** ` rhost=` and ` user=` of a PAM message (`logname= uid=0 ... rhost=1.2.3.4  user=root`). */
function pamPairs(out: DecodedLog, s: string): void {
  setSource(out, pamValue(s, ' rhost='));
  setUser(out, pamValue(s, ' user='));
}

/** Decodes an sshd message into `out` (which already holds the syslog fields). */
export function decodeSshd(msg: string, out: DecodedLog): void {
  let m = msg.length > 4096 ? msg.slice(0, 4096) : msg;
  if (m.startsWith('message repeated ')) {
    const t = m.indexOf(' times: [', 17);
    const n = t > 17 && t < 28 ? Number(m.slice(17, t)) : NaN;
    if (Number.isInteger(n) && n > 0) {
      out.log.repeat_count = n;
      m = m.slice(t + 9);
      if (m.endsWith(']')) m = m.slice(0, -1);
      m = m.trim();
    }
  }
  let level = out.log.level;
  if (m.startsWith('error: ')) {
    level = 'error';
    m = m.slice(7);
  } else if (m.startsWith('fatal: ')) {
    level = 'fatal';
    m = m.slice(7);
  } else if (m.startsWith('warning: ')) {
    level = 'warn';
    m = m.slice(9);
  }
  out.log.level = level ?? 'info';
  if (m.endsWith(' [preauth]')) {
    (out.ssh ??= {}).preauth = true;
    m = m.slice(0, -10);
  }

  const c = m.charCodeAt(0);
  switch (c) {
    case 70: // F
      if (m.startsWith('Failed ')) return authAttempt(out, m, 7, 'ssh_auth_failed', 'failure');
      break;
    case 65: // A
      if (m.startsWith('Accepted ')) return authAttempt(out, m, 9, 'ssh_auth_success', 'success');
      if (m.startsWith('Address ') && m.includes('POSSIBLE BREAK-IN ATTEMPT')) {
        act(out, 'ssh_address_mismatch');
        (out.ssh ??= {}).break_in_attempt = true;
        const sp = m.indexOf(' ', 8);
        setSource(out, m.slice(8, sp < 0 ? m.length : sp));
        const maps = m.indexOf(' maps to ');
        const comma = maps >= 0 ? m.indexOf(',', maps) : -1;
        if (comma > 0 && out.source && !out.source.domain) out.source.domain = clip(m.slice(maps + 9, comma), 255);
        return;
      }
      break;
    case 80: // P
      if (m.startsWith('Postponed ')) return authAttempt(out, m, 10, 'ssh_auth_postponed');
      if (m.startsWith('PAM service(')) return act(out, 'pam_max_retries');
      if (m.startsWith('PAM ')) {
        const sp = m.indexOf(' ', 4);
        const n = Number(m.slice(4, sp));
        if (sp > 4 && Number.isInteger(n) && m.startsWith(' more authentication failure', sp)) {
          act(out, 'pam_auth_failures', 'failure');
          out.auth!.failures = n;
          const semi = m.indexOf(';', sp);
          if (semi > 0) pamPairs(out, m.slice(semi + 1));
          return;
        }
      }
      break;
    case 73: // I
      if (m.startsWith('Invalid user ')) {
        act(out, 'ssh_invalid_user', 'failure');
        userFrom(out, 'invalid user ' + m.slice(13));
        return;
      }
      break;
    case 105: // i
      if (m.startsWith('input_userauth_request: invalid user ')) {
        act(out, 'ssh_invalid_user_request');
        (out.auth ??= {}).invalid_user = true;
        setUser(out, m.slice(37));
        return;
      }
      break;
    case 112: // p
      if (m.startsWith('pam_unix(')) {
        const close = m.indexOf('): ', 9);
        if (close < 0) break;
        const body = m.slice(close + 3);
        if (body.startsWith('authentication failure;')) {
          act(out, 'pam_auth_failure', 'failure');
          out.auth!.method = 'password';
          pamPairs(out, body.slice(23));
          return;
        }
        if (body.startsWith('check pass; user unknown')) {
          act(out, 'pam_user_unknown');
          (out.auth ??= {}).invalid_user = true;
          return;
        }
        if (body.startsWith('session opened for user ') || body.startsWith('session closed for user ')) {
          act(out, body.charCodeAt(8) === 111 ? 'ssh_session_opened' : 'ssh_session_closed');
          const rest = body.slice(24);
          let e = 0;
          while (e < rest.length && rest.charCodeAt(e) !== 32 && rest.charCodeAt(e) !== 40) e += 1;
          setUser(out, rest.slice(0, e));
          return;
        }
      }
      break;
    case 67: // C
      if (m.startsWith('Connection closed by ')) {
        act(out, 'ssh_connection_closed');
        peer(out, m.slice(21));
        return;
      }
      if (m.startsWith('Connection reset by ')) {
        act(out, 'ssh_connection_reset');
        peer(out, m.slice(20));
        return;
      }
      if (m.startsWith('Connection from ')) {
        act(out, 'ssh_connection');
        fromTail(out, m.slice(16));
        return;
      }
      break;
    case 68: // D
      if (m.startsWith('Disconnected from ')) {
        act(out, 'ssh_disconnected');
        peer(out, m.slice(18));
        return;
      }
      if (m.startsWith('Did not receive identification string from ')) {
        act(out, 'ssh_no_identification');
        fromTail(out, m.slice(43));
        return;
      }
      if (m.startsWith('Disconnecting') && m.includes('Too many authentication failures')) {
        act(out, 'ssh_too_many_auth_failures');
        const f = m.indexOf(' failures for ');
        if (f > 0) userFrom(out, m.slice(f + 14));
        else if (m.startsWith('Disconnecting authenticating user ') || m.startsWith('Disconnecting invalid user ')) {
          const colon = m.indexOf(': Too many');
          peer(out, m.slice(14, colon > 0 ? colon : m.length));
        }
        return;
      }
      break;
    case 82: // R
      if (m.startsWith('Received disconnect from ')) {
        act(out, 'ssh_disconnect');
        const rest = m.slice(25);
        const colon = rest.indexOf(':');
        const addr = colon < 0 ? rest : rest.slice(0, colon);
        peer(out, addr);
        if (colon >= 0) {
          const after = rest.slice(colon + 1).trimStart();
          const c2 = after.indexOf(':');
          const code = c2 > 0 ? Number(after.slice(0, c2)) : NaN;
          if (Number.isInteger(code)) {
            out.ssh = { ...out.ssh, disconnect_code: code, disconnect_reason: clip(after.slice(c2 + 1).trim(), 512) };
          } else if (after) {
            out.ssh = { ...out.ssh, disconnect_reason: clip(after, 512) };
          }
        }
        return;
      }
      if (m.startsWith('Received signal ')) return act(out, 'ssh_server_stopped');
      if (m.startsWith('ROOT LOGIN REFUSED FROM ')) {
        act(out, 'ssh_root_login_refused', 'failure');
        setUser(out, 'root');
        fromTail(out, m.slice(24));
        return;
      }
      break;
    case 114: // r
      if (m.startsWith('reverse mapping checking getaddrinfo for ')) {
        act(out, 'ssh_reverse_mapping_failed');
        const rest = m.slice(41);
        const sp = rest.indexOf(' [');
        const close = sp >= 0 ? rest.indexOf(']', sp) : -1;
        if (close > 0) {
          setSource(out, rest.slice(sp + 2, close));
          const host = rest.slice(0, sp);
          if (host) out.source = { ...out.source, domain: clip(host, 255) };
        }
        if (m.includes('POSSIBLE BREAK-IN ATTEMPT')) (out.ssh ??= {}).break_in_attempt = true;
        return;
      }
      break;
    case 66: // B
      if (m.startsWith('Bad protocol version identification ')) {
        act(out, 'ssh_bad_protocol');
        const f = m.lastIndexOf(' from ');
        if (f > 0) fromTail(out, m.slice(f + 6));
        return;
      }
      break;
    case 85: // U
      if (m.startsWith('Unable to negotiate with ')) {
        act(out, 'ssh_negotiation_failed');
        const colon = m.indexOf(': ', 25);
        fromTail(out, m.slice(25, colon > 0 ? colon : m.length));
        return;
      }
      if (m.startsWith('User ') && m.includes(' not allowed because ')) {
        act(out, 'ssh_user_not_allowed', 'failure');
        const na = m.indexOf(' not allowed because ');
        userFrom(out, m.slice(5, na));
        return;
      }
      break;
    case 109: // m
      if (m.startsWith('maximum authentication attempts exceeded for ')) {
        act(out, 'ssh_max_auth_attempts');
        userFrom(out, m.slice('maximum authentication attempts exceeded for '.length));
        return;
      }
      break;
    case 83: // S
      if (m.startsWith('Server listening on ')) {
        act(out, 'ssh_server_listening');
        return;
      }
      break;
    case 84: // T
      if (m.startsWith('Timeout, client not responding')) return act(out, 'ssh_timeout');
      break;
  }
}

function authAttempt(out: DecodedLog, m: string, from: number, action: string, outcome?: 'success' | 'failure'): void {
  const f = m.indexOf(' for ', from);
  if (f < 0 || f - from > 40) return;
  act(out, action, outcome);
  (out.auth ??= {}).method = m.slice(from, f);
  userFrom(out, m.slice(f + 5));
}
