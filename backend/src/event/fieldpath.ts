// Dotted paths address nested event fields (`container.name`). Label keys contain dots themselves
// (`container.labels.com.docker.compose.project`), so a segment that is not a key is joined with the
// next ones until one is.

export type Accessor = (obj: unknown) => unknown;

export function getPath(obj: unknown, path: string): unknown {
  return lookup(obj, path.split('.'), 0);
}

function lookup(obj: unknown, parts: string[], from: number): unknown {
  let cur: unknown = obj;
  let i = from;
  while (i < parts.length) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const rec = cur as Record<string, unknown>;
    let key = parts[i]!;
    let j = i;
    while (!Object.prototype.hasOwnProperty.call(rec, key) && j + 1 < parts.length) {
      j += 1;
      key = `${key}.${parts[j]}`;
    }
    if (!Object.prototype.hasOwnProperty.call(rec, key)) return undefined;
    cur = rec[key];
    i = j + 1;
  }
  return cur;
}

/** A reusable accessor; the common one-to-three-segment paths avoid the general walk. */
export function compilePath(path: string): Accessor {
  const parts = path.split('.');
  if (parts.length === 1) {
    const [a] = parts as [string];
    return (o) => (o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, a) ? (o as Record<string, unknown>)[a] : undefined);
  }
  return (o) => lookup(o, parts, 0);
}

/** Sets a dotted path, creating the objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const k = parts[i]!;
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      cur[k] = created;
      cur = created;
    } else {
      cur = next as Record<string, unknown>;
    }
  }
  cur[parts[parts.length - 1]!] = value;
}
