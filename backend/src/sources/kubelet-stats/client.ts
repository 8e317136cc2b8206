import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

// GET of the kubelet's summary with the pod's service-account token. The token file is read at
// every request: projected service-account tokens are rotated by the kubelet (about hourly).

/** Largest summary accepted (a node with hundreds of pods answers a few MiB). */
export const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

export interface KubeletClientOptions {
  url: string;
  tokenFile: string;
  caFile: string;
  insecure: boolean;
  timeoutMs: number;
}

/** An answer of the kubelet that is not the summary, said the way an operator can act on. */
export class KubeletError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'KubeletError';
  }
}

export class KubeletClient {
  private readonly url: URL;
  private agent: https.Agent | http.Agent | undefined;
  private agentCa: string | undefined;

  constructor(private readonly o: KubeletClientOptions) {
    this.url = new URL(o.url);
  }

  /** The parsed JSON body of one summary request. */
  async summary(): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = await this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const agent = await this.agentFor();
    const text = await this.get(headers, agent, token !== undefined);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new KubeletError(`${this.o.url}: the answer is not JSON (${(err as Error).message})`);
    }
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** The token, or undefined when the file does not exist (a plain-HTTP test kubelet, say). */
  private async token(): Promise<string | undefined> {
    try {
      const t = (await fs.readFile(this.o.tokenFile, 'utf8')).trim();
      return t || undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new KubeletError(`k8s.kubelet_token_file ${this.o.tokenFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  private async agentFor(): Promise<http.Agent> {
    if (this.url.protocol === 'http:') return (this.agent ??= new http.Agent({ keepAlive: true, maxSockets: 1 }));
    let ca: string | undefined;
    if (!this.o.insecure) {
      try {
        ca = await fs.readFile(this.o.caFile, 'utf8');
      } catch (err) {
        throw new KubeletError(`k8s.kubelet_ca_file ${this.o.caFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)}); set k8s.kubelet_insecure=true to skip verifying the kubelet's certificate`);
      }
    }
    if (this.agent && this.agentCa === ca) return this.agent;
    this.agent?.destroy();
    this.agentCa = ca;
    // The kubelet's serving certificate names the node, rarely the address used: the name is checked
    // only when verifying at all, as kubectl does.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca ? { ca } : {}), rejectUnauthorized: !this.o.insecure });
    return this.agent;
  }

  private get(headers: Record<string, string>, agent: http.Agent, withToken: boolean): Promise<string> {
    const mod = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.get(this.url, { headers, agent, timeout: this.o.timeoutMs }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_SUMMARY_BYTES) {
            req.destroy(new KubeletError(`${this.o.url}: summary larger than ${MAX_SUMMARY_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (status === 200) return resolve(body);
          const detail = body.trim().slice(0, 200);
          if (status === 401) return reject(new KubeletError(`${this.o.url}: 401 Unauthorized (${withToken ? `the token of ${this.o.tokenFile} was refused` : `no token: ${this.o.tokenFile} does not exist`})`, status));
          if (status === 403) return reject(new KubeletError(`${this.o.url}: 403 Forbidden (the service account needs "get" on "nodes/stats"): ${detail}`, status));
          reject(new KubeletError(`${this.o.url}: HTTP ${status}: ${detail}`, status));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new KubeletError(`${this.o.url}: no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof KubeletError ? err : new KubeletError(`${this.o.url}: ${err.message}`)));
    });
  }
}
