import http from 'node:http';
import https from 'node:https';

/** Where the engine listens: a unix socket path or an http(s) base URL. */
export type DockerEndpoint = { socketPath: string } | { baseUrl: URL };

export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

/**
 * `unix:///run/docker.sock`, `/run/docker.sock`, `tcp://host:2375`, `http://…`, `https://…`.
 * Rootless Docker and Podman's Docker-compatible socket are plain unix paths.
 */
export function parseDockerEndpoint(text: string): DockerEndpoint {
  if (text.startsWith('unix://')) return { socketPath: text.slice('unix://'.length) };
  if (text.startsWith('/')) return { socketPath: text };
  if (text.startsWith('tcp://')) return { baseUrl: new URL(`http://${text.slice('tcp://'.length)}`) };
  if (text.startsWith('http://') || text.startsWith('https://')) return { baseUrl: new URL(text) };
  throw new Error(`docker.socket: ${JSON.stringify(text)} is not a unix socket path or a tcp/http(s) URL`);
}

export function describeEndpoint(e: DockerEndpoint): string {
  return 'socketPath' in e ? `unix://${e.socketPath}` : e.baseUrl.origin;
}

/**
 * A Docker Engine API client that can only GET: the collector reads the engine and must never be
 * able to change it, so write verbs are not expressible here (and a socket proxy can enforce it).
 */
export class DockerClient {
  private readonly agent: http.Agent;

  constructor(readonly endpoint: DockerEndpoint) {
    const Agent = 'baseUrl' in endpoint && endpoint.baseUrl.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** GET a JSON document. */
  async getJson<T>(path: string, query: Record<string, string> = {}, timeoutMs = 10_000): Promise<T> {
    const res = await this.open(path, query, timeoutMs);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new DockerApiError(`GET ${path}: answer is not JSON`, res.statusCode, 'EBADJSON');
    }
  }

  /**
   * GET a streaming answer (events, logs, stats). The timeout covers the answer's headers only;
   * the stream itself stays open until the engine or `signal` ends it.
   */
  stream(path: string, query: Record<string, string> = {}, signal?: AbortSignal, headerTimeoutMs = 10_000): Promise<http.IncomingMessage> {
    return this.open(path, query, headerTimeoutMs, signal);
  }

  private open(path: string, query: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams(query).toString();
    const fullPath = `${path}${qs ? `?${qs}` : ''}`;
    const e = this.endpoint;
    const opts: http.RequestOptions = {
      method: 'GET',
      path: 'socketPath' in e ? fullPath : `${e.baseUrl.pathname.replace(/\/$/, '')}${fullPath}`,
      agent: this.agent,
      headers: { Accept: 'application/json', Host: 'docker' },
      signal,
      ...('socketPath' in e ? { socketPath: e.socketPath } : { host: e.baseUrl.hostname, port: e.baseUrl.port || undefined }),
    };
    const request = 'baseUrl' in e && e.baseUrl.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(opts, (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let message = text.trim();
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? message;
          } catch {
            // keep the raw text
          }
          reject(new DockerApiError(`GET ${path}: HTTP ${status}: ${message.slice(0, 300)}`, status, undefined));
        });
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new DockerApiError(`GET ${path}: no answer within ${timeoutMs} ms`, undefined, 'ETIMEDOUT')), timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(err instanceof DockerApiError ? err : new DockerApiError(`GET ${path}: ${err.code ?? err.message}`, undefined, err.code));
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
