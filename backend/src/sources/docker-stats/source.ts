import type { IncomingMessage } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import { newEventId, type ContainerFields, type ShipEvent } from '../../event/event.js';
import { nanosToRfc3339, rfc3339ToNanos } from '../../event/time.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { composeOf } from '../../transforms/normalize/docker.js';
import { sleep } from '../../util/backoff.js';
import { LineSplitter } from '../../util/lines.js';
import type { Logger } from '../../util/log.js';
import { DockerApiError, describeEndpoint, type DockerClient } from '../docker/client.js';
import { metricFields, newBaselines, thresholdsFor, type Baselines, type Thresholds } from './baseline.js';
import { countersOf, isCounterReset, isZeroedSample, sampleValues, type Counters, type DockerStats, type SampleValues } from './compute.js';
import type { StatsConfig } from './config.js';
import { openStream, StatsHttp } from './http.js';

/** What the source needs of a Docker client (DockerClient, or a fake in tests). */
export type StatsClient = Pick<DockerClient, 'getJson' | 'endpoint' | 'close'>;

export interface DockerStatsSourceOptions {
  client: StatsClient;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  cfg: StatsConfig;
  /** The collector's own container: its samples carry `container.is_collector = true` (rules skip it). */
  selfContainerId?: string;
  /**
   * How one-shot stats documents are fetched. Default: GET on `client.endpoint` through an agent of
   * the source's own with `cfg.concurrency` sockets (tests pass a fake).
   */
  getStats?: (path: string, query: Record<string, string>, timeoutMs: number) => Promise<unknown>;
}

/** One entry of `GET /containers/json`. */
interface ContainerSummary {
  Id: string;
  Names?: string[] | null;
  Image?: string;
  ImageID?: string;
  Labels?: Record<string, string> | null;
  State?: string;
}

interface InspectPart {
  State?: { StartedAt?: string; Running?: boolean };
  HostConfig?: { NanoCpus?: number; CpuQuota?: number; CpuPeriod?: number; CpuShares?: number; Memory?: number };
}

/** The last sample's numbers, for the API's container list (a type alias: assignable to its `MetricsLookup`). */
export type LatestMetrics = {
  cpu_percent?: number;
  memory_working_set_bytes: number;
  memory_limit_bytes: number;
  memory_percent?: number;
  network_rx_bytes_per_second?: number;
  network_tx_bytes_per_second?: number;
  pids?: number;
};

/** CPU limits from the container's configuration (cAdvisor's `container_spec_cpu_*`). */
export interface CpuSpec {
  /** CFS quota and period in microseconds, when the container has a CPU limit. */
  quota?: number;
  period?: number;
  shares: number;
}

/** A running container as the Prometheus exposition reads it: identity and its latest counters. */
export interface StatsContainer {
  /** Replaced (never mutated) when the name, image or labels change, so it can key a cache. */
  readonly identity: Readonly<ContainerFields> & { name: string; image: string; labels: Record<string, string> };
  /** Start of the current run, Unix seconds (from inspect; undefined until known). */
  readonly startedAt: number | undefined;
  readonly cpuSpec: CpuSpec | undefined;
  /** The latest sample's cumulative counters. */
  readonly counters: Counters;
  readonly values: SampleValues;
  /**
   * A container of a Kubernetes pod (kubelet source): the kubelet's labels and cAdvisor's cgroup
   * `id`. `container` is empty for the pod's own cgroup (network, pod totals).
   */
  readonly kubernetes?: { readonly namespace: string; readonly pod: string; readonly container: string; readonly cgroup: string };
}

export interface DockerStatsStatus {
  enabled: true;
  mode: StatsConfig['mode'];
  interval_ms: number;
  connected: boolean;
  endpoint: string;
  containers: number;
  samples: number;
  zeroed_skipped: number;
  restarts_seen: number;
  errors: number;
  last_sample_time?: string;
  last_round_ms?: number;
  last_error?: string;
}

interface Track {
  id: string;
  identity: StatsContainer['identity'];
  identityKey: string;
  thresholds: Thresholds;
  startedAt?: number;
  cpuSpec?: CpuSpec;
  inspecting: boolean;
  /** The previous sample of the current run (rates are taken against it). */
  last?: Counters;
  /** When it was taken (Date.now()): numbers older than 3 intervals are no longer shown. */
  sampledAt: number;
  values?: SampleValues;
  baselines: Baselines;
  stream?: { abort: AbortController; latest?: string; open: boolean };
}

/**
 * Container resource usage from the Docker engine: every running container is sampled once per
 * `stats.interval`; each sample updates the numbers the Prometheus exposition and the API read, and
 * is emitted as a `metric` event (with thresholds and the container's own baseline) for the
 * resource rules.
 */
