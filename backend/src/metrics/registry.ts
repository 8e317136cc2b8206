import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metric `name` of `registry`, made by `make` when it is not registered yet: a part that can be
 * instantiated twice in one collector (or test) shares its series instead of failing to register.
 */
export function registered<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * The collector's own `shipwatch_*` metrics. One registry per collector instance so that tests can
 * run several collectors in one process without their counters mixing.
 */
export class CollectorMetrics {
  readonly registry = new Registry();

  readonly eventsTotal = new Counter({
    name: 'shipwatch_events_total',
    help: 'Events accepted into the pipeline, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly alertsTotal = new Counter({
    name: 'shipwatch_alerts_total',
    help: 'Alerts raised, by rule and severity.',
    labelNames: ['rule_id', 'severity'] as const,
    registers: [this.registry],
  });

  readonly dropsTotal = new Counter({
    name: 'shipwatch_dropped_total',
    help: 'Items dropped, by stage and reason (queue full, malformed input, rejected by a sink).',
    labelNames: ['stage', 'reason'] as const,
    registers: [this.registry],
  });

  readonly malformedTotal = new Counter({
    name: 'shipwatch_malformed_input_total',
    help: 'Inputs that could not be parsed and were skipped, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'shipwatch_queue_depth',
    help: 'Items waiting in an in-memory or durable queue.',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly sourceConnected = new Gauge({
    name: 'shipwatch_source_connected',
    help: '1 when the source is connected to its upstream, else 0.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly sourceReconnects = new Counter({
    name: 'shipwatch_source_reconnects_total',
    help: 'Reconnections of a source to its upstream.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly k8sWatchEvents = new Counter({
    name: 'shipwatch_k8s_watch_events_total',
    help: 'Kubernetes watch source: changes reported, by resource and action (create, update, delete; `event` for core Events).',
    labelNames: ['resource', 'action'] as const,
    registers: [this.registry],
  });

  readonly k8sWatchRestarts = new Counter({
    name: 'shipwatch_k8s_watch_restarts_total',
    help: 'Kubernetes watch requests restarted, by resource and reason (closed, error, stale, gone).',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });

  readonly k8sWatchRelists = new Counter({
    name: 'shipwatch_k8s_watch_relists_total',
    help: 'Kubernetes full lists (diffed against the cache), by resource and cause (initial, gone).',
    labelNames: ['resource', 'cause'] as const,
    registers: [this.registry],
  });

  readonly k8sWatchObjects = new Gauge({
    name: 'shipwatch_k8s_watch_objects',
    help: 'Kubernetes objects held (as compact projections) in the watch cache, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly storeWriteSeconds = new Histogram({
    name: 'shipwatch_store_write_seconds',
    help: 'Time to commit one batch to the embedded store.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly ruleEvalSeconds = new Histogram({
    name: 'shipwatch_rule_evaluation_seconds',
    help: 'Time to evaluate the rules against one event (at most one event per millisecond is timed).',
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025],
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'shipwatch_process_' });
  }
}
