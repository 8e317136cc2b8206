// The byte cap of a container log line, shared by the Docker log source (docker-logs/lines.ts) and
// the Kubernetes pod log source (k8s-pod-logs/cri.ts): pieces are joined up to `cap` bytes, the
// rest is read and dropped, and the line is cut on a UTF-8 character boundary.

const NL = 10;
const CR = 13;

/**
 * A log line being assembled from pieces (partial messages), kept up to a byte cap: the rest is
 * counted and dropped, and the line flagged truncated. The first piece is borrowed from the chunk
 * it is in until `retain()` (call it before that chunk's memory is reused or released).
 */
export class CappedLine {
  active = false;
  kept = 0;
  total = 0;
  truncated = false;
  private bBuf: Buffer | undefined;
  private bStart = 0;
  private bEnd = 0;
  private parts: Buffer[] = [];

  add(buf: Buffer, start: number, end: number, cap: number): void {
    this.active = true;
    const len = end - start;
    this.total += len;
    const keep = Math.min(len, cap - this.kept);
    if (keep < len) this.truncated = true;
    if (keep <= 0) return;
    if (this.bBuf === undefined && this.parts.length === 0) {
      this.bBuf = buf;
      this.bStart = start;
      this.bEnd = start + keep;
    } else {
      this.retain();
      this.parts.push(buf.subarray(start, start + keep));
    }
    this.kept += keep;
  }

  /** Called when the chunk the borrowed piece points into is about to go. */
  retain(): void {
    if (this.bBuf !== undefined) {
      this.parts.push(this.bBuf.subarray(this.bStart, this.bEnd));
      this.bBuf = undefined;
    }
  }

  /** The line's text: without its newline (and a `\r` before it), cut on a UTF-8 boundary when truncated. */
  text(hasNewline: boolean): string {
    let buf: Buffer;
    let start: number;
    let end: number;
    if (this.bBuf !== undefined) {
      buf = this.bBuf;
      start = this.bStart;
      end = this.bEnd;
    } else if (this.parts.length === 1) {
      buf = this.parts[0]!;
      start = 0;
      end = buf.length;
    } else {
      buf = Buffer.concat(this.parts, this.kept);
      start = 0;
      end = buf.length;
    }
    if (hasNewline && !this.truncated && end > start && buf[end - 1] === NL) end -= 1;
    if (!this.truncated && end > start && buf[end - 1] === CR) end -= 1;
    if (this.truncated) end = utf8Boundary(buf, start, end);
    return buf.toString('utf8', start, end);
  }

  reset(): void {
    this.active = false;
    this.kept = 0;
    this.total = 0;
    this.truncated = false;
    this.bBuf = undefined;
    this.parts = [];
  }
}

/** The end of the last whole UTF-8 character in `buf[start, end)`. */
export function utf8Boundary(buf: Buffer, start: number, end: number): number {
  let i = end - 1;
  let back = 0;
  while (i >= start && back < 4 && (buf[i]! & 0xc0) === 0x80) {
    i -= 1;
    back += 1;
  }
  if (i < start) return end;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return end - i >= need ? end : i;
}

