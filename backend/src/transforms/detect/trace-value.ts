// Traces and descriptions show what a field held without copying a hostile event: long strings
// are cut, big arrays sampled, objects summarized, and nothing recurses over the event.

const MAX_STRING = 512;
const MAX_ITEMS = 20;

export function summarizeValue(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}… (${v.length} chars)` : v;
  if (Array.isArray(v)) {
    const head = v.slice(0, MAX_ITEMS).map((x) => (x !== null && typeof x === 'object' ? summarizeObject(x) : summarizeValue(x)));
    if (v.length > MAX_ITEMS) head.push(`… (${v.length} items)`);
    return head;
  }
  if (v !== null && typeof v === 'object') return summarizeObject(v);
  return v;
}

function summarizeObject(o: object): string {
  if (Array.isArray(o)) return `[array of ${o.length}]`;
  let n = 0;
  for (const _ in o) {
    n += 1;
    if (n > 10_000) break;
  }
  return `{object with ${n > 10_000 ? 'over 10000' : n} keys}`;
}
