// Field access for rules. Same addressing as event/fieldpath.ts (label keys may contain dots), plus
// one extension rules need: a path that crosses an array collects the value from every element, so
// `container.mounts.source` is the list of all mount sources.

export type Getter = (root: unknown) => unknown;

// Direct property reads are only safe when no segment can resolve to something inherited.
const INHERITED = new Set<string>([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Array.prototype).filter((n) => n !== 'length'),
  '__proto__',
]);

const hasOwn = Object.prototype.hasOwnProperty;

function isIndex(seg: string): boolean {
  return /^(0|[1-9]\d{0,8})$/.test(seg);
}

/**
 * Walks from `from`, joining segments into dotted keys and fanning out over arrays. `joined[i][j]`
 * is parts[i..j] joined with dots, prepared once so a missing field costs lookups, not garbage.
 * `missing`: the caller read `obj[parts[from]]` and found nothing (a property holding undefined is
 * as absent as one that is not there), so only the dotted keys from there are left to try; a
 * missing last segment then costs no lookup at all.
 */
function walk(obj: unknown, parts: readonly string[], joined: readonly (readonly string[])[], from: number, missing = false): unknown {
  let cur = obj;
  let i = from;
  let skipOne = missing;
  while (i < parts.length) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      skipOne = false;
      const seg = parts[i]!;
      if (isIndex(seg)) {
        cur = cur[Number(seg)];
        i += 1;
        continue;
      }
      const out: unknown[] = [];
      for (let k = 0; k < cur.length; k += 1) {
        const el: unknown = cur[k];
        // One level of fan-out per array: nested arrays are not descended, which bounds recursion
        // by the path length whatever the event's shape.
        if (el === null || typeof el !== 'object' || Array.isArray(el)) continue;
        const r = walk(el, parts, joined, i);
        if (r === undefined) continue;
        if (Array.isArray(r)) for (let m = 0; m < r.length; m += 1) out.push(r[m]);
        else out.push(r);
      }
      return out.length > 0 ? out : undefined;
    }
    const rec = cur as Record<string, unknown>;
    const keys = joined[i]!;
    let j = i;
    if (skipOne) {
      skipOne = false;
      if (i + 1 >= parts.length) return undefined;
      j = i + 1;
    }
    while (!hasOwn.call(rec, keys[j - i]!) && j + 1 < parts.length) j += 1;
    if (!hasOwn.call(rec, keys[j - i]!)) return undefined;
    cur = rec[keys[j - i]!];
    i = j + 1;
  }
  return cur;
}

function joins(parts: readonly string[]): string[][] {
  return parts.map((_, i) => parts.slice(i).map((__, k) => parts.slice(i, i + k + 1).join('.')));
}

// Getters are generated as code, one function per path, so each property read is a named load
// with its own inline cache. Closures sharing one source (the obvious alternative) share their
// feedback too, which makes every read megamorphic once a few hundred fields are in use; that
// alone cost about half of the evaluation time. Only validated path segments reach the generated
// source, and always as JSON string literals.
const cache = new Map<string, Getter>();

/**
 * Builds a function from source with the given values bound to `walk`, `parts`, `joined`; undefined
 * when the runtime forbids code generation (--disallow-code-generation-from-strings), in which case
 * callers use the slower closure form.
 */
function generate(body: string, w: typeof walk, parts: string[], joined: string[][]): Getter | undefined {
  try {
    return (new Function('walk', 'parts', 'joined', body) as (a: typeof walk, b: string[], c: string[][]) => Getter)(w, parts, joined);
  } catch {
    return undefined;
  }
}

function loopGetter(parts: string[], joined: string[][]): Getter {
  return (o) => {
    let x = o;
    for (let i = 0; i < parts.length; i += 1) {
      if (x === null || typeof x !== 'object') return undefined;
      const n = (x as Record<string, unknown>)[parts[i]!];
      if (n === undefined) return walk(x, parts, joined, i, true);
      x = n;
    }
    return x;
  };
}
const MAX_CACHED = 10_000;

export function compileField(path: string): Getter {
  const hit = cache.get(path);
  if (hit) return hit;
  const parts = path.split('.');
  const joined = joins(parts);
  let getter: Getter;
  if (parts.some((p) => INHERITED.has(p) || p === '') || parts.length > 64) {
    getter = (o) => walk(o, parts, joined, 0);
  } else {
    // Each segment is read directly; a missing one falls back to the general walk (a dotted label
    // key, an array to fan out, or a field that is truly absent).
    const steps = parts
      .map(
        (p, i) =>
          `if (x === null || typeof x !== 'object') return undefined;\n` +
          `n = x[${JSON.stringify(p)}];\n` +
          `if (n === undefined) return walk(x, parts, joined, ${i}, true);\n` +
          `x = n;`,
      )
      .join('\n');
    getter = generate(`return function get(o) {\nlet x = o;\nlet n;\n${steps}\nreturn x;\n};`, walk, parts, joined) ?? loopGetter(parts, joined);
  }
  if (cache.size < MAX_CACHED) cache.set(path, getter);
  return getter;
}

/** Field families of DESIGN.md §3. */
export const DEFAULT_KNOWN_FIELDS: readonly string[] = [
  'event.',
  'host.',
  'container.',
  'docker.',
  'k8s.',
  'log.',
  'http.',
  'url.',
  'source.',
  'user_agent.',
  'user.',
  'metric.',
  'message',
  // Decoded application logs (sshd and friends).
  'auth.',
  'ssh.',
  'process.',
  // Docker objects other than containers (normalize/docker.ts).
  'image.',
  'network.',
  'volume.',
  'plugin.',
  'service.',
  'node.',
  'secret.',
  'config.',
  'daemon.',
];

const FIELD_SYNTAX = /^[A-Za-z_@][A-Za-z0-9_@\-/]*(\.[A-Za-z0-9_@\-/]+)*$/;

export function isValidFieldPath(path: string): boolean {
  return path.length <= 512 && FIELD_SYNTAX.test(path);
}

export function isKnownField(path: string, known: readonly string[]): boolean {
  for (const k of known) {
    if (k.endsWith('.') ? path.startsWith(k) : path === k) return true;
  }
  return false;
}
