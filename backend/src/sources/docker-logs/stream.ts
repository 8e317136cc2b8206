// A GET-only HTTP/1.1 client for the engine's long log streams.
//
// dockerd flushes every log message as its own HTTP chunk, so Node's http client hands out one
// 'data' event (and one Buffer) per line, which costs as much as the rest of reading the line.
// This reader parses the status line, headers and chunked encoding itself and hands on the body
// of each socket read at once: one 'data' per read (up to 64 KiB, hundreds of lines), the chunk
// payloads copied next to each other when there are several. GET only, like DockerClient.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { DockerApiError, type DockerEndpoint } from '../docker/client.js';

/** What a follower reads a log from (the subset of IncomingMessage it uses). */
export interface LogStream {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'end' | 'close', fn: () => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  pause(): this;
  resume(): this;
  destroy(): void;
}

const MAX_HEAD = 64 * 1024;
const CR = 13;
const LF = 10;

const enum State { Head, Size, SizeExt, SizeLf, Data, DataCr, DataLf, Trailer, Length, UntilClose, Done }

/**
 * The response side of HTTP/1.1, fed with what the socket reads: head, then a body in chunked
 * encoding, with a Content-Length, or up to the end of the connection.
 */
export class ResponseParser {
  statusCode = 0;
  headers: Record<string, string> = {};
  private state = State.Head;
  private head: Buffer[] = [];
  private headLen = 0;
  private size = 0;
  private remaining = 0;
  private trailerLineLen = 0;
  private readonly out: Buffer[] = [];
  private outLen = 0;

  constructor(private readonly cb: { head(): void; body(chunk: Buffer): void; end(): void; error(err: Error): void }) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the body runs until the connection closes (no length, not chunked). */
  get untilClose(): boolean {
    return this.state === State.UntilClose;
  }

  feed(buf: Buffer): void {
    let i = 0;
    const n = buf.length;
    while (i < n && this.state !== State.Done) {
      switch (this.state) {
        case State.Head: {
          i = this.readHead(buf, i);
          break;
        }
        case State.Size: {
          const c = buf[i]!;
          i += 1;
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (v >= 0) {
            this.size = this.size * 16 + v;
            if (this.size > 0x7fffffff) return this.fail('chunk size too large');
          } else if (c === CR) this.state = State.SizeLf;
          else if (c === 59 /* ; */ || c === 32 || c === 9) this.state = State.SizeExt;
          else return this.fail(`bad chunk size byte 0x${c.toString(16)}`);
          break;
        }
        case State.SizeExt: {
          const cr = buf.indexOf(CR, i);
          if (cr < 0) i = n;
          else {
            i = cr + 1;
            this.state = State.SizeLf;
          }
          break;
        }
        case State.SizeLf: {
          if (buf[i] !== LF) return this.fail('bad chunk size line');
          i += 1;
          if (this.size === 0) {
            this.state = State.Trailer;
            this.trailerLineLen = 0;
          } else {
            this.remaining = this.size;
            this.state = State.Data;
          }
          this.size = 0;
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          this.take(buf, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.DataCr;
          break;
        }
        case State.DataCr:
          if (buf[i] !== CR) return this.fail('chunk not followed by CRLF');
          i += 1;
          this.state = State.DataLf;
          break;
        case State.DataLf:
          if (buf[i] !== LF) return this.fail('chunk not followed by CRLF');
          i += 1;
          this.state = State.Size;
          break;
        case State.Trailer: {
          // trailer lines, up to an empty line
          const c = buf[i]!;
          i += 1;
          if (c === LF) {
            if (this.trailerLineLen === 0) {
              this.flushOut();
              this.state = State.Done;
              this.cb.end();
              return;
            }
            this.trailerLineLen = 0;
          } else if (c !== CR) this.trailerLineLen += 1;
          break;
        }
        case State.Length: {
          const take = Math.min(this.remaining, n - i);
          this.take(buf, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.flushOut();
            this.state = State.Done;
            this.cb.end();
            return;
          }
          break;
        }
        case State.UntilClose:
          this.take(buf, i, n);
          i = n;
          break;
        default:
          i = n;
      }
    }
    this.flushOut();
  }

  /** The connection ended. */
  close(): void {
    if (this.state === State.UntilClose) {
      this.flushOut();
      this.state = State.Done;
      this.cb.end();
    }
  }

  private take(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.out.push(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    this.outLen += end - start;
  }

  private flushOut(): void {
    if (this.outLen === 0) return;
    const chunk = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outLen);
    this.out.length = 0;
    this.outLen = 0;
    this.cb.body(chunk);
  }

  private readHead(buf: Buffer, i: number): number {
    // Find the blank line, looking back into what was kept for a CRLFCRLF split across reads.
    const prev = this.headLen;
    this.head.push(i === 0 ? buf : buf.subarray(i));
    this.headLen += buf.length - i;
    const all = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head, this.headLen);
    const from = Math.max(0, prev - 3);
    const end = all.indexOf('\r\n\r\n', from, 'latin1');
    if (end < 0) {
      if (this.headLen > MAX_HEAD) this.fail('response head too large');
      this.head = [all];
      return buf.length;
    }
    const lines = all.toString('latin1', 0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!m) {
      this.fail(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
      return buf.length;
    }
    this.statusCode = Number(m[1]);
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.head = [];
    const consumedFromBuf = end + 4 - prev; // bytes of `buf` (from i) that belong to the head
    const te = this.headers['transfer-encoding'];
    const cl = this.headers['content-length'];
    if (te && /chunked/i.test(te)) this.state = State.Size;
    else if (cl !== undefined && /^\d+$/.test(cl)) {
      this.remaining = Number(cl);
      this.state = State.Length;
    } else this.state = State.UntilClose;
    this.cb.head();
    if (this.state === State.Length && this.remaining === 0) {
      this.state = State.Done;
      this.cb.end();
    }
    return i + consumedFromBuf;
  }

  private fail(reason: string): void {
    this.state = State.Done;
    this.cb.error(new Error(`HTTP: ${reason}`));
  }
}

class Response extends EventEmitter implements LogStream {
  statusCode = 0;
  headers: Record<string, string> = {};
  /** What arrived before anyone listened for 'data' (the body that came with the head). */
  private queued: { kind: 'data' | 'end' | 'close'; chunk?: Buffer }[] | undefined = [];

