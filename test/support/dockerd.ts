import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The image every test container runs: busybox-static imported as a one-layer image. */
export const TEST_IMAGE = 'swtest/busybox:1';

export interface Dockerd {
  dir: string;
  socket: string;
  host: string;
  pid: () => number;
  /** Runs the docker CLI against this engine; resolves with its trimmed stdout. */
  docker: (...args: string[]) => Promise<string>;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stops the engine and removes its data. */
  destroy: () => Promise<void>;
}

function need(binary: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    const p = path.join(dir, binary);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${binary} not found: install Debian's ${pkg} (scripts/test-deps.sh does)`);
}

/**
 * Starts a private dockerd (vfs storage, no iptables, no default bridge) on a socket in a temp
 * dir, with the busybox test image imported. Containers must run with `--network none`.
 */
export async function startDockerd(): Promise<Dockerd> {
  const dockerdBin = need('dockerd', 'docker.io');
  need('docker', 'docker.io');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) throw new Error('busybox not found: install Debian\'s busybox-static');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swd-'));
  const socket = path.join(dir, 'd.sock');
  const host = `unix://${socket}`;
  let proc: ChildProcess | undefined;
  const logFile = path.join(dir, 'dockerd.log');

  const docker = async (...args: string[]) => {
    const r = await run('docker', ['-H', host, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOCKER_CONFIG: path.join(dir, 'cli') } });
    return r.stdout.trim();
  };

  const start = async () => {
    const log = fs.openSync(logFile, 'a');
    proc = spawn(dockerdBin, [
      '--storage-driver=vfs', '--iptables=false', '--ip6tables=false', '--bridge=none', '--shutdown-timeout=2',
      '-H', host, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'x'), '--pidfile', path.join(dir, 'd.pid'),
    ], { stdio: ['ignore', log, log], detached: false });
    fs.closeSync(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`dockerd exited with ${proc.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        await docker('version', '--format', '{{.Server.Version}}');
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`dockerd did not answer within 30 s: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };

  await start();
  const images = await docker('images', '-q', TEST_IMAGE);
  if (!images) {
    const root = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
    for (const applet of ['sh', 'ash', 'ls', 'cat', 'echo', 'sleep', 'yes', 'dd', 'true', 'false', 'head', 'seq', 'sha1sum', 'wc']) {
      fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    await run('sh', ['-c', `tar -C "${root}" -c . | docker -H ${host} import --change 'ENV PATH=/bin' - ${TEST_IMAGE}`]);
  }
  return {
    dir, socket, host, docker, start, stop,
    pid: () => proc?.pid ?? 0,
    destroy: async () => {
      await stop();
      await run('rm', ['-rf', dir]).catch(() => undefined);
    },
  };
}
