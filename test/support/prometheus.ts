import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One series of an instant query: its labels and value. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
  /** Unix seconds of the evaluation. */
  time: number;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  dir: string;
  pid: number;
  /** Instant query (`/api/v1/query`) of a vector; throws on a query error. */
  query: (expr: string) => Promise<PromSample[]>;
  /** Polls a query until `pred` holds for its answer; resolves with that answer. */
  waitFor: (expr: string, pred: (r: PromSample[]) => boolean, timeoutMs?: number) => Promise<PromSample[]>;
  /** Scrape targets and their health (`/api/v1/targets`). */
  targets: () => Promise<{ scrapeUrl: string; health: string; lastError: string }[]>;
  /** SIGTERM by pid, wait for the exit, remove the storage. */
  stop: () => Promise<void>;
  log: () => string;
}

export interface PrometheusOptions {
  /** `host:port` targets scraped at `/metrics`. */
  targets: string[];
  /** Seconds between scrapes (default 1). */
  scrapeIntervalSeconds?: number;
  metricsPath?: string;
}

const BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** A free TCP port on the loopback interface (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real Prometheus (Debian's `prometheus` package) on a free loopback port with a
 * generated config that scrapes the given targets every second, storage in a temp dir.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} not found: install Debian's prometheus package (scripts/test-deps.sh does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swprom-'));
  const every = opts.scrapeIntervalSeconds ?? 1;
  const config = [
    'global:',
    `  scrape_interval: ${every}s`,
    `  scrape_timeout: ${every}s`,
    `  evaluation_interval: ${every}s`,
    'scrape_configs:',
    '  - job_name: shipwatch',
    `    metrics_path: ${JSON.stringify(opts.metricsPath ?? '/metrics')}`,
    '    static_configs:',
    `      - targets: ${JSON.stringify(opts.targets)}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const logFile = path.join(dir, 'prometheus.log');

  let port = 0;
  let proc: ChildProcess | undefined;
  for (let attempt = 0; attempt < 3 && !proc; attempt++) {
    port = await freePort();
    const out = fs.openSync(logFile, 'a');
    const p = spawn(BIN, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=info',
    ], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (p.exitCode !== null) break; // port taken meanwhile, or a bad flag: try again, then report
      try {
        const r = await fetch(`${url}/-/ready`);
        if (r.ok) {
          proc = p;
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        p.kill('SIGKILL');
        throw new Error(`prometheus not ready within 30 s: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!proc) throw new Error(`prometheus did not start: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
  const url = `http://127.0.0.1:${port}`;
  const running = proc;

  const query = async (expr: string): Promise<PromSample[]> => {
    const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? r.status}`);
    if (body.data!.resultType !== 'vector') throw new Error(`query ${expr}: a ${body.data!.resultType}, not a vector`);
    return body.data!.result.map((x) => ({ metric: x.metric, time: x.value[0], value: Number(x.value[1]) }));
  };

  return {
    url, dir, pid: running.pid!,
    query,
    waitFor: async (expr, pred, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: PromSample[] | undefined;
      let lastErr: unknown;
      for (;;) {
        try {
          last = await query(expr);
          if (pred(last)) return last;
        } catch (err) {
          lastErr = err;
        }
        if (Date.now() > deadline) throw new Error(`prometheus: ${expr} did not meet the condition within ${timeoutMs} ms; last answer ${JSON.stringify(last)}${lastErr ? `; last error ${String(lastErr)}` : ''}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    targets: async () => {
      const r = await fetch(`${url}/api/v1/targets`);
      const body = (await r.json()) as { data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] } };
      return body.data.activeTargets.map(({ scrapeUrl, health, lastError }) => ({ scrapeUrl, health, lastError }));
    },
    stop: async () => {
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        process.kill(running.pid!, 'SIGTERM');
        const t = setTimeout(() => running.exitCode === null && process.kill(running.pid!, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
    log: () => fs.readFileSync(logFile, 'utf8'),
  };
}