  constructor(private readonly socket: net.Socket) {
    super();
  }

  override on(event: string | symbol, fn: (...args: never[]) => void): this {
    super.on(event, fn as (...args: unknown[]) => void);
    if (event === 'data' && this.queued) process.nextTick(() => this.release());
    return this;
  }

  deliver(kind: 'data' | 'end' | 'close', chunk?: Buffer): void {
    if (this.queued) this.queued.push({ kind, chunk });
    else if (kind === 'data') this.emit('data', chunk);
    else this.emit(kind);
  }

  private release(): void {
    const q = this.queued;
    if (!q) return;
    this.queued = undefined;
    for (const item of q) {
      if (item.kind === 'data') this.emit('data', item.chunk);
      else this.emit(item.kind);
    }
  }

  pause(): this {
    this.socket.pause();
    return this;
  }

  resume(): this {
    this.socket.resume();
    return this;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * GET `path?query` and resolve once the response head arrived with a 2xx status; other statuses
 * reject with DockerApiError (status and the engine's message), like DockerClient.
 */
export function streamGet(endpoint: DockerEndpoint, path: string, query: Record<string, string>, signal?: AbortSignal, headerTimeoutMs = 10_000): Promise<LogStream> {
  const qs = new URLSearchParams(query).toString();
  const base = 'baseUrl' in endpoint ? endpoint.baseUrl.pathname.replace(/\/$/, '') : '';
  const target = `${base}${path}${qs ? `?${qs}` : ''}`;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DockerApiError(`GET ${path}: aborted`, undefined, 'ABORT_ERR'));
    let socket: net.Socket;
    if ('socketPath' in endpoint) socket = net.connect({ path: endpoint.socketPath });
    else if (endpoint.baseUrl.protocol === 'https:') socket = tls.connect({ host: endpoint.baseUrl.hostname, port: Number(endpoint.baseUrl.port || 443), servername: endpoint.baseUrl.hostname });
    else socket = net.connect({ host: endpoint.baseUrl.hostname, port: Number(endpoint.baseUrl.port || 80) });
    const res = new Response(socket);
    let headed = false;
    let ended = false;
    let errorBody: Buffer[] | undefined;
    const onAbort = () => socket.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => socket.destroy(new DockerApiError(`GET ${path}: no answer within ${headerTimeoutMs} ms`, undefined, 'ETIMEDOUT')), headerTimeoutMs);
    const failHead = (err: Error) => {
      clearTimeout(timer);
      reject(err instanceof DockerApiError ? err : new DockerApiError(`GET ${path}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, undefined, (err as NodeJS.ErrnoException).code));
    };
    const rejectStatus = () => {
      const text = Buffer.concat(errorBody ?? []).toString('utf8');
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // keep the raw text
      }
      failHead(new DockerApiError(`GET ${path}: HTTP ${parser.statusCode}: ${message.slice(0, 300)}`, parser.statusCode, undefined));
    };
    const parser = new ResponseParser({
      head: () => {
        res.statusCode = parser.statusCode;
        res.headers = parser.headers;
        if (parser.statusCode >= 200 && parser.statusCode < 300) {
          headed = true;
          clearTimeout(timer);
          resolve(res);
        } else errorBody = [];
      },
      body: (chunk) => {
        if (errorBody) {
          if (errorBody.length < 64) errorBody.push(Buffer.from(chunk));
        } else res.deliver('data', chunk);
      },
      end: () => {
        ended = true;
        if (errorBody) {
          rejectStatus();
          socket.destroy();
        } else res.deliver('end');
      },
      error: (err) => socket.destroy(err),
    });
    // Written at once: the socket queues it until connected (and, for TLS, until the handshake).
    socket.write(`GET ${target} HTTP/1.1\r\nHost: docker\r\nUser-Agent: shipwatch\r\nAccept: application/vnd.docker.multiplexed-stream, application/vnd.docker.raw-stream, application/json\r\nConnection: close\r\n\r\n`, 'latin1');
    socket.on('data', (chunk: Buffer) => parser.feed(chunk));
    socket.on('end', () => {
      parser.close();
      socket.end();
    });
    socket.on('error', (err) => {
      if (!headed) return failHead(err);
      if (!signal?.aborted && res.listenerCount('error') > 0) res.emit('error', err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!headed) {
        if (errorBody && !ended) return rejectStatus();
        return failHead(new DockerApiError(`GET ${path}: connection closed before an answer`, undefined, signal?.aborted ? 'ABORT_ERR' : 'ECONNRESET'));
      }
      res.deliver('close');
    });
  });
}
