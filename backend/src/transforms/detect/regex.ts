// Every pattern a rule carries runs on RE2 (linear time), never on the JS backtracking engine: a
// user's rule must not be able to stall the collector. If the native module cannot load, rules that
// need it are refused with that reason instead of quietly running on RegExp.

import { createRequire } from 'node:module';
import type RE2Type from 're2';
import { literalPrefilter } from './regex-literals.js';

type RE2Ctor = typeof RE2Type;

let re2: RE2Ctor | undefined;
let re2LoadError: string | undefined;
try {
  re2 = createRequire(import.meta.url)('re2') as RE2Ctor;
} catch (e) {
  re2LoadError = e instanceof Error ? e.message : String(e);
}

export function re2Status(): { ok: boolean; error?: string } {
  return re2 ? { ok: true } : { ok: false, error: re2LoadError };
}

export type StringTest = (s: string) => boolean;

function engine(): RE2Ctor {
  if (!re2) throw new Error(`the RE2 regex engine did not load (${re2LoadError ?? 'unknown reason'}); rules with regex or glob cannot run`);
  return re2;
}

// RE2 works on UTF-8: a JS string argument is converted on every call, which costs several times
// the match itself. Several rules test the same field value one after another, so the last value's
// bytes are kept and passed as a Buffer (4x cheaper per test, measured).
let lastText: string | undefined;
let lastBytes: Buffer = Buffer.alloc(0);
function utf8(s: string): Buffer {
  if (s !== lastText) {
    lastBytes = Buffer.from(s, 'utf8');
    lastText = s;
  }
  return lastBytes;
}

/**
 * Remembers a test's answers for recent values. Field values repeat (user agents, the paths of an
 * API or of static files, a JSON log's message): a repeat costs one Map lookup instead of a UTF-8
 * conversion and an RE2 pass. A `prefilter` (the words every match needs, regex-literals.ts) runs
 * first: most values fail it for less than a Map lookup costs (a field value is usually a slice
 * of its log line, which V8 hashes slowly), so only the values that pass it are remembered. Two
 * generations of at most MEMO_GENERATION values each: when the young one is full it becomes the
 * old one and the old one is dropped, so a value seen within the last 2,048 to 4,096 distinct ones
 * is answered from memory. A test whose values hardly repeat (a
 * plain log line's message) stops remembering for a while: each miss costs a lookup and an insert
 * on top of the match. Values longer than MEMO_MAX_KEY are matched again, unless they are the
 * value of the call just before.
 */
const MEMO_GENERATION = 2048;
const MEMO_MAX_KEY = 256;
/**
 * Fewer hits than this (1 in 9 values) in two generations in a row turns the memo off for
 * MEMO_PAUSE calls. Two: values that come back only after more than one generation's worth (a
 * cycle of 3,000 paths) hit nothing in the first generation, and everything in the next.
 */
const MEMO_MIN_HITS = MEMO_GENERATION / 8;
const MEMO_PAUSE = MEMO_GENERATION * 16;

export function memoized(test: StringTest, prefilter?: StringTest): StringTest {
  let young = new Map<string, boolean>();
  let old = new Map<string, boolean>();
  let hits = 0;
  let hitsBefore = MEMO_MIN_HITS;
  let paused = 0;
  // The tests of one event read the same value one after another (several rules on one field).
  let last: string | undefined;
  let lastResult = false;
  return (s) => {
    if (s === last) return lastResult;
    last = s;
    lastResult = (prefilter === undefined || prefilter(s)) && remember(s);
    return lastResult;
  };

  function remember(s: string): boolean {
    if (paused > 0) {
      paused -= 1;
      return test(s);
    }
    if (s.length > MEMO_MAX_KEY) return test(s);
    let r = young.get(s);
    if (r !== undefined) {
      hits += 1;
      return r;
    }
    r = old.get(s);
    if (r === undefined) r = test(s);
    else hits += 1;
    // A copy as the key: the value may be a slice of a much longer string (a path sliced from its
    // log line), which a key would keep alive. Concatenation then slicing yields a flat copy.
    young.set(s.length < 13 ? s : `${s} `.slice(0, -1), r);
    if (young.size >= MEMO_GENERATION) {
      const useless = hits < MEMO_MIN_HITS && hitsBefore < MEMO_MIN_HITS;
      old = useless ? new Map() : young;
      young = new Map();
      if (useless) paused = MEMO_PAUSE;
      hitsBefore = useless ? MEMO_MIN_HITS : hits;
      hits = 0;
    }
    return r;
  }
}

/** RE2's test on UTF-8 bytes (its typings inherit RegExp's string-only signature). */
interface BytesTest {
  test(input: Buffer): boolean;
}

/** Throws an Error whose message says why RE2 refuses the pattern. */
export function compileRegex(pattern: string): StringTest {
  const R = engine();
  let re: InstanceType<RE2Ctor>;
  try {
    re = new R(pattern, 'u');
  } catch (e) {
    throw new Error(`invalid regex ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)} (RE2 syntax: no backreferences or lookaround)`);
  }
  const bytes = re as unknown as BytesTest;
  return memoized((s) => bytes.test(utf8(s)), literalPrefilter([pattern]));
}

/** Any of several patterns, in one automaton. */
export function compileRegexSet(patterns: string[]): StringTest {
  if (patterns.length === 1) return compileRegex(patterns[0]!);
  for (const p of patterns) compileRegex(p);
  const set = new (engine().Set)(patterns, 'u');
  const bytes = set as unknown as BytesTest;
  return memoized((s) => bytes.test(utf8(s)), literalPrefilter(patterns));
}

/**
 * Shell-style glob, matched against the whole value: `*` any run of characters (including `/`),
 * `?` one character, `[abc]`, `[a-z]`, `[!abc]` one character of (not of) a set, `\x` a literal x.
 */
export function compileGlob(glob: string): StringTest {
  const literalStar = /^[^*?[\\]*$/;
  const body = glob.replace(/^\*/, '').replace(/\*$/, '');
  const lead = glob.startsWith('*');
  const trail = glob.endsWith('*') && glob.length > 1;
  // Most globs are prefix*, *suffix, *part* or literals; those need no automaton.
  if (literalStar.test(body)) {
    if (lead && trail) return (s) => s.includes(body);
    if (lead) return (s) => s.endsWith(body);
    if (trail) return (s) => s.startsWith(body);
    if (!glob.includes('*')) return (s) => s === glob;
  }
  let re = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '\\' && i + 1 < glob.length) {
      i += 1;
      re += escapeRe(glob[i]!);
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\\]]/g, (m) => `\\${m}`)}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  try {
    return compileRegex(`(?s)^(?:${re})$`);
  } catch (e) {
    throw new Error(`invalid glob ${JSON.stringify(glob)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** True when any of the globs matches (none: never). */
export function compileGlobSet(globs: readonly string[]): StringTest {
  const tests = globs.map(compileGlob);
  return (s) => tests.some((t) => t(s));
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
