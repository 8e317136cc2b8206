import type { Alert, Checkpoint, ShipEvent } from '../event/event.js';
import type { CollectorMetrics } from '../metrics/registry.js';
import type { Store } from '../sinks/store/store.js';
import type { Logger } from '../util/log.js';
import type { Batch } from './batch.js';
import type { Emitter } from './emitter.js';

/** The detection stage as the pipeline sees it; the rules engine can be swapped on reload. */
export interface Detector {
  evaluate(event: ShipEvent): Alert[];
}

export interface PipelineOptions {
  store: Store;
  metrics: CollectorMetrics;
  log: Logger;
  detector?: Detector;
  /** Events held in memory while the store cannot take them; past this, new events are dropped and counted. */
  maxPending?: number;
  /** Called with each committed alert (stdout output). */
  onAlert?: (alert: Alert) => void;
}

/**
 * sources → transforms (detect) → store (+ the commit hooks of forwarding sinks). Events emitted
 * in one turn of the event loop are committed in one transaction on the next.
 */
export class Pipeline implements Emitter {
  private pending: Batch = { events: [], alerts: [], checkpoints: [] };
  private scheduled = false;
  private waiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private lastTimedMs = 0;
  /** Events accepted since the last commit, by source: added to the counter once per commit. */
  private readonly accepted = new Map<string, number>();
  detector: Detector | undefined;

  constructor(private readonly o: PipelineOptions) {
    this.detector = o.detector;
  }

  emit(event: ShipEvent, checkpoint?: Checkpoint): void {
    const { metrics } = this.o;
    if (this.pending.events.length >= (this.o.maxPending ?? 100_000)) {
      metrics.dropsTotal.inc({ stage: 'pipeline', reason: 'store_unavailable' });
      return;
    }
    // prom-client builds a label key and two objects per inc(): once per commit, not per event.
    const source = event.event.source;
    this.accepted.set(source, (this.accepted.get(source) ?? 0) + 1);
    if (this.detector) {
      // At most one event per millisecond is timed: timing and observing every event was half of
      // emit's own cost in a log flood, and a thousand samples a second give the same quantiles.
      const now = Date.now();
      const timed = now !== this.lastTimedMs;
      const start = timed ? performance.now() : 0;
      if (timed) this.lastTimedMs = now;
      try {
        for (const alert of this.detector.evaluate(event)) this.pending.alerts.push(alert);
      } catch (err) {
        metrics.dropsTotal.inc({ stage: 'detect', reason: 'engine_error' });
        this.o.log.error({ err: String(err), event_id: event.event.id }, 'rules engine failed on an event; event kept without alerts');
      } finally {
        if (timed) metrics.ruleEvalSeconds.observe((performance.now() - start) / 1000);
      }
    }
    this.pending.events.push(event);
    if (checkpoint) {
      const cps = this.pending.checkpoints;
      const i = cps.findIndex((c) => c.key === checkpoint.key);
      if (i >= 0) cps[i] = checkpoint;
      else cps.push(checkpoint);
    }
    this.schedule();
  }

  flush(): Promise<void> {
    if (this.isEmpty()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private isEmpty(): boolean {
    const p = this.pending;
    return p.events.length === 0 && p.alerts.length === 0 && p.checkpoints.length === 0;
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  /** Commits what is pending now; on failure keeps it and tries again in a second. */
  commit(): void {
    this.scheduled = false;
    this.countAccepted();
    if (this.isEmpty()) return this.release();
    const batch = this.pending;
    try {
      this.o.store.commit(batch);
    } catch (err) {
      this.o.log.error({ err: String(err), events: batch.events.length }, 'store commit failed; retrying in 1 s');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.commit();
      }, 1000);
      return;
    }
    this.pending = { events: [], alerts: [], checkpoints: [] };
    for (const a of batch.alerts) {
      this.o.metrics.alertsTotal.inc({ rule_id: String(a.rule.id), severity: a.severity });
      this.o.onAlert?.(a);
    }
    this.release();
  }

  private countAccepted(): void {
    if (this.accepted.size === 0) return;
    for (const [source, n] of this.accepted) this.o.metrics.eventsTotal.inc({ source }, n);
    this.accepted.clear();
  }

  private release(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
