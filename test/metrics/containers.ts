import { TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { eventually } from '../support/collector.js';

/**
 * The containers the metric tests measure:
 * - `busy`: a shell busy loop limited to half a CPU (`--cpus 0.5`), compose labels, a CPU threshold label of 20%;
 * - `mem`: 40 MB written into a tmpfs (not reclaimable, so part of the working set), `-m 256m`;
 * - `idle`: `sleep`.
 */
export async function startMetricContainers(d: Dockerd): Promise<{ busy: string; mem: string; idle: string }> {
  const busy = await d.docker('run', '-d', '--name', 'busy', '--network', 'none', '--cpus', '0.5',
    '--label', 'com.docker.compose.project=metrics', '--label', 'com.docker.compose.service=busy', '--label', 'shipwatch.threshold.cpu=20',
    TEST_IMAGE, 'sh', '-c', 'while :; do :; done');
  const mem = await d.docker('run', '-d', '--name', 'mem', '--network', 'none', '-m', '256m', '--tmpfs', '/data:size=100m',
    TEST_IMAGE, 'sh', '-c', 'dd if=/dev/zero of=/data/fill bs=1M count=40 2>/dev/null; echo filled; exec sleep 100000');
  const idle = await d.docker('run', '-d', '--name', 'idle', '--network', 'none', TEST_IMAGE, 'sleep', '100000');
  await eventually(async () => ((await d.docker('logs', 'mem')).includes('filled') ? true : undefined), 'the tmpfs filled');
  return { busy, mem, idle };
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1e3, MB: 1e6, GB: 1e9 };

function bytes(text: string): number {
  const m = /^([\d.]+)\s*([A-Za-z]+)$/.exec(text.trim());
  if (!m || UNITS[m[2]!] === undefined) throw new Error(`not a docker size: ${text}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Memory usage, limit and % as `docker stats --no-stream` shows them (the CLI's own computation). */
export async function dockerStatsMemory(d: Dockerd, name: string): Promise<{ usage: number; limit: number; percent: number }> {
  const line = await d.docker('stats', '--no-stream', '--format', '{{.MemUsage}}|{{.MemPerc}}', name);
  const [usage, limit] = line.split('|')[0]!.split('/');
  return { usage: bytes(usage!), limit: bytes(limit!), percent: Number(line.split('|')[1]!.replace('%', '')) };
}

/** The mean of the last `n` values, or undefined when there are fewer. */
export function meanOfWindow(values: number[], n: number): number | undefined {
  if (values.length < n) return undefined;
  return values.slice(-n).reduce((a, b) => a + b, 0) / n;
}
