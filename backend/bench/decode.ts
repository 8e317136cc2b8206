// Throughput of decodeLogLine on a mix of ~120-byte lines, one core.
// Run from the repository root: npx tsx backend/bench/decode.ts [seconds]
//
// Mix: 35% nginx/Apache access lines (a fifth with attack payloads), 25% JSON, 15% logfmt,
// 15% sshd syslog, 10% plain. Prints the rate per format and for the mix (median of 5 trials, per
// CPU-second of this process: see rate()), then `N lines/s` and the ratio to the target of
// 500,000 lines/s.

import { decodeLogLine } from '../src/transforms/decode/index.js';

const TARGET = 500_000;
const seconds = Number(process.argv[2] ?? 3);

let seed = 7;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const ip = (): string => `${rnd(223) + 1}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
const pick = <T>(a: T[]): T => a[rnd(a.length)]!;

const paths = ['/', '/index.html', '/api/v1/users/42', '/static/app.3f2a.js', '/login', '/search?q=shoes+red&page=2', '/health'];
const attacks = [
  '/index.php?id=1%27%20OR%201=1--',
  '/..%2f..%2fetc/passwd',
  '/search?q=%3Cscript%3Ealert(1)%3C/script%3E',
  '/a/%252e%252e%252f%252e%252e%252fetc/shadow',
];
const uas = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'sqlmap/1.7.2#stable', 'Mozilla/5.0 (compatible; Nikto/2.5.0)', '() { :; }; /bin/bash -c id'];

function access(): string {
  const p = rnd(5) === 0 ? pick(attacks) : pick(paths);
  return `${ip()} - - [10/Oct/2023:13:${10 + rnd(50)}:${10 + rnd(50)} +0000] "${pick(['GET', 'POST'])} ${p} HTTP/1.1" ${pick([200, 200, 404, 500, 301])} ${rnd(5000)} "-" "${pick(uas)}"`;
}
function json(): string {
  return `{"level":"${pick(['info', 'warn', 'error'])}","ts":"2024-05-01T12:00:${10 + rnd(50)}.123Z","msg":"request done","method":"GET","path":"${pick(paths)}","status":${pick([200, 404])},"ip":"${ip()}"}`;
}
function logfmt(): string {
  return `ts=2024-05-01T12:00:${10 + rnd(50)}Z level=${pick(['info', 'debug'])} msg="cache miss" key=user:${rnd(99999)} took=${rnd(900)}ms status=200`;
}
function sshd(): string {
  return pick([
    `Dec 10 06:55:${10 + rnd(50)} LabSZ sshd[${rnd(30000)}]: Failed password for invalid user admin from ${ip()} port ${rnd(65000)} ssh2`,
    `Dec 10 06:55:${10 + rnd(50)} LabSZ sshd[${rnd(30000)}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip()}  user=root`,
    `Dec 10 06:55:${10 + rnd(50)} LabSZ sshd[${rnd(30000)}]: Received disconnect from ${ip()}: 11: Bye Bye [preauth]`,
  ]);
}
function plain(): string {
  return pick([
    `Starting worker ${rnd(64)} of the background job processor with queue default and concurrency 8 ok`,
    `WARN: connection pool at ${rnd(100)}% capacity, consider raising max_connections in the configuration`,
  ]);
}

const makers: Array<[string, () => string, number]> = [
  ['access', access, 35], ['json', json, 25], ['logfmt', logfmt, 15], ['sshd', sshd, 15], ['plain', plain, 10],
];

function build(kinds: Array<[string, () => string, number]>, n: number): string[] {
  const total = kinds.reduce((s, k) => s + k[2], 0);
  const out: string[] = [];
  for (const [, make, w] of kinds) for (let i = 0; i < Math.round((n * w) / total); i += 1) out.push(make());
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rnd(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Rate {
  wall: number;
  cpu: number;
}

/**
 * Lines per second over `secs`, by wall clock and by the process's CPU time (user + system, all
 * threads, so GC helper threads count against us). The CPU figure is the one-core rate that holds
 * when other processes share the machine; on an idle machine the two agree.
 */
function rate(lines: string[], secs: number): Rate {
  let sink = 0;
  for (let i = 0; i < 50_000; i += 1) sink += decodeLogLine(lines[i % lines.length]!).log.format.length; // warm-up
  let n = 0;
  const c0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(secs * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < lines.length; i += 1) sink += decodeLogLine(lines[i]!).log.format.length;
    n += lines.length;
  }
  const ns = Number(process.hrtime.bigint() - start);
  const c = process.cpuUsage(c0);
  if (sink === 0) console.log('');
  return { wall: (n * 1e9) / ns, cpu: (n * 1e6) / (c.user + c.system) };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(11);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

for (const k of makers) {
  const r = rate(build([k], 10_000), Math.max(0.3, seconds / 8));
  console.log(`${k[0].padEnd(8)} ${fmt(r.cpu)} lines/s (cpu)  ${fmt(r.wall)} lines/s (wall)`);
}
const mix = build(makers, 20_000);
const avg = mix.reduce((s, l) => s + l.length, 0) / mix.length;
const trials: Rate[] = [];
for (let t = 0; t < 5; t += 1) trials.push(rate(mix, seconds / 5));
const cpu = median(trials.map((t) => t.cpu));
const wall = median(trials.map((t) => t.wall));
console.log(`mix, avg ${avg.toFixed(0)} bytes/line, 5 trials: median ${fmt(cpu).trim()} (cpu) / ${fmt(wall).trim()} (wall), best ${fmt(Math.max(...trials.map((t) => t.cpu))).trim()} (cpu)`);
console.log(`${Math.round(cpu)} lines/s`);
console.log(`ratio vs target: ${(cpu / TARGET).toFixed(2)}`);
