// The kubelet's resource summary (`GET /stats/summary`, API stats/v1alpha1) into the flattened
// counters the Docker stats source uses (docker-stats/compute.ts), so that the same rates,
// baselines, metric events and cAdvisor-named series come out of both.
//
// What the summary has and Docker's document has not, and the other way round:
//   - CPU is cumulative core-nanoseconds (`usageCoreNanoSeconds`) without the host's CPU time:
//     the "system" counter is the sample's own clock on one CPU, so Docker's formula
//     Δcontainer / Δsystem × CPUs × 100 gives Δcore-ns / Δns × 100 (100 = one core, as docker stats).
//   - No user/kernel split, no CFS throttling, no packets or drops, no block I/O: left absent.
//   - The memory limit is `availableBytes + workingSetBytes` (availableBytes is only reported for a
//     container with a limit); none → 0, cAdvisor's "unlimited".
//   - Network is per pod (one network namespace), not per container.

import { rfc3339ToNanos } from '../../event/time.js';
import type { Counters, InterfaceCounters } from '../docker-stats/compute.js';

export interface SummaryCpu {
  time?: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface SummaryMemory {
  time?: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
}

export interface SummaryInterface {
  name?: string;
  rxBytes?: number;
  rxErrors?: number;
  txBytes?: number;
  txErrors?: number;
}

export interface SummaryNetwork extends SummaryInterface {
  time?: string;
  interfaces?: SummaryInterface[];
}

export interface SummaryContainer {
  name?: string;
  startTime?: string;
  cpu?: SummaryCpu;
  memory?: SummaryMemory;
}

export interface SummaryPod {
  podRef?: { name?: string; namespace?: string; uid?: string };
  startTime?: string;
  containers?: SummaryContainer[] | null;
  cpu?: SummaryCpu;
  memory?: SummaryMemory;
  network?: SummaryNetwork;
}

export interface Summary {
  node?: { nodeName?: string };
  pods?: SummaryPod[] | null;
}

/** One container (or, with `container` empty, the pod's own cgroup) of one summary. */
export interface SummarySample {
  namespace: string;
  pod: string;
  uid: string;
  /** '' for the pod's own cgroup. */
  container: string;
  /** Start of the container (or pod), Unix seconds; undefined when not reported. */
  startedAt: number | undefined;
  counters: Counters;
}

export interface ParsedSummary {
  nodeName: string | undefined;
  samples: SummarySample[];
  /** What was skipped, said the way an operator can check it (first few). */
  problems: string[];
  skipped: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const MAX_PROBLEMS = 5;

function seconds(text: string | undefined): number | undefined {
  const n = text ? rfc3339ToNanos(text) : undefined;
  return n === undefined || n <= 0n ? undefined : Number(n / 1000n) / 1e6;
}

function networks(net: SummaryNetwork | undefined): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  const list = Array.isArray(net?.interfaces) && net.interfaces.length > 0 ? net.interfaces : net && net.name ? [net] : [];
  for (const i of list) {
    const rx = num(i?.rxBytes);
    const tx = num(i?.txBytes);
    if (typeof i?.name !== 'string' || rx === undefined || tx === undefined) continue;
    const c: InterfaceCounters = { rx_bytes: rx, tx_bytes: tx };
    const re = num(i.rxErrors);
    const te = num(i.txErrors);
    if (re !== undefined) c.rx_errors = re;
    if (te !== undefined) c.tx_errors = te;
    out.set(i.name, c);
  }
  return out;
}

/** Counters of one cgroup; undefined (with the reason) when it has no usable CPU or memory sample. */
function countersOf(cpu: SummaryCpu | undefined, memory: SummaryMemory | undefined, net: SummaryNetwork | undefined): Counters | string {
  const cpuNs = num(cpu?.usageCoreNanoSeconds);
  const ws = num(memory?.workingSetBytes);
  const time = cpu?.time ?? memory?.time ?? net?.time;
  const readNanos = time ? rfc3339ToNanos(time) : undefined;
  if (readNanos === undefined) return 'no sample time';
  if (cpuNs === undefined && ws === undefined) return 'neither cpu.usageCoreNanoSeconds nor memory.workingSetBytes';
  const available = num(memory?.availableBytes);
  const c: Counters = {
    readNanos,
    cpuTotalNs: cpuNs ?? 0,
    systemCpuNs: Number(readNanos),
    onlineCpus: 1,
    throttlingPeriods: 0,
    throttledPeriods: 0,
    throttledTimeNs: 0,
    memUsage: num(memory?.usageBytes) ?? ws ?? 0,
    memWorkingSet: ws ?? 0,
    memLimitRaw: available !== undefined && ws !== undefined ? available + ws : 0,
    networks: networks(net),
    blkio: new Map(),
    blkRead: 0,
    blkWrite: 0,
  };
  const rss = num(memory?.rssBytes);
  if (rss !== undefined) c.memRss = rss;
  return c;
}

/** The samples of a summary document. Throws when it is not one at all; skips (and lists) bad entries. */
export function parseSummary(doc: unknown): ParsedSummary {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the summary is not a JSON object');
  const s = doc as Summary;
  if (s.pods !== undefined && s.pods !== null && !Array.isArray(s.pods)) throw new Error('the summary\'s "pods" is not a list');
  if (s.pods === undefined && s.node === undefined) throw new Error('the summary has neither "node" nor "pods" (is this the kubelet\'s /stats/summary?)');
  const out: ParsedSummary = { nodeName: typeof s.node?.nodeName === 'string' ? s.node.nodeName : undefined, samples: [], problems: [], skipped: 0 };
  const skip = (what: string, why: string) => {
    out.skipped += 1;
    if (out.problems.length < MAX_PROBLEMS) out.problems.push(`${what}: ${why}`);
  };
  for (const [i, pod] of (s.pods ?? []).entries()) {
    const ref = pod?.podRef;
    if (typeof ref?.name !== 'string' || typeof ref.namespace !== 'string' || typeof ref.uid !== 'string' || !ref.name || !ref.namespace || !ref.uid) {
      skip(`pods[${i}]`, 'no podRef name, namespace and uid');
      continue;
    }
    const base = { namespace: ref.namespace, pod: ref.name, uid: ref.uid };
    const podCounters = countersOf(pod.cpu, pod.memory, pod.network);
    if (typeof podCounters === 'string') {
      // A pod without its own totals still has containers; its network needs a time of its own.
      if (pod.network?.time) {
        const netOnly = countersOf(undefined, { workingSetBytes: 0, time: pod.network.time }, pod.network);
        if (typeof netOnly !== 'string') out.samples.push({ ...base, container: '', startedAt: seconds(pod.startTime), counters: netOnly });
      }
    } else {
      out.samples.push({ ...base, container: '', startedAt: seconds(pod.startTime), counters: podCounters });
    }
    if (pod.containers !== undefined && pod.containers !== null && !Array.isArray(pod.containers)) {
      skip(`pod ${ref.namespace}/${ref.name}`, '"containers" is not a list');
      continue;
    }
    for (const [j, c] of (pod.containers ?? []).entries()) {
      if (typeof c?.name !== 'string' || !c.name) {
        skip(`pod ${ref.namespace}/${ref.name} containers[${j}]`, 'no name');
        continue;
      }
      const counters = countersOf(c.cpu, c.memory, undefined);
      if (typeof counters === 'string') {
        skip(`container ${ref.namespace}/${ref.name}/${c.name}`, counters);
        continue;
      }
      out.samples.push({ ...base, container: c.name, startedAt: seconds(c.startTime), counters });
    }
  }
  return out;
}
