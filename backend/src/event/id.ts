// Event and alert ids: UUIDv7 (RFC 9562), one per event at up to hundreds of thousands a second.
// Made here rather than by the uuid package, which allocates three objects per id and refills a
// 256-byte pool from the CSPRNG every 16 ids (a getrandom call that cost the audit webhook ~4 µs
// per event, measured). Within one millisecond a 12-bit counter (rand_a, RFC 9562 §6.2 method 1)
// keeps ids in creation order and unique; the random bits (rand_b) are drawn once per millisecond
// and keep ids of different collectors apart. An id is then the millisecond's text around the
// counter's three hex digits: formatting every id from fresh random bytes took a quarter of
// turning a log line into an event (CPU profile of the log pipeline).

import { randomFillSync } from 'node:crypto';

const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
/** Character codes of the two hex digits of each byte value: HEX2[2b], HEX2[2b + 1]. */
const HEX2 = new Uint8Array(512);
for (let b = 0; b < 256; b += 1) {
  const s = b.toString(16).padStart(2, '0');
  HEX2[2 * b] = s.charCodeAt(0);
  HEX2[2 * b + 1] = s.charCodeAt(1);
}

const pool = new Uint8Array(4096);
let poolAt = pool.length;
let lastMs = -1;
let counter = 0;
/** `xxxxxxxx-xxxx-7` and `-Vxxx-xxxxxxxxxxxx` of the current millisecond. */
let head = '';
let tail = '';
const text = Buffer.alloc(36, 45 /* - */);

function randomByte(): number {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

function hexByte(at: number, b: number): void {
  text[at] = HEX2[2 * b]!;
  text[at + 1] = HEX2[2 * b + 1]!;
}

/** Text of a new millisecond: its time, fresh random bits, the counter started low. */
function startMillisecond(ms: number, startCounter: number): void {
  lastMs = ms;
  counter = startCounter;
  const hi = Math.floor(ms / 0x10000);
  const lo = ms % 0x10000;
  hexByte(0, (hi >>> 24) & 0xff);
  hexByte(2, (hi >>> 16) & 0xff);
  hexByte(4, (hi >>> 8) & 0xff);
  hexByte(6, hi & 0xff);
  hexByte(9, (lo >>> 8) & 0xff);
  hexByte(11, lo & 0xff);
  text[14] = 0x37; // version 7
  hexByte(19, 0x80 | (randomByte() & 0x3f)); // variant 10
  hexByte(21, randomByte());
  for (let at = 24; at < 36; at += 2) hexByte(at, randomByte());
  head = text.toString('latin1', 0, 15);
  tail = text.toString('latin1', 18, 36);
}

/** A UUIDv7 for `nowMs` (default: now). */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    // Start low in the 12-bit space so many ids fit in the same millisecond.
    startMillisecond(nowMs, ((randomByte() & 0x07) << 8) | randomByte());
  } else {
    counter += 1;
    // Out of counter space: borrow the next millisecond rather than lose the order.
    if (counter > 0xfff) startMillisecond(lastMs + 1, 0);
  }
  return head + HEX3[counter]! + tail;
}
