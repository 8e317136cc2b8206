// Builders of what dockerd's logs endpoint sends, for the tests and the benchmark.

/** One multiplexed frame: 8-byte header (stream, 0, 0, 0, size BE) and the payload. */
export function frame(stream: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

/** `2026-01-02T03:04:05.123456789Z` for second `s` (of 2026-01-02T03:04:00Z) and nanosecond `ns`. */
export function stamp(s: number, ns: number): string {
  const base = Date.UTC(2026, 0, 2, 3, 4, 0) / 1000 + s;
  return `${new Date(base * 1000).toISOString().slice(0, 19)}.${String(ns).padStart(9, '0')}Z`;
}

/**
 * The messages dockerd writes for one line with `timestamps=1`: split into partials of `partial`
 * bytes (each with the line's time), the last ending with `\n`.
 */
export function messages(time: string, line: string, partial = 16 * 1024, newline = '\n'): Buffer[] {
  const bytes = Buffer.from(line + newline);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += partial) out.push(Buffer.concat([Buffer.from(`${time} `), bytes.subarray(i, i + partial)]));
  return out;
}

/** A multiplexed stream (no TTY) of `(stream, time, line)`. */
export function framed(lines: [number, string, string][], partial = 16 * 1024): Buffer {
  return Buffer.concat(lines.flatMap(([s, t, l]) => messages(t, l, partial).map((m) => frame(s, m))));
}

/** A raw stream (TTY) of `(time, line)`; lines end with `\r\n` as a terminal writes them. */
export function raw(lines: [string, string][], partial = 16 * 1024): Buffer {
  return Buffer.concat(lines.flatMap(([t, l]) => messages(t, l, partial, '\r\n')));
}

/** Cuts a buffer into chunks of the given sizes (cycled). */
export function chop(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}
