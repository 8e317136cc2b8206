// The Docker multiplexed stream (`application/vnd.docker.multiplexed-stream`): what the logs
// endpoint sends for a container without a TTY. Each frame is an 8-byte header then the payload:
//
//   byte 0      stream: 0 stdin, 1 stdout, 2 stderr, 3 system error (the engine's own message)
//   bytes 1-3   zero
//   bytes 4-7   payload size, big-endian uint32
//
// docker-modem's demuxStream concatenates buffers and recurses per frame; this parser walks each
// chunk once with an index, hands out payload pieces as ranges of the chunk it came in (no copy),
// and keeps only up to 8 header bytes across chunk boundaries.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEM = 3;

export interface FrameHandler {
  /**
   * A piece of the current frame's payload: `buf[start, end)`. `first` marks the frame's first
   * piece, `last` its last (a frame that fits in one chunk comes as one piece with both set; a
   * zero-length frame as one empty piece with both set). The range is only valid during the call.
   */
  piece(stream: number, buf: Buffer, start: number, end: number, first: boolean, last: boolean): void;
}

/** A header that cannot be a Docker frame: the stream is not what we think it is. */
export class FrameError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'FrameError';
  }
}

export class FrameDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerLen = 0;
  private remaining = 0;
  private inFrame = false;
  private stream = 0;
  private firstPiece = false;
  /** Bytes taken so far, for error messages. */
  private offset = 0;
  private broken: FrameError | undefined;
  frames = 0;

  /** `maxFrame`: a larger size is taken for garbage rather than buffered. */
  constructor(
    private readonly handler: FrameHandler,
    private readonly maxFrame = 64 * 1024 * 1024,
  ) {}

  /** Feeds a chunk. Throws FrameError on a header that is not a frame; the demuxer stays broken. */
  push(chunk: Buffer): void {
    if (this.broken) throw this.broken;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (!this.inFrame) {
        let h: Buffer;
        let at: number;
        if (this.headerLen === 0 && n - i >= 8) {
          h = chunk;
          at = i;
          i += 8;
        } else {
          const take = Math.min(8 - this.headerLen, n - i);
          chunk.copy(this.header, this.headerLen, i, i + take);
          this.headerLen += take;
          i += take;
          if (this.headerLen < 8) break;
          h = this.header;
          at = 0;
          this.headerLen = 0;
        }
        const type = h[at]!;
        if (type > SYSTEM || h[at + 1] !== 0 || h[at + 2] !== 0 || h[at + 3] !== 0) {
          this.broken = new FrameError(`not a Docker stream frame header at byte ${this.offset + i - 8}: ${h.toString('hex', at, at + 8)}`, this.offset + i - 8);
          throw this.broken;
        }
        const size = h.readUInt32BE(at + 4);
        if (size > this.maxFrame) {
          this.broken = new FrameError(`frame of ${size} bytes at byte ${this.offset + i - 8} exceeds ${this.maxFrame}`, this.offset + i - 8);
          throw this.broken;
        }
        this.frames += 1;
        if (size === 0) {
          this.handler.piece(type, chunk, i, i, true, true);
          continue;
        }
        this.stream = type;
        this.remaining = size;
        this.inFrame = true;
        this.firstPiece = true;
      }
      const take = Math.min(this.remaining, n - i);
      this.remaining -= take;
      const last = this.remaining === 0;
      const first = this.firstPiece;
      this.firstPiece = false;
      if (last) this.inFrame = false;
      this.handler.piece(this.stream, chunk, i, i + take, first, last);
      i += take;
    }
    this.offset += n;
  }

  /** True when the stream ended in the middle of a frame or header. */
  get midFrame(): boolean {
    return this.inFrame || this.headerLen > 0;
  }
}
