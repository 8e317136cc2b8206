import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A loopback Docker engine for benchmarks: answers /info, an empty container list and inspect,
 * and replays a fixed list of event lines on /events (then keeps the stream open, as dockerd does).
 */
export async function startFakeEngine(lines: string[]): Promise<{ socket: string; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swfake-'));
  const socket = path.join(dir, 'engine.sock');
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/info') return json(res, { ID: 'FAKE:ENGINE', ServerVersion: 'bench', SystemTime: new Date(Date.UTC(2026, 0, 1)).toISOString() });
    if (url.pathname === '/containers/json') return json(res, []);
    const m = /^\/containers\/([^/]+)\/json$/.exec(url.pathname);
    if (m) return json(res, { Id: m[1], Name: `/c-${m[1]!.slice(0, 6)}`, Config: { Image: 'nginx:1.25', Labels: {} }, Image: 'sha256:00', HostConfig: { NetworkMode: 'bridge' }, Mounts: [] });
    if (url.pathname === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      open.add(res);
      // Written in large chunks, as a busy engine's socket buffer would deliver them.
      const chunk = 2000;
      let i = 0;
      const pump = () => {
        while (i < lines.length) {
          const ok = res.write(`${lines.slice(i, i + chunk).join('\n')}\n`);
          i += chunk;
          if (!ok) return res.once('drain', pump);
        }
        if (url.searchParams.has('until')) res.end();
      };
      pump();
      return;
    }
    res.writeHead(404).end('{"message":"not here"}');
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    close: async () => {
      for (const r of open) r.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function json(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A replay corpus shaped like a busy host: container lifecycle, execs, image and network events. */
export function syntheticDockerLines(n: number, startNanos = 1767225600000000000n): string[] {
  const out: string[] = [];
  const containers = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(64, 'c'));
  const kinds = [
    (id: string) => ({ Type: 'container', Action: 'exec_start: /bin/sh -c ps aux', Actor: { ID: id, Attributes: { execID: 'e'.repeat(64), image: 'nginx:1.25', name: `c-${id.slice(0, 6)}`, 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } } }),
    (id: string) => ({ Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { image: 'nginx:1.25', name: `c-${id.slice(0, 6)}`, 'com.docker.compose.project': 'shop' } } }),
    (id: string) => ({ Type: 'container', Action: 'die', Actor: { ID: id, Attributes: { exitCode: '1', image: 'nginx:1.25', name: `c-${id.slice(0, 6)}` } } }),
    (id: string) => ({ Type: 'network', Action: 'connect', Actor: { ID: 'n'.repeat(64), Attributes: { container: id, name: 'bridge', type: 'bridge' } } }),
    () => ({ Type: 'image', Action: 'pull', Actor: { ID: 'nginx:1.25', Attributes: { name: 'nginx' } } }),
    (id: string) => ({ Type: 'container', Action: 'health_status: healthy', Actor: { ID: id, Attributes: { image: 'nginx:1.25', name: `c-${id.slice(0, 6)}` } } }),
  ];
  for (let i = 0; i < n; i += 1) {
    const nanos = startNanos + BigInt(i) * 1000n;
    const ev = kinds[i % kinds.length]!(containers[i % containers.length]!);
    const seconds = nanos / 1_000_000_000n;
    out.push(JSON.stringify({ ...ev, scope: 'local', time: Number(seconds) }).replace(/}$/, `,"timeNano":${nanos}}`));
  }
  return out;
}

/**
 * Runs the fake engine in its own process, as dockerd is one: the collector's core is then the
 * only thing the benchmark measures.
 */
export async function spawnFakeEngine(n: number): Promise<{ socket: string; close: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const args = ['--import', 'tsx', new URL(import.meta.url).pathname, String(n)];
  // On the other core when there is one: the benchmark itself is pinned to the first.
  const { existsSync } = await import('node:fs');
  const { availableParallelism } = await import('node:os');
  const pinned = availableParallelism() > 1 && existsSync('/usr/bin/taskset');
  const child = pinned
    ? spawn('/usr/bin/taskset', ['-c', String(availableParallelism() - 1), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const socket = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const m = /^ready (\S+)$/m.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fake engine exited with ${code}`)));
  });
  return {
    socket,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const engine = await startFakeEngine(syntheticDockerLines(Number(process.argv[2] ?? 100_000)));
  process.stdout.write(`ready ${engine.socket}\n`);
  process.on('SIGTERM', () => void engine.close().then(() => process.exit(0)));
}