export class DockerStatsSource {
  private readonly abort = new AbortController();
  private readonly tracks = new Map<string, Track>();
  private loop: Promise<void> | undefined;
  private hostMemory = 0;
  private needInfo = true;
  private readonly state: DockerStatsStatus;
  private readonly samplesTotal: Counter<'mode'>;
  private readonly roundSeconds: Histogram<'mode'>;
  private readonly warnedLabels = new Set<string>();
  private readonly http: StatsHttp | undefined;
  private readonly getStats: NonNullable<DockerStatsSourceOptions['getStats']>;

  constructor(private readonly o: DockerStatsSourceOptions) {
    this.state = {
      enabled: true, mode: o.cfg.mode, interval_ms: o.cfg.interval, connected: false, endpoint: describeEndpoint(o.client.endpoint),
      containers: 0, samples: 0, zeroed_skipped: 0, restarts_seen: 0, errors: 0,
    };
    const reg = o.metrics.registry;
    this.samplesTotal = (reg.getSingleMetric('shipwatch_stats_samples_total') as Counter<'mode'> | undefined) ?? new Counter({
      name: 'shipwatch_stats_samples_total', help: 'Container resource samples taken from the engine.', labelNames: ['mode'] as const, registers: [reg],
    });
    this.roundSeconds = (reg.getSingleMetric('shipwatch_stats_round_seconds') as Histogram<'mode'> | undefined) ?? new Histogram({
      name: 'shipwatch_stats_round_seconds', help: 'Time to sample every running container once.', labelNames: ['mode'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [reg as Registry],
    });
    o.metrics.sourceConnected.set({ source: 'docker_stats' }, 0);
    if (o.getStats) {
      this.getStats = o.getStats;
    } else {
      const h = (this.http = new StatsHttp(o.client.endpoint, o.cfg.concurrency));
      this.getStats = (path, query, timeoutMs) => h.getJson(path, query, timeoutMs);
    }
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.tracks.values()) t.stream?.abort.abort();
    await this.loop;
    this.http?.close();
    this.o.client.close();
  }

  status(): DockerStatsStatus {
    return { ...this.state, containers: this.tracks.size };
  }

  /** The last sample's numbers for a container (full id), or undefined when it has none (not running, not sampled yet). */
  latest(containerId: string): LatestMetrics | undefined {
    const t = this.tracks.get(containerId);
    const v = t && this.fresh(t) ? t.values : undefined;
    if (!v) return undefined;
    const out: LatestMetrics = { memory_working_set_bytes: v.memory_working_set_bytes, memory_limit_bytes: v.memory_limit_bytes };
    if (v.cpu_percent !== undefined) out.cpu_percent = v.cpu_percent;
    if (v.memory_percent !== undefined) out.memory_percent = v.memory_percent;
    if (v.network_rx_bytes_per_second !== undefined) out.network_rx_bytes_per_second = v.network_rx_bytes_per_second;
    if (v.network_tx_bytes_per_second !== undefined) out.network_tx_bytes_per_second = v.network_tx_bytes_per_second;
    if (v.pids !== undefined) out.pids = v.pids;
    return out;
  }

  /**
   * Running containers with a recent sample, for the Prometheus exposition. A container whose
   * samples stopped (the engine went away) drops out after 3 intervals rather than showing old numbers.
   */
  *containers(): IterableIterator<StatsContainer> {
    for (const t of this.tracks.values()) {
      if (t.last && t.values && this.fresh(t)) yield { identity: t.identity, startedAt: t.startedAt, cpuSpec: t.cpuSpec, counters: t.last, values: t.values };
    }
  }

  private fresh(t: Track): boolean {
    return Date.now() - t.sampledAt <= 3 * this.o.cfg.interval + this.o.cfg.request_timeout;
  }

  private async run(): Promise<void> {
    const { cfg, log } = this.o;
    const signal = this.abort.signal;
    let next = Date.now();
    while (!signal.aborted) {
      const t0 = performance.now();
      try {
        await this.poll();
        if (!this.state.connected) log.info({ endpoint: this.state.endpoint, mode: cfg.mode, interval_ms: cfg.interval }, 'docker stats sampling');
        this.setConnected(true);
        this.state.last_error = undefined;
      } catch (err) {
        if (signal.aborted) break;
        const message = err instanceof Error ? err.message : String(err);
        this.state.errors += 1;
        // As for the log source: the events source reports an engine that was never reached.
        if (this.state.connected) log.warn({ endpoint: this.state.endpoint, reason: message }, 'docker stats: engine lost; retrying every interval');
        else if (this.state.last_error === undefined) log.debug({ endpoint: this.state.endpoint, reason: message }, 'docker stats: engine not reachable; retrying every interval');
        this.state.last_error = message;
        this.setConnected(false);
        this.needInfo = true;
      }
      const ms = performance.now() - t0;
      this.state.last_round_ms = ms;
      this.roundSeconds.observe({ mode: cfg.mode }, ms / 1000);
      // One round per interval; a round that took longer (a slow engine) is followed at once.
      next += cfg.interval;
      const now = Date.now();
      if (next < now) next = now;
      await sleep(next - now, signal);
    }
    this.setConnected(false);
  }

