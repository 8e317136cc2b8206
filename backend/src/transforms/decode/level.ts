import type { LogLevel } from './types.js';

// `log.level` is one of debug/info/warn/error/fatal. Names map case-insensitively (trace and
// verbose count as debug, notice as info, critical/alert/emergency/panic as fatal); numbers follow
// pino/bunyan (10 trace … 60 fatal) from 10 up, and syslog severities (0 emerg … 7 debug) below.

const NAMES: Record<string, LogLevel> = Object.assign(Object.create(null) as Record<string, LogLevel>, {
  trace: 'debug',
  trc: 'debug',
  debug: 'debug',
  dbg: 'debug',
  verbose: 'debug',
  fine: 'debug',
  finer: 'debug',
  finest: 'debug',
  d: 'debug',
  t: 'debug',
  info: 'info',
  inf: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  i: 'info',
  n: 'info',
  warn: 'warn',
  warning: 'warn',
  wrn: 'warn',
  w: 'warn',
  error: 'error',
  err: 'error',
  eror: 'error',
  e: 'error',
  severe: 'error',
  fatal: 'fatal',
  ftl: 'fatal',
  f: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  crt: 'fatal',
  c: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
  dpanic: 'fatal',
});

const SYSLOG: LogLevel[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

export function levelFromNumber(n: number): LogLevel | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (n < 8) return SYSLOG[Math.floor(n)];
  if (n < 10) return undefined;
  if (n < 30) return 'debug';
  if (n < 40) return 'info';
  if (n < 50) return 'warn';
  if (n < 60) return 'error';
  return 'fatal';
}

/** Normalized level of a name or number; undefined when it is not recognisable. */
export function normalizeLevel(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return levelFromNumber(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 16) return undefined;
  const direct = NAMES[v];
  if (direct) return direct;
  const lower = v.toLowerCase();
  const named = NAMES[lower];
  if (named) return named;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const n = Number(v);
    if (!Number.isNaN(n)) return levelFromNumber(n);
  }
  return undefined;
}

/**
 * Level named by a bare word of a plain line (`ERROR`, `[warn]`, `<info>`, `level:`): only names of
 * three letters or more count here, since a single letter in free text is not a level.
 */
export function levelFromWord(word: string): LogLevel | undefined {
  let s = 0;
  let e = word.length;
  while (s < e && isPunct(word.charCodeAt(s))) s += 1;
  while (e > s && isPunct(word.charCodeAt(e - 1))) e -= 1;
  if (e - s < 3 || e - s > 11) return undefined;
  // Level names start with one of a c d e f i n p s t v w (either case).
  if (!LEVEL_INITIAL[word.charCodeAt(s) | 0x20]) return undefined;
  const w = s === 0 && e === word.length ? word : word.slice(s, e);
  return NAMES[w.toLowerCase()];
}

const LEVEL_INITIAL: boolean[] = [];
for (const ch of 'acdefinpstvw') LEVEL_INITIAL[ch.charCodeAt(0)] = true;

function isPunct(c: number): boolean {
  return c === 91 || c === 93 || c === 40 || c === 41 || c === 60 || c === 62 || c === 58 || c === 124 || c === 44;
}
