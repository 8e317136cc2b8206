import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** A request body that cannot be taken, with the HTTP status to answer. */
export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate']);

/**
 * Reads a request body into one buffer, refusing (413) as soon as it is larger than `limit` bytes,
 * after decompression when it comes gzip- or deflate-encoded. A declared Content-Length over the
 * limit is refused before anything is read. The unread rest of a refused body is discarded.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  if (!ENCODINGS.has(enc)) return Promise.reject(new BodyError(415, `unsupported Content-Encoding "${enc}": send identity, gzip or deflate`));
  const declared = Number(req.headers['content-length']);
  if (enc === 'identity' && Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyError(413, `request body of ${declared} bytes is larger than the limit of ${limit} bytes (k8s.audit_max_body)`));
  }
  let source: Readable = req;
  let inflate: zlib.Inflate | zlib.Gunzip | undefined;
  if (enc !== 'identity') {
    inflate = enc === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    req.pipe(inflate);
    source = inflate;
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const cleanup = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (err: BodyError) => {
      if (done) return;
      done = true;
      cleanup();
      if (inflate) {
        req.unpipe(inflate);
        inflate.destroy();
      }
      req.resume(); // discard the rest
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(new BodyError(413, `request body larger than the limit of ${limit} bytes (k8s.audit_max_body)`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (done) return;
      done = true;
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(new BodyError(400, source === req ? `request body could not be read: ${err.message}` : `request body is not valid ${enc}: ${err.message}`));
    const onClose = () => {
      if (!req.complete) fail(new BodyError(400, 'the client closed the connection before the body was complete'));
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    req.on('close', onClose);
  });
}
