import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'backend/src/cli.ts');

export interface RunningCollector {
  url: string;
  token: string;
  storeDir: string;
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
  get: <T = unknown>(p: string, token?: string | null) => Promise<{ status: number; body: T }>;
  post: <T = unknown>(p: string, body: unknown, token?: string | null) => Promise<{ status: number; body: T }>;
  put: <T = unknown>(p: string, body: unknown, token?: string | null) => Promise<{ status: number; body: T }>;
  request: <T = unknown>(method: string, p: string, body?: unknown, token?: string | null) => Promise<{ status: number; body: T }>;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill9: () => Promise<void>;
  waitForLog: (pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
}

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** Starts the collector CLI as a child process on a free port. */
export async function startCollector(opts: { env?: Record<string, string>; storeDir?: string; args?: string[] } = {}): Promise<RunningCollector> {
  const storeDir = opts.storeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sws-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SHIPWATCH_API_LISTEN: '127.0.0.1:0',
    SHIPWATCH_API_TOKEN: TEST_TOKEN,
    SHIPWATCH_STORE_PATH: storeDir,
    SHIPWATCH_LOG_LEVEL: 'debug',
    ...opts.env,
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...(opts.args ?? [])], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  let errText = '';
  let outBuf = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    outBuf += chunk;
    let nl;
    while ((nl = outBuf.indexOf('\n')) >= 0) {
      const line = outBuf.slice(0, nl);
      outBuf = outBuf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
      for (const l of listeners.slice()) l();
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (errText += c));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(pred);
        if (hit) {
          cleanup();
          resolve(hit);
        }
      };
      const t = setTimeout(() => {
        cleanup();
        reject(new Error(`log line not seen within ${timeoutMs} ms; stderr: ${errText.slice(-1500)}; last logs: ${JSON.stringify(logs.slice(-5))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(t);
        const i = listeners.indexOf(check);
        if (i >= 0) listeners.splice(i, 1);
      };
      void exited.then(() => {
        if (!logs.find(pred)) {
          cleanup();
          reject(new Error(`collector exited before the log line; stderr: ${errText.slice(-1500)}`));
        }
      });
      listeners.push(check);
      check();
    });

  const started = await waitForLog((l) => l.msg === 'shipwatch collector started');
  const url = `http://${String(started.api)}`;
  const token = env.SHIPWATCH_API_TOKEN || fs.readFileSync(path.join(storeDir, 'api-token'), 'utf8').trim();
  const request = async <T>(method: string, p: string, body: unknown, tok: string | null | undefined) => {
    const headers: Record<string, string> = {};
    if (tok !== null) headers.Authorization = `Bearer ${tok ?? token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${url}${p}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T };
  };
  return {
    url, token, storeDir, proc, logs,
    stderr: () => errText,
    get: (p, tok) => request('GET', p, undefined, tok),
    post: (p, body, tok) => request('POST', p, body, tok),
    put: (p, body, tok) => request('PUT', p, body, tok),
    request: (method, p, body, tok) => request(method, p, body, tok),
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
    waitForLog,
  };
}

/** Polls until `fn` returns a value that is not undefined. */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