  private setConnected(up: boolean): void {
    this.state.connected = up;
    this.o.metrics.sourceConnected.set({ source: 'docker_stats' }, up ? 1 : 0);
  }

  /** One round, as the loop runs it each interval: list the running containers, then take one sample of each. */
  async poll(): Promise<void> {
    const { client, cfg } = this.o;
    if (this.needInfo) {
      const info = await client.getJson<{ MemTotal?: number }>('/info', {}, cfg.request_timeout);
      this.hostMemory = typeof info.MemTotal === 'number' ? info.MemTotal : 0;
      this.needInfo = false;
    }
    const list = await client.getJson<ContainerSummary[]>('/containers/json', {}, cfg.request_timeout);
    if (!Array.isArray(list)) throw new Error('GET /containers/json: answer is not a list');
    this.sync(list);
    if (cfg.mode === 'stream') {
      for (const t of this.tracks.values()) {
        const line = t.stream?.latest;
        if (line !== undefined) {
          t.stream!.latest = undefined;
          this.ingestText(t, line);
        }
        if (!t.stream?.open) this.openStream(t);
      }
      return;
    }
    const queue = [...this.tracks.values()];
    const worker = async () => {
      for (let t = queue.pop(); t && !this.abort.signal.aborted; t = queue.pop()) await this.sampleOnce(t);
    };
    await Promise.all(Array.from({ length: Math.min(cfg.concurrency, queue.length) }, worker));
  }

