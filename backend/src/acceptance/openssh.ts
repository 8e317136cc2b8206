// Acceptance run over the loghub OpenSSH sample (`<dir>/loghub-openssh/OpenSSH_2k.log`): 1,999
// sshd syslog lines from a server under attack. Every line is replayed, in order, as a container
// log event through one fork of the engine, with `event.time` taken from the line's own timestamp
// (the year is not in the line; it is resolved against a fixed reference, so runs are
// reproducible and correlation windows see the real spacing of the lines).
//
// Reported: alerts per rule and per tag, the number of authentication-failure alerts, and which
// source addresses raised brute-force alerts. The "heavy attackers" are worked out from the
// decoded lines alone, independently of the rules: addresses with at least HEAVY_ATTEMPTS failed
// sshd attempts in the file (each `Failed ...`, `Invalid user`, `User ... not allowed`, `ROOT LOGIN
// REFUSED` line, a `message repeated N times` line weighing N). The run fails when one of them
// raises no brute_force alert, or when no auth_failure alert is raised at all.

import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../event/event.js';
import type { DetectionEngine } from '../transforms/detect/engine.js';
import { logLineToEvent } from '../transforms/decode/index.js';
import type { AcceptanceResult } from './k8s-audit.js';

export const OPENSSH_FILE = path.join('loghub-openssh', 'OpenSSH_2k.log');

/** Year resolution for the RFC 3164 timestamps: the sample's lines fall before this instant. */
export const OPENSSH_REFERENCE_TIME = '2017-12-31T23:59:59Z';

/** Failed attempts in the file that make an address a heavy attacker. */
export const HEAVY_ATTEMPTS = 20;

const ATTEMPT_ACTIONS = new Set(['ssh_auth_failed', 'ssh_invalid_user', 'ssh_user_not_allowed', 'ssh_root_login_refused']);

interface Decoded {
  event?: { action?: string; time?: string };
  source?: { ip?: string; domain?: string };
  log?: { repeat_count?: number; format?: string };
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function topList(m: Map<string, number>, max: number): string {
  const sorted = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = sorted.slice(0, max).map(([k, n]) => `${k} (${n})`);
  if (sorted.length > max) shown.push(`+${sorted.length - max} more`);
  return shown.join(', ');
}

export async function runOpenSsh(dir: string, engine: DetectionEngine): Promise<AcceptanceResult> {
  const file = path.join(dir, OPENSSH_FILE);
  const result: AcceptanceResult = {
    title: 'OpenSSH (loghub OpenSSH_2k.log): sshd decoding and authentication rules',
    header: ['rule or tag', 'level', 'tags', 'alerts', 'source addresses (alerts)'],
    rows: [],
    failures: [],
  };
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    result.failures.push(`cannot read ${file}: ${(e as Error).message}`);
    return result;
  }
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const fork = engine.fork();

  const attemptsByIp = new Map<string, number>();
  const alertsByRule = new Map<number, Alert[]>();
  const alertsByTag = new Map<string, number>();
  let unrecognized = 0;
  let notSshd = 0;
  let timeErrors = 0;
  for (const line of lines) {
    const ev = logLineToEvent(
      { message: line, stream: 'stdout', time: OPENSSH_REFERENCE_TIME },
      { timeFromLine: { reference: OPENSSH_REFERENCE_TIME } },
    );
    const d = ev as unknown as Decoded;
    if (d.log?.format !== 'sshd') notSshd += 1;
    else if (d.event?.action === 'log') unrecognized += 1;
    if (d.event?.time === OPENSSH_REFERENCE_TIME.replace('Z', '.000000000Z')) timeErrors += 1;
    const ip = d.source?.ip;
    if (ip && d.event?.action && ATTEMPT_ACTIONS.has(d.event.action)) bump(attemptsByIp, ip, d.log?.repeat_count ?? 1);
    for (const a of fork.evaluate(ev)) {
      const list = alertsByRule.get(a.rule.id) ?? [];
      list.push(a);
      alertsByRule.set(a.rule.id, list);
      for (const g of a.rule.groups) bump(alertsByTag, g);
    }
  }

  const ipsOf = (alerts: Alert[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const a of alerts) {
      const src = (a.event as Decoded).source;
      bump(m, src?.ip ?? src?.domain ?? '(no address)');
    }
    return m;
  };
  for (const [id, alerts] of [...alertsByRule].sort((a, b) => a[0] - b[0])) {
    const r = alerts[0]!.rule;
    result.rows.push([String(id), String(r.level), r.groups.join(' '), String(alerts.length), topList(ipsOf(alerts), 8)]);
  }
  const all = [...alertsByRule.values()].flat();
  for (const tag of [...alertsByTag.keys()].sort()) {
    const tagged = all.filter((a) => a.rule.groups.includes(tag));
    result.rows.push([`tag ${tag}`, '', '', String(tagged.length), topList(ipsOf(tagged), 8)]);
  }
  const bruteIps = ipsOf(all.filter((a) => a.rule.groups.includes('brute_force')));
  const heavy = [...attemptsByIp].filter(([, n]) => n >= HEAVY_ATTEMPTS).sort((a, b) => b[1] - a[1]);
  result.rows.push(['lines', '', '', String(lines.length), `${notSshd} not sshd, ${unrecognized} sshd messages not recognized`]);
  result.rows.push([`heavy attackers (>= ${HEAVY_ATTEMPTS} failed attempts)`, '', '', String(heavy.length), heavy.map(([ip, n]) => `${ip} (${n} attempts, ${bruteIps.get(ip) ?? 0} brute-force alerts)`).join(', ')]);

  if (timeErrors > 0) result.failures.push(`${timeErrors} line(s) kept the reference time instead of their own timestamp`);
  if ((alertsByTag.get('auth_failure') ?? 0) === 0) result.failures.push('no auth_failure alert raised');
  if (heavy.length === 0) result.failures.push(`no address with ${HEAVY_ATTEMPTS} or more failed attempts found: is the sshd decoder reading the file?`);
  for (const [ip, n] of heavy) {
    if (!bruteIps.has(ip)) result.failures.push(`heavy attacker ${ip} (${n} failed attempts) raised no brute_force alert`);
  }
  return result;
}
