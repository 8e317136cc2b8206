// A request body is cut into the elements of its one big array (EventList.items, or a top-level
// array) by a byte scanner, and each element is decoded and parsed on its own, for three reasons:
// - A body parsed as one string makes V8 allocate that string (and its decoding) in the
//   large-object space once it passes ~128 KiB: measured here, a 140 KB body decodes 60 times
//   slower per byte than a 120 KB one, half of it in page faults, and the API server's default
//   audit batch (--audit-webhook-batch-max-size 400) is ~400 KB. Small pieces avoid that.
// - Each element's own text is then at hand, and the store writes it instead of serializing the
//   parsed audit Event again (event/json.ts): at 100-event batches the split costs ~1.5 µs more
//   per event than one JSON.parse and saves 2-7 µs of JSON.stringify (measured).
// - A batch waits for its turn as compact strings, each parsed just before its event is made:
//   as parsed objects, the later parts of a 400-event batch were copied by every scavenge that
//   ran meanwhile, and promoted.
//
// splitBody's value, once parseInPlace has parsed its elements, is exactly JSON.parse(body) or
// nothing: the rest of the body is parsed with an empty array in place of the big one, each
// element by JSON.parse, and whatever the scanner is not sure of (escaped keys, `items` twice, no
// such array) makes it give up, so the caller parses the whole body and answers with the same
// error when it is not JSON. The webhook parses the elements itself, one at a time, and rejects
// one that is not JSON on its own.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const ITEMS = Buffer.from('"items"');

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(buf: Buffer, i: number): number {
  while (isSpace(buf[i])) i += 1;
  return i;
}

/** Index after the string that opens at `i`, or -1 when it does not end. */
function skipString(buf: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, from);
    if (q < 0) return -1;
    let slashes = 0;
    for (let b = q - 1; buf[b] === BACKSLASH; b -= 1) slashes += 1;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/**
 * Walks the value that starts at `i` (after whitespace). For an array, `spans` (when given)
 * receives the [start, end) byte ranges between its top-level commas. Returns the index after
 * the value, or -1. Brackets are only counted, not matched: JSON.parse checks each piece later.
 */
function skipValue(buf: Buffer, i: number, spans?: number[]): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i);
  if (c !== OPEN_OBJ && c !== OPEN_ARR) {
    while (i < buf.length) {
      const d = buf[i]!;
      if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || isSpace(d)) break;
      i += 1;
    }
    return i;
  }
  let depth = 0;
  let start = i + 1;
  for (let k = i + 1; k < buf.length; k += 1) {
    const d = buf[k]!;
    if (d === QUOTE) {
      k = skipString(buf, k) - 1;
      if (k < 0) return -1;
    } else if (d === OPEN_OBJ || d === OPEN_ARR) {
      depth += 1;
    } else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
      if (depth === 0) {
        if (spans && (spans.length > 0 || skipSpace(buf, start) < k)) spans.push(start, k);
        return k + 1;
      }
      depth -= 1;
    } else if (d === COMMA && depth === 0 && spans) {
      spans.push(start, k);
      start = k + 1;
    }
  }
  return -1;
}

/** Where the big array is: [its first byte, the byte after it, the element spans]. */
function locate(buf: Buffer): [number, number, number[]] | undefined {
  const spans: number[] = [];
  const first = skipSpace(buf, 0);
  if (buf[first] === OPEN_ARR) {
    const end = skipValue(buf, first, spans);
    return end < 0 ? undefined : [first, end, spans];
  }
  if (buf[first] !== OPEN_OBJ) return undefined;
  let found: [number, number] | undefined;
  let i = skipSpace(buf, first + 1);
  while (buf[i] === QUOTE) {
    const keyEnd = skipString(buf, i);
    if (keyEnd < 0) return undefined;
    const slash = buf.indexOf(BACKSLASH, i);
    if (slash >= 0 && slash < keyEnd) return undefined; // an escaped key could spell `items`
    const isItems = keyEnd - i === ITEMS.length && buf.compare(ITEMS, 0, ITEMS.length, i, keyEnd) === 0;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== COLON) return undefined;
    i = skipSpace(buf, i + 1);
    if (isItems) {
      if (found || buf[i] !== OPEN_ARR) return undefined;
      const end = skipValue(buf, i, spans);
      if (end < 0) return undefined;
      found = [i, end];
      i = end;
    } else {
      i = skipValue(buf, i);
      if (i < 0) return undefined;
    }
    i = skipSpace(buf, i);
    if (buf[i] !== COMMA) break;
    i = skipSpace(buf, i + 1);
  }
  return found ? [found[0], found[1], spans] : undefined;
}

/**
 * The value of a body whose value is an array or an object with an `items` array, with that
 * array's elements left as their JSON texts (`texts` is that array, inside `value`); the rest of
 * the body is parsed. Undefined when the scanner gives up or the rest is not valid JSON. The
 * caller parses each element when it needs it, so a large batch waits as compact strings rather
 * than as object graphs that every scavenge would copy.
 */
export function splitBody(buf: Buffer): { value: unknown; texts: string[] } | undefined {
  const where = locate(buf);
  if (!where) return undefined;
  const [start, end, spans] = where;
  let rest: unknown;
  try {
    rest = JSON.parse(`${buf.toString('utf8', 0, start)}[]${buf.toString('utf8', end)}`) as unknown;
  } catch {
    return undefined;
  }
  const texts = new Array<string>(spans.length / 2);
  for (let k = 0; k < spans.length; k += 2) texts[k / 2] = buf.toString('utf8', spans[k], spans[k + 1]);
  if (Array.isArray(rest)) return { value: texts, texts };
  // `rest` is the object with an empty array where `items` was (its only `items` key).
  (rest as { items: unknown }).items = texts;
  return { value: rest, texts };
}

/** Replaces each JSON text of the array by its value; false (the array half done) when one is not JSON. */
export function parseInPlace(texts: unknown[]): boolean {
  try {
    for (let i = 0; i < texts.length; i += 1) texts[i] = JSON.parse(texts[i] as string);
    return true;
  } catch {
    return false;
  }
}

/** The lines of a body (NDJSON), each decoded on its own for the same reason. */
export function bodyLines(buf: Buffer): string[] {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, from);
    lines.push(buf.toString('utf8', from, nl < 0 ? buf.length : nl));
    if (nl < 0) return lines;
    from = nl + 1;
  }
}
