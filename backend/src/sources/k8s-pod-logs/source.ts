import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ShipEvent } from '../../event/event.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import type { Store } from '../../sinks/store/store.js';
import { logLineToEvent } from '../../transforms/decode/index.js';
import { sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import { logMetrics, type LogMetrics } from '../docker-logs/metrics.js';
import { FileTail } from '../file-tail/tail.js';
import { CriAssembler, type CriLine, type CriResume } from './cri.js';
import { parsePodDir, podLogFile, type PodLogFile } from './path.js';

/** Checkpoint keys: `k8s.pod_logs:<namespace>_<pod>_<uid>/<container>/<N>.log`. */
const KEY_PREFIX = 'k8s.pod_logs:';
/** Set once the first scan of this node's logs is done: files without a position are new after that. */
const SESSION_KEY = 'k8s.pod_logs.session';
/** Scans a file must be missing from before it is dropped (a rename rotation leaves the path empty for a moment). */
const MISSING_SCANS = 2;
/** Bytes read at once from a file; the store commits each chunk's events before the next read. */
const READ_CHUNK = 256 * 1024;
const WARN_EVERY_MS = 10_000;

export interface PodLogSourceOptions {
  /** The kubelet's pod log directory (k8s.pod_logs_dir). */
  root: string;
  store: Store;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  nodeName: string;
  /** Longest line kept (logs.max_line_bytes): the rest is dropped and the event flagged `log.truncated`. */
  maxLineBytes: number;
  pollMs: number;
  rescanMs: number;
  initialPosition: 'end' | 'beginning';
  maxFiles: number;
}

export interface PodLogSourceStatus {
  enabled: true;
  root: string;
  state: 'starting' | 'waiting' | 'following' | 'stopped';
  pods: number;
  files: number;
  /** Log files found beyond k8s.pod_logs_max_files, not followed. */
  files_over_limit: number;
  lines: number;
  bytes: number;
  truncated: number;
  /** File lines that are not CRI log entries (skipped). */
  bad_lines: number;
  rotations: number;
  errors: number;
  last_error?: string;
}

/** One followed log file. */
class Followed {
  readonly key: string;
  readonly label: string;
  readonly context: Record<string, unknown>;
  readonly cri: CriAssembler;
  readonly tail: FileTail;
  missing = 0;
  lastError: string | undefined;

  constructor(readonly file: PodLogFile, src: PodLogSource, o: PodLogSourceOptions, buffer: Buffer, startAt: 'end' | 'beginning') {
    this.key = `${KEY_PREFIX}${file.rel}`;
    this.label = `${file.namespace}/${file.pod}/${file.container}`;
    // DESIGN.md §3: the same `log.*` as a Docker container's lines, with the pod's identity. The
    // runtime's container id is not in the path: container.id is the pod uid and the container name,
    // stable across restarts, as the kubelet source sets it for the container's samples.
    this.context = {
      host: { name: o.hostName },
      container: { id: `${file.uid}/${file.container}`, name: file.container },
      k8s: { namespace: file.namespace, pod: file.pod, pod_uid: file.uid, node: o.nodeName, container_restart: file.restart },
    };
    this.cri = new CriAssembler(o.maxLineBytes, {
      line: (l, resume) => src.emitLine(this, l, resume),
      malformed: (reason, offset) => src.bad(this, `not a CRI log entry: ${reason}`, offset),
    });
    // A file line is one CRI entry: the runtime cuts lines at 16 KiB by default; a runtime set to
    // longer entries still fits, a line beyond 4 times the cap (at least 1 MiB) is skipped and counted.
    const maxEntry = Math.max(1024 * 1024, o.maxLineBytes * 4);
    this.tail = new FileTail({
      path: path.join(o.root, file.rel), key: this.key, store: o.store, emitter: o.emitter, log: o.log,
      what: `the log of ${this.label} (restart ${file.restart})`, startAt, maxLineBytes: maxEntry, buffer,
      consumer: {
        begin: (_f, resumed) => this.cri.begin(resumed?.extra),
        line: (data, s, e, start, end) => this.cri.entry(data, s, e, start, end),
        tooLong: (start) => src.bad(this, `entry longer than ${maxEntry} bytes`, start),
        finish: () => this.cri.finish(this.tail.offset ?? 0),
      },
      onRotation: () => src.rotated(),
    });
  }
}

/**
 * Pod logs of this node (node mode, issue 5 part 3): every CRI log file under the kubelet's
 * `/var/log/pods` is followed (FileTail: rotation by rename and copytruncate, new `N.log` after a
 * restart), its entries joined into lines (CriAssembler), and each line emitted as a decoded log
 * event with the pod's identity; the file position rides with the events, so what the store
 * committed is never read again and nothing else is skipped.
 *
 * New pods are found by scanning every `k8s.pod_logs_rescan` and when fs.watch reports a change of
 * the root (a hint: it misses changes below the root and on some file systems everything).
 */
export class PodLogSource {
  private readonly abort = new AbortController();
  private readonly followed = new Map<string, Followed>();
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK);
  private readonly m: LogMetrics;
  private loop: Promise<void> | undefined;
  private watcher: fs.FSWatcher | undefined;
  private dirty = true;
  private scans = 0;
  private firstRun = false;
  private state: PodLogSourceStatus['state'] = 'starting';
  private pods = 0;
  private overLimit = 0;
  private totals = { lines: 0, bytes: 0, truncated: 0, bad_lines: 0, rotations: 0, errors: 0 };
  private lastError: string | undefined;
  private lastWarn = 0;
  private nextScan = 0;

  constructor(private readonly o: PodLogSourceOptions) {
    this.m = logMetrics(o.metrics.registry);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; what was emitted is committed before it resolves. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const f of this.followed.values()) f.tail.halt();
    this.watcher?.close();
    await this.loop;
    for (const f of this.followed.values()) await f.tail.close();
    await this.o.emitter.flush();
    this.state = 'stopped';
  }

  status(): PodLogSourceStatus {
    const s: PodLogSourceStatus = {
      enabled: true, root: this.o.root, state: this.state, pods: this.pods, files: this.followed.size, files_over_limit: this.overLimit, ...this.totals,
    };
    if (this.lastError) s.last_error = this.lastError;
    return s;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await this.round();
      await sleep(this.o.pollMs, signal);
    }
  }

  /** One turn of the loop: a scan when one is due, then one look at every followed file. */
  async round(): Promise<void> {
    if (this.dirty || Date.now() >= this.nextScan) await this.scan();
    for (const f of [...this.followed.values()]) {
      if (this.abort.signal.aborted) return;
      await this.pollFile(f);
    }
  }

  private async pollFile(f: Followed): Promise<void> {
    try {
      await f.tail.poll();
      f.lastError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      this.totals.errors += 1;
      this.m.errors.inc({ reason: 'read' });
      this.lastError = `${f.file.rel}: ${message}`;
      if (f.lastError !== message) this.o.log.warn({ file: f.file.rel, err: message }, 'cannot read a pod log file; retrying');
      f.lastError = message;
    }
  }

  /** Finds the log files under the root: new ones are followed, gone ones dropped. */
  async scan(): Promise<void> {
    this.dirty = false;
    this.nextScan = Date.now() + this.o.rescanMs;
    this.watch();
    let podDirs: string[];
    try {
      podDirs = await fsp.readdir(this.o.root);
    } catch (err) {
      const message = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${this.o.root} does not exist` : (err as Error).message;
      if (this.state !== 'waiting') this.o.log.warn({ root: this.o.root, err: message }, 'pod log directory not readable; waiting for it');
      this.state = 'waiting';
      this.lastError = message;
      return;
    }
    const found = new Map<string, PodLogFile>();
    let pods = 0;
    for (const dir of podDirs) {
      if (!parsePodDir(dir)) continue;
      pods += 1;
      for (const container of await readdirOrEmpty(path.join(this.o.root, dir))) {
        for (const name of await readdirOrEmpty(path.join(this.o.root, dir, container))) {
          const file = podLogFile(dir, container, name);
          if (file) found.set(file.rel, file);
        }
      }
    }
    this.pods = pods;
    this.scans += 1;
    if (this.scans === 1) await this.firstScan(found);
    let over = 0;
    for (const [rel, file] of found) {
      const f = this.followed.get(rel);
      if (f) {
        f.missing = 0;
        continue;
      }
      if (this.followed.size >= this.o.maxFiles) {
        over += 1;
        continue;
      }
      // On the very first start, what is there already starts at pod_logs_initial_position; every
      // file found later (a new pod, a restart) was never read: from its start.
      const startAt = this.scans === 1 && this.firstRun ? this.o.initialPosition : 'beginning';
      this.followed.set(rel, new Followed(file, this, this.o, this.buffer, startAt));
    }
    if (over > 0 && over !== this.overLimit) this.o.log.warn({ over, max: this.o.maxFiles }, 'more pod log files than k8s.pod_logs_max_files: some are not followed');
    this.overLimit = over;
    for (const [rel, f] of this.followed) {
      if (found.has(rel)) continue;
      f.missing += 1;
      if (f.missing >= MISSING_SCANS) await this.retire(f);
    }
    if (this.state !== 'stopped') this.state = 'following';
  }

  /** The first scan of this start: positions of files gone while stopped are dropped. */
  private async firstScan(found: Map<string, PodLogFile>): Promise<void> {
    this.firstRun = this.o.store.position(SESSION_KEY) === undefined;
    const gone = this.o.store.positionKeys(KEY_PREFIX).filter((k) => !found.has(k.slice(KEY_PREFIX.length)));
    for (const k of gone) this.o.store.deletePosition(k);
    if (gone.length > 0) this.o.log.info({ files: gone.length }, 'positions of pod log files removed while stopped dropped');
    this.o.store.savePosition({ key: SESSION_KEY, value: new Date().toISOString() });
    this.o.log.info({ root: this.o.root, files: found.size, first_run: this.firstRun }, 'following pod logs');
  }

  /** A file gone from the directory (pod deleted, old restart cleaned up): read what is left, then forget it. */
  private async retire(f: Followed): Promise<void> {
    await this.pollFile(f);
    f.cri.finish(f.tail.offset ?? 0);
    await this.o.emitter.flush();
    await f.tail.close();
    this.followed.delete(f.file.rel);
    this.o.store.deletePosition(f.key);
    const labels = { container: f.label };
    this.m.lines.remove(labels);
    this.m.bytes.remove(labels);
    this.m.truncated.remove(labels);
    this.m.lag.remove(labels);
  }

  private watch(): void {
    if (this.watcher || this.abort.signal.aborted) return;
    try {
      this.watcher = fs.watch(this.o.root, { persistent: false }, () => {
        this.dirty = true;
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // The root is not there yet, or the file system cannot be watched: polling finds it.
    }
  }

  // ---- called by the files ------------------------------------------------------------------

  emitLine(f: Followed, l: CriLine, resume: CriResume): void {
    const ev: ShipEvent = logLineToEvent({ message: l.message, stream: l.stream, time: l.time, truncated: l.truncated }, { context: f.context });
    this.o.emitter.emit(ev, f.tail.checkpoint(resume.offset, resume.extra));
    this.totals.lines += 1;
    this.totals.bytes += l.bytes;
    const labels = { container: f.label };
    this.m.lines.inc(labels);
    this.m.bytes.inc(labels, l.bytes);
    if (l.truncated) {
      this.totals.truncated += 1;
      this.m.truncated.inc(labels);
    }
    this.m.lag.set(labels, Math.max(0, Date.now() / 1000 - Date.parse(l.time) / 1000));
  }

  bad(f: Followed, reason: string, offset: number): void {
    this.totals.bad_lines += 1;
    this.o.metrics.malformedTotal.inc({ source: 'k8s_pod_logs' });
    this.m.errors.inc({ reason: 'malformed' });
    const now = Date.now();
    const fields = { file: f.file.rel, offset, reason };
    if (now - this.lastWarn >= WARN_EVERY_MS) {
      this.lastWarn = now;
      this.o.log.warn(fields, 'skipped a line of a pod log file');
    } else {
      this.o.log.debug(fields, 'skipped a line of a pod log file');
    }
  }

  rotated(): void {
    this.totals.rotations += 1;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch {
    return []; // removed between the listing and now, or not a directory
  }
}