  /** Follows the running set: new containers get a track, gone ones lose it (their series disappear). */
  private sync(list: ContainerSummary[]): void {
    const seen = new Set<string>();
    for (const c of list) {
      if (typeof c?.Id !== 'string') continue;
      seen.add(c.Id);
      const labels = c.Labels ?? {};
      const names = (c.Names ?? []).map((x) => x.replace(/^\//, ''));
      const name = names.find((x) => !x.includes('/')) ?? names[0] ?? '';
      const image = c.Image ?? '';
      const key = `${name}\u0000${image}\u0000${c.ImageID ?? ''}\u0000${JSON.stringify(labels)}`;
      let t = this.tracks.get(c.Id);
      if (t && t.identityKey === key) continue;
      const compose = composeOf(labels);
      const identity: StatsContainer['identity'] = { id: c.Id, name, image, image_id: c.ImageID ?? '', labels, ...(compose ? { compose } : {}), ...(c.Id === this.o.selfContainerId ? { is_collector: true } : {}) };
      const { thresholds, invalid } = thresholdsFor(labels, this.o.cfg);
      for (const bad of invalid) {
        if (this.warnedLabels.has(`${c.Id}${bad}`)) continue;
        this.warnedLabels.add(`${c.Id}${bad}`);
        this.o.log.warn({ container: name, label: bad }, 'docker stats: threshold label is not a positive number; the configured threshold applies');
      }
      if (t) {
        Object.assign(t, { identity, identityKey: key, thresholds });
      } else {
        const size = this.o.cfg.baseline_window;
        t = {
          id: c.Id, identity, identityKey: key, thresholds, inspecting: false, sampledAt: 0,
          baselines: newBaselines(size),
        };
        this.tracks.set(c.Id, t);
        void this.inspect(t);
      }
    }
    for (const [id, t] of this.tracks) {
      if (seen.has(id)) continue;
      t.stream?.abort.abort();
      this.tracks.delete(id);
    }
    this.state.containers = this.tracks.size;
  }

  /** Start time and CPU limits; on first sight and after each restart. */
  private async inspect(t: Track): Promise<void> {
    if (t.inspecting) return;
    t.inspecting = true;
    try {
      const i = await this.o.client.getJson<InspectPart>(`/containers/${encodeURIComponent(t.id)}/json`, {}, this.o.cfg.request_timeout);
      const started = i.State?.StartedAt ? rfc3339ToNanos(i.State.StartedAt) : undefined;
      t.startedAt = started !== undefined && started > 0n ? Number(started / 1000n) / 1e6 : undefined;
      const hc = i.HostConfig ?? {};
      const cpuSpec: CpuSpec = { shares: hc.CpuShares || 1024 };
      if (hc.NanoCpus) {
        cpuSpec.period = 100_000;
        cpuSpec.quota = Math.round(hc.NanoCpus / 10_000);
      } else if (hc.CpuQuota && hc.CpuQuota > 0) {
        cpuSpec.period = hc.CpuPeriod || 100_000;
        cpuSpec.quota = hc.CpuQuota;
      }
      t.cpuSpec = cpuSpec;
    } catch (err) {
      if (!(err instanceof DockerApiError && err.status === 404)) this.o.log.debug({ err: String(err), container: t.id }, 'docker stats: inspect failed');
    } finally {
      t.inspecting = false;
    }
  }

  private async sampleOnce(t: Track): Promise<void> {
    let raw: DockerStats;
    try {
      raw = (await this.getStats(`/containers/${encodeURIComponent(t.id)}/stats`, { stream: '0', 'one-shot': '1' }, this.o.cfg.request_timeout)) as DockerStats;
    } catch (err) {
      if (err instanceof DockerApiError && (err.status === 404 || err.status === 409)) return; // gone or not running since the list
      if (err instanceof DockerApiError && err.code === 'EBADJSON') {
        this.o.metrics.malformedTotal.inc({ source: 'docker_stats' });
        return;
      }
      // One container's failure (a timeout, say) is not the engine's: the others go on, and the
      // next list says whether the engine is still there.
      this.state.errors += 1;
      this.state.last_error = err instanceof Error ? err.message : String(err);
      this.o.log.debug({ err: this.state.last_error, container: t.id }, 'docker stats: sample failed');
      return;
    }
    this.ingest(t, raw);
  }

  private openStream(t: Track): void {
    // Aborted when the container leaves the running set, and by stop().
    const abort = new AbortController();
    const s: NonNullable<Track['stream']> = { abort, open: true };
    t.stream = s;
    const done = () => {
      s.open = false;
    };
    openStream(this.o.client.endpoint, `/containers/${encodeURIComponent(t.id)}/stats`, { stream: '1' }, abort.signal, this.o.cfg.request_timeout)
      .then((res: IncomingMessage) => {
        // Only the newest line matters: it is parsed once per interval, the others are never parsed.
        const splitter = new LineSplitter((line) => (s.latest = line), 1024 * 1024);
        res.on('data', (chunk: Buffer) => splitter.push(chunk));
        res.on('error', done);
        res.on('close', done);
      })
      .catch((err: unknown) => {
        done();
        if (!abort.signal.aborted) this.o.log.debug({ err: String(err), container: t.id }, 'docker stats: stream failed; reopened next round');
      });
  }

  private ingestText(t: Track, line: string): void {
    let raw: DockerStats;
    try {
      raw = JSON.parse(line) as DockerStats;
    } catch {
      this.o.metrics.malformedTotal.inc({ source: 'docker_stats' });
      return;
    }
    this.ingest(t, raw);
  }

  /** One sample of one container: update its numbers and baseline, emit the metric event. */
  private ingest(t: Track, raw: DockerStats): void {
    if (typeof raw !== 'object' || raw === null || isZeroedSample(raw)) {
      this.state.zeroed_skipped += 1;
      return;
    }
    const cur = countersOf(raw);
    if (!cur) {
      this.o.metrics.malformedTotal.inc({ source: 'docker_stats' });
      return;
    }
    let prev = t.last;
    if (prev && cur.readNanos <= prev.readNanos) return; // the same sample again (stream mode, slow engine)
    if (prev && isCounterReset(prev, cur)) {
      // A restart: a new cgroup counts from zero. No rates from across it; the baseline stays.
      prev = undefined;
      this.state.restarts_seen += 1;
      void this.inspect(t);
    }
    const values = sampleValues(prev, cur, this.hostMemory);
    t.last = cur;
    t.values = values;
    t.sampledAt = Date.now();
    this.state.samples += 1;
    this.samplesTotal.inc({ mode: this.o.cfg.mode });
    const time = nanosToRfc3339(cur.readNanos);
    this.state.last_sample_time = time;
    const metric = metricFields(t.baselines, t.thresholds, values, this.o.cfg);
    if (this.o.cfg.emit_events) {
      const ev: ShipEvent = {
        event: { id: newEventId(), time, source: 'metric', action: 'sample' },
        host: { name: this.o.hostName },
        container: { ...t.identity },
        metric,
      };
      this.o.emitter.emit(ev);
    }
  }
}
