import http from 'node:http';
import https from 'node:https';
import { DockerApiError, type DockerEndpoint } from '../docker/client.js';

/**
 * Stats requests on an agent of their own: dockerd 20.10 answers `stats?stream=0&one-shot=1` at its
 * stats collector's next 1 s tick, so the requests of one round must be in flight together (up to
 * `stats.concurrency`) or a round of 50 containers takes longer than the interval; DockerClient's
 * pooled agent allows 8 sockets, shared with the rest of the collector. GET only, like DockerClient.
 */
export class StatsHttp {
  private readonly agent: http.Agent;

  constructor(private readonly endpoint: DockerEndpoint, maxSockets: number) {
    const secure = 'baseUrl' in endpoint && endpoint.baseUrl.protocol === 'https:';
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** GET a JSON document. */
  async getJson<T>(path: string, query: Record<string, string>, timeoutMs: number): Promise<T> {
    const res = await request(this.endpoint, this.agent, path, query, timeoutMs, undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
    } catch {
      throw new DockerApiError(`GET ${path}: answer is not JSON`, res.statusCode, 'EBADJSON');
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * GET a long-lived streaming answer on a connection of its own. The `stream` mode holds one
 * `stats?stream=1` connection per running container, more than DockerClient's pooled agent allows
 * (8 sockets), so these go through a pool-less agent. GET only, like DockerClient.
 */
export function openStream(endpoint: DockerEndpoint, path: string, query: Record<string, string>, signal: AbortSignal, headerTimeoutMs: number): Promise<http.IncomingMessage> {
  return request(endpoint, false, path, query, headerTimeoutMs, signal);
}

function request(endpoint: DockerEndpoint, agent: http.Agent | false, path: string, query: Record<string, string>, headerTimeoutMs: number, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const qs = new URLSearchParams(query).toString();
  const fullPath = `${path}${qs ? `?${qs}` : ''}`;
  const secure = 'baseUrl' in endpoint && endpoint.baseUrl.protocol === 'https:';
  const opts: http.RequestOptions = {
    method: 'GET',
    path: 'socketPath' in endpoint ? fullPath : `${endpoint.baseUrl.pathname.replace(/\/$/, '')}${fullPath}`,
    agent,
    headers: { Accept: 'application/json', Host: 'docker' },
    signal,
    ...('socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.baseUrl.hostname, port: endpoint.baseUrl.port || undefined }),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? https.request : http.request)(opts, (res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve(res);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let message = Buffer.concat(chunks).toString('utf8').trim();
        try {
          message = (JSON.parse(message) as { message?: string }).message ?? message;
        } catch {
          // keep the raw text
        }
        reject(new DockerApiError(`GET ${path}: HTTP ${status}: ${message.slice(0, 300)}`, status, undefined));
      });
    });
    const timer = setTimeout(() => req.destroy(new DockerApiError(`GET ${path}: no answer within ${headerTimeoutMs} ms`, undefined, 'ETIMEDOUT')), headerTimeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err instanceof DockerApiError ? err : new DockerApiError(`GET ${path}: ${err.code ?? err.message}`, undefined, err.code));
    });
    req.end();
  });
}
