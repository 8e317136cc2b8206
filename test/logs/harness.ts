import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ShipEvent } from '../../backend/src/event/event.js';
import { nanosToRfc3339, rfc3339ToNanos } from '../../backend/src/event/time.js';
import { CollectorMetrics } from '../../backend/src/metrics/registry.js';
import { Pipeline } from '../../backend/src/pipeline/pipeline.js';
import { Store } from '../../backend/src/sinks/store/store.js';
import { DockerClient, parseDockerEndpoint } from '../../backend/src/sources/docker/client.js';
import { DockerLogSource, logsConfigSchema, type LogsConfigInput } from '../../backend/src/sources/docker-logs/index.js';
import { createLogger, silentLogger } from '../../backend/src/util/log.js';
import type { Dockerd } from '../support/dockerd.js';

const run = promisify(execFile);

export interface RunningSource {
  dir: string;
  store: Store;
  pipeline: Pipeline;
  source: DockerLogSource;
  metrics: CollectorMetrics;
  client: DockerClient;
  /** stop(), flush, close the store. */
  stop: () => Promise<void>;
}

/** The log source on a real Store and Pipeline in `dir` (a new temp dir by default), pointed at `host`. */
export function openSource(host: string, opts: { dir?: string; cfg?: LogsConfigInput; verbose?: boolean } = {}): RunningSource {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'swlogs-'));
  const metrics = new CollectorMetrics();
  const log = opts.verbose || process.env.SHIPWATCH_TEST_VERBOSE ? createLogger('debug') : silentLogger();
  const store = new Store({ path: dir, maxAgeMs: 30 * 86_400_000, maxBytes: 4 * 1024 ** 3, metrics });
  const pipeline = new Pipeline({ store, metrics, log });
  const client = new DockerClient(parseDockerEndpoint(host));
  const source = new DockerLogSource({
    client, store, emitter: pipeline, metrics, log, hostName: 'test-host', cfg: logsConfigSchema.parse(opts.cfg ?? {}), reconnectMaxMs: 2000,
  });
  source.start();
  return {
    dir, store, pipeline, source, metrics, client,
    stop: async () => {
      await source.stop();
      await pipeline.flush();
      client.close();
      store.close();
    },
  };
}

export interface LogEvent extends ShipEvent {
  container: { id: string; name: string; image: string; labels: Record<string, string>; compose?: { project?: string; service?: string } };
  log: { stream: 'stdout' | 'stderr'; message: string; format: string; truncated?: boolean; [k: string]: unknown };
}

/** Every stored log event of a container (by name or id), oldest first (time, then insertion). */
export function storedLines(store: Store, container?: string): LogEvent[] {
  const out: LogEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = store.events({ source: 'log', container, limit: 5000, cursor });
    out.push(...(page.items as LogEvent[]));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out.reverse();
}

export interface TruthLine {
  time: string;
  stream: 'stdout' | 'stderr';
  message: string;
}

/** `docker logs --timestamps`: what the engine itself has for a container, stdout and stderr apart. */
export async function engineLines(d: Dockerd, name: string): Promise<TruthLine[]> {
  const r = await run('docker', ['-H', d.host, 'logs', '--timestamps', name], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, DOCKER_CONFIG: path.join(d.dir, 'cli') } });
  const parse = (text: string, stream: 'stdout' | 'stderr') => text.split('\n').filter((l) => l.length > 0).map((l) => {
    const sp = l.indexOf(' ');
    const n = rfc3339ToNanos(l.slice(0, sp));
    if (n === undefined) throw new Error(`docker logs: no timestamp in ${JSON.stringify(l.slice(0, 80))}`);
    return { time: nanosToRfc3339(n), stream, message: withoutFragmentTimes(l.slice(sp + 1).replace(/\r$/, '')) };
  });
  return [...parse(r.stdout, 'stdout'), ...parse(r.stderr, 'stderr')];
}

const FRAGMENT = 16 * 1024;
const FRAGMENT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) /;

/**
 * A line longer than 16 KiB reaches the engine as partial fragments, and `docker logs --timestamps`
 * prints each later fragment's own timestamp in the middle of the line: the line the container
 * wrote is the fragments without those.
 */
function withoutFragmentTimes(message: string): string {
  let out = '';
  let rest = message;
  while (rest.length > FRAGMENT) {
    const time = FRAGMENT_TIME.exec(rest.slice(FRAGMENT));
    if (!time) break;
    out += rest.slice(0, FRAGMENT);
    rest = rest.slice(FRAGMENT + time[0].length);
  }
  return out + rest;
}

/** A canonical, sortable key of a line: time, stream, message. */
export function lineKey(l: { time: string; stream: string; message: string }): string {
  return `${l.time}|${l.stream}|${l.message}`;
}

export function keyOf(e: LogEvent): string {
  return lineKey({ time: e.event.time, stream: e.log.stream, message: e.log.message });
}

export { duplicates } from '../support/events.js';
export { eventually as until } from '../support/collector.js';
