import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { LokiConfig } from './config.js';

export interface PushResponse {
  status: number;
  /** Milliseconds to wait from a `Retry-After` header, when present and valid. */
  retryAfterMs?: number;
  /** The start of the response body (for logging a rejection). */
  body: string;
}

/** A push that never got an HTTP answer. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly reason: 'network' | 'timeout' | 'aborted',
  ) {
    super(message);
  }
}

const MAX_ERROR_BODY = 1024;

/** `<url>/loki/api/v1/push`, unless the URL already is the push endpoint. */
export function pushUrl(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/loki/api/v1/push')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/loki/api/v1/push`;
  return url;
}

/** The URL without credentials, for logs and health. */
export function redactUrl(base: string): string {
  try {
    const url = new URL(base);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '(invalid url)';
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A minimal Loki push client over Node's http/https: one keep-alive connection, a deadline per
 * request, auth and tenant headers, TLS files read once at start.
 */
export class LokiPushClient {
  readonly url: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly cfg: LokiConfig) {
    this.url = pushUrl(cfg.url!);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
      'User-Agent': 'shipwatch-collector',
    };
    if (cfg.tenant_id) headers['X-Scope-OrgID'] = cfg.tenant_id;
    const user = cfg.username ?? (this.url.username ? decodeURIComponent(this.url.username) : undefined);
    const pass = cfg.password ?? (this.url.password ? decodeURIComponent(this.url.password) : undefined);
    if (cfg.bearer_token) headers.Authorization = `Bearer ${cfg.bearer_token}`;
    else if (user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user}:${pass ?? ''}`).toString('base64')}`;
    this.url.username = '';
    this.url.password = '';
    this.headers = headers;
    if (this.url.protocol === 'https:') {
      this.transport = https;
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 1,
        ca: cfg.tls_ca_file ? fs.readFileSync(cfg.tls_ca_file) : undefined,
        cert: cfg.tls_cert_file ? fs.readFileSync(cfg.tls_cert_file) : undefined,
        key: cfg.tls_key_file ? fs.readFileSync(cfg.tls_key_file) : undefined,
        rejectUnauthorized: !cfg.tls_insecure_skip_verify,
      });
    } else {
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    }
  }

  /** POSTs one gzip-compressed JSON push body. Throws PushError when no HTTP answer came. */
  push(body: Buffer, signal?: AbortSignal): Promise<PushResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: PushError | null, res?: PushResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const req = this.transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'Content-Length': String(body.length) },
      });
      const timer = setTimeout(() => {
        finish(new PushError(`no answer within ${this.cfg.timeout_ms} ms`, 'timeout'));
        req.destroy();
      }, this.cfg.timeout_ms);
      const onAbort = () => {
        finish(new PushError('aborted', 'aborted'));
        req.destroy();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => finish(new PushError(err.message, 'network')));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Keep only the start of an error body; read (and discard) the rest to reuse the socket.
          if (!ok && size < MAX_ERROR_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish(null, {
            status,
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
            body: text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text,
          });
        });
        res.on('error', (err) => finish(new PushError(err.message, 'network')));
        res.on('aborted', () => finish(new PushError('response aborted', 'network')));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
