import { newEventId, type ShipEvent } from '../../event/event.js';
import { nanosToRfc3339 } from '../../event/time.js';
import type { CollectorMetrics } from '../../metrics/registry.js';
import type { Emitter } from '../../pipeline/emitter.js';
import { sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import { metricFields, newBaselines, thresholdsFor, type Baselines, type Thresholds } from '../docker-stats/baseline.js';
import { isCounterReset, sampleValues, type Counters, type SampleValues } from '../docker-stats/compute.js';
import type { StatsConfig } from '../docker-stats/config.js';
import type { StatsContainer } from '../docker-stats/source.js';
import type { KubeletClient } from './client.js';
import { parseSummary, type SummarySample } from './summary.js';

export interface KubeletStatsSourceOptions {
  /** Fetches the summary (KubeletClient; tests may pass a fake). */
  client: Pick<KubeletClient, 'summary' | 'close'>;
  /** The summary URL, for status and logs. */
  url: string;
  emitter: Emitter;
  metrics: CollectorMetrics;
  log: Logger;
  hostName: string;
  nodeName: string;
  intervalMs: number;
  /** Thresholds, baseline window and floors, and emit_events: the `stats` section, as for Docker. */
  stats: StatsConfig;
  /** The collector's own pod (POD_NAMESPACE / POD_NAME from the downward API): its samples carry `container.is_collector`. */
  selfPod?: { namespace: string; name: string };
}

export interface KubeletStatsStatus {
  enabled: true;
  url: string;
  interval_ms: number;
  connected: boolean;
  pods: number;
  containers: number;
  polls: number;
  samples: number;
  /** Entries of the summary without usable numbers (a container just starting has no CPU yet). */
  incomplete: number;
  /** Answers that were not a summary at all. */
  malformed: number;
  restarts_seen: number;
  errors: number;
  last_poll_time?: string;
  last_error?: string;
  last_problems?: string[];
}

interface Track {
  key: string;
  identity: StatsContainer['identity'];
  kubernetes: NonNullable<StatsContainer['kubernetes']>;
  startedAt: number | undefined;
  last?: Counters;
  values?: SampleValues;
  sampledAt: number;
  baselines: Baselines;
  thresholds: Thresholds;
}

/**
 * Container resource usage from this node's kubelet (node mode, issue 5 part 4): the summary is
 * polled every `k8s.kubelet_interval`; each container's sample becomes a `metric` event like the
 * Docker stats source's (the same rates, thresholds and baselines), and the containers are served
 * to the Prometheus exposition with cAdvisor's names plus the kubelet's `container`, `pod` and
 * `namespace` labels. The pod's own cgroup is an entry with `container=""`; its network (one per
 * pod) is its own `metric` event with `metric.scope = "pod"`.
 */
export class KubeletStatsSource {
  private readonly abort = new AbortController();
  private readonly tracks = new Map<string, Track>();
  private loop: Promise<void> | undefined;
  private readonly state: KubeletStatsStatus;

  constructor(private readonly o: KubeletStatsSourceOptions) {
    this.state = {
      enabled: true, url: o.url, interval_ms: o.intervalMs, connected: false, pods: 0, containers: 0, polls: 0, samples: 0,
      incomplete: 0, malformed: 0, restarts_seen: 0, errors: 0,
    };
    o.metrics.sourceConnected.set({ source: 'kubelet_stats' }, 0);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.o.client.close();
  }

  status(): KubeletStatsStatus {
    return { ...this.state, containers: [...this.tracks.values()].filter((t) => t.kubernetes.container !== '').length };
  }

  /** Containers (and pod cgroups) with a recent sample, for the Prometheus exposition. */
  *containers(): IterableIterator<StatsContainer> {
    for (const t of this.tracks.values()) {
      if (t.last && t.values && this.fresh(t)) {
        yield { identity: t.identity, startedAt: t.startedAt, cpuSpec: undefined, counters: t.last, values: t.values, kubernetes: t.kubernetes };
      }
    }
  }

  private fresh(t: Track): boolean {
    return Date.now() - t.sampledAt <= 3 * this.o.intervalMs;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let next = Date.now();
    while (!signal.aborted) {
      await this.poll();
      next += this.o.intervalMs;
      const now = Date.now();
      if (next < now) next = now;
      await sleep(next - now, signal);
    }
    this.setConnected(false);
  }

  /** One summary: fetch, parse, ingest every sample. Never throws: failures are counted and reported. */
  async poll(): Promise<void> {
    let doc: unknown;
    try {
      doc = await this.o.client.summary();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.fail(err instanceof Error ? err.message : String(err));
      return;
    }
    let parsed;
    try {
      parsed = parseSummary(doc);
    } catch (err) {
      this.state.malformed += 1;
      this.o.metrics.malformedTotal.inc({ source: 'kubelet_stats' });
      this.fail(`${this.o.url}: ${(err as Error).message}`);
      return;
    }
    if (!this.state.connected) this.o.log.info({ url: this.o.url, interval_ms: this.o.intervalMs }, 'kubelet stats sampling');
    this.setConnected(true);
    this.state.last_error = undefined;
    this.state.polls += 1;
    this.state.last_poll_time = new Date().toISOString();
    this.state.incomplete += parsed.skipped;
    if (parsed.problems.length > 0) {
      this.state.last_problems = parsed.problems;
      this.o.log.debug({ skipped: parsed.skipped, problems: parsed.problems }, 'kubelet summary: entries without usable numbers skipped');
    }
    const seen = new Set<string>();
    const pods = new Set<string>();
    for (const s of parsed.samples) {
      const key = `${s.uid}/${s.container}`;
      seen.add(key);
      pods.add(s.uid);
      this.ingest(this.track(key, s), s);
    }
    for (const key of this.tracks.keys()) if (!seen.has(key)) this.tracks.delete(key);
    this.state.pods = pods.size;
  }

  private fail(message: string): void {
    this.state.errors += 1;
    if (this.state.connected || this.state.last_error !== message) this.o.log.warn({ url: this.o.url, reason: message }, 'kubelet stats: summary not available; retrying every interval');
    this.state.last_error = message;
    this.setConnected(false);
  }

  private setConnected(up: boolean): void {
    this.state.connected = up;
    this.o.metrics.sourceConnected.set({ source: 'kubelet_stats' }, up ? 1 : 0);
  }

  private track(key: string, s: SummarySample): Track {
    let t = this.tracks.get(key);
    if (t) return t;
    const self = this.o.selfPod && this.o.selfPod.namespace === s.namespace && this.o.selfPod.name === s.pod;
    // container.id: the pod uid and the container name (the runtime's id is not in the summary),
    // as the pod log source sets it; the pod's own cgroup: the pod uid.
    const id = s.container ? key : s.uid;
    t = {
      key,
      identity: { id, name: s.container || s.pod, image: '', labels: {}, ...(self ? { is_collector: true } : {}) },
      // cAdvisor's cgroup path for the pod (the container's runtime id is not known here).
      kubernetes: { namespace: s.namespace, pod: s.pod, container: s.container, cgroup: `/kubepods/pod${s.uid}${s.container ? `/${s.container}` : ''}` },
      startedAt: s.startedAt,
      sampledAt: 0,
      baselines: newBaselines(this.o.stats.baseline_window),
      thresholds: thresholdsFor(undefined, this.o.stats).thresholds,
    };
    this.tracks.set(key, t);
    return t;
  }

  private ingest(t: Track, s: SummarySample): void {
    const cur = s.counters;
    let prev = t.last;
    if (prev && cur.readNanos <= prev.readNanos) return; // the kubelet's cached sample again
    if (prev && (isCounterReset(prev, cur) || (s.startedAt !== undefined && t.startedAt !== undefined && s.startedAt !== t.startedAt))) {
      // A restart: a new cgroup counts from zero. No rates from across it; the baseline stays.
      prev = undefined;
      this.state.restarts_seen += 1;
    }
    t.startedAt = s.startedAt;
    const values = withoutUnmeasured(sampleValues(prev, cur, 0), s.container !== '');
    t.last = cur;
    t.values = values;
    t.sampledAt = Date.now();
    this.state.samples += 1;
    const metric = metricFields(t.baselines, t.thresholds, values, this.o.stats);
    if (!this.o.stats.emit_events) return;
    const k8s = { namespace: s.namespace, pod: s.pod, pod_uid: s.uid, node: this.o.nodeName };
    let fields: Record<string, unknown>;
    if (s.container) {
      fields = { ...metric, scope: 'container' };
    } else {
      // The pod's own event carries what only the pod has (its network); its CPU and memory are
      // the sum of its containers', which have events of their own.
      if (metric.network === undefined) return;
      fields = { network: metric.network, baseline_ready: metric.baseline_ready, scope: 'pod' };
    }
    const ev: ShipEvent = {
      event: { id: newEventId(), time: nanosToRfc3339(cur.readNanos), source: 'metric', action: 'sample' },
      host: { name: this.o.hostName },
      container: { ...t.identity },
      k8s,
      metric: fields,
    };
    this.o.emitter.emit(ev);
  }
}

/** The summary has no block I/O, and a container no network of its own: those values are left out, not zero. */
function withoutUnmeasured(v: SampleValues, container: boolean): SampleValues {
  const { blkio_read_bytes_per_second: _r, blkio_write_bytes_per_second: _w, network_rx_bytes_per_second: rx, network_tx_bytes_per_second: tx, ...rest } = v;
  return container ? rest : { ...rest, ...(rx !== undefined ? { network_rx_bytes_per_second: rx, network_tx_bytes_per_second: tx! } : {}) };
}
