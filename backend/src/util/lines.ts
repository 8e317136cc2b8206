import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines without awaiting anything, so a reader never falls behind its
 * producer because of work done per line. A line longer than `maxLine` is passed on cut at the
 * limit and flagged; the rest of it, up to its newline, is skipped.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string, truncated: boolean) => void,
    private readonly maxLine = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      if (this.skipping) {
        this.skipping = false;
      } else {
        const line = text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
        if (line.length > 0) this.onLine(line, false);
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.pending = text.slice(start);
    if (this.skipping) {
      this.pending = '';
    } else if (this.pending.length > this.maxLine) {
      this.onLine(this.pending.slice(0, this.maxLine), true);
      this.pending = '';
      this.skipping = true;
    }
  }

  /** Whatever is left without a final newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.length > 0 && !this.skipping) this.onLine(rest, false);
    this.skipping = false;
  }
}
