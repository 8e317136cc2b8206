import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/schema.js';
import { createApi, listen, type CollectorStatus } from './api/server.js';
import { loadOrCreateToken } from './api/token.js';
import type { Alert } from './event/event.js';
import { CollectorMetrics } from './metrics/registry.js';
import { Pipeline } from './pipeline/pipeline.js';
import { LokiSink } from './sinks/loki/index.js';
import { Store } from './sinks/store/store.js';
import { RulesService } from './transforms/detect/service.js';
import { ruleRoutes } from './api/routes/rules.js';
import { DockerClient, parseDockerEndpoint } from './sources/docker/client.js';
import { detectSelfContainerId } from './sources/docker/self.js';
import { DockerSource } from './sources/docker/source.js';
import { DockerStatsSource } from './sources/docker-stats/index.js';
import { DockerLogSource } from './sources/docker-logs/index.js';
import { AuditLogReader, createAuditWebhook, type AuditWebhook } from './sources/k8s-audit/index.js';
import { createK8sWatchSource, type K8sWatchSource } from './sources/k8s-watch/index.js';
import { registerContainerMetrics, type ContainerMetricsSource } from './sinks/prometheus/index.js';
import { PodLogSource } from './sources/k8s-pod-logs/index.js';
import { KubeletClient, KubeletStatsSource } from './sources/kubelet-stats/index.js';
import type { Logger } from './util/log.js';
import { VERSION } from './util/version.js';

const RETENTION_EVERY_MS = 60_000;
/** The shipped rules: `rules/` at the top of the repository, two levels above src/ and dist/. */
export const SHIPPED_RULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../rules');

/** What start() wired together. */
interface Parts {
  metrics: CollectorMetrics;
  store: Store;
  pipeline: Pipeline;
  docker?: DockerSource;
  stats?: DockerStatsSource;
  logs?: DockerLogSource;
  loki: LokiSink;
  rules: RulesService;
  token: string;
  auditWebhook: AuditWebhook;
  auditLog?: AuditLogReader;
  /** The Kubernetes watch source, or why it could not be set up (bad kubeconfig, ...). */
  k8sWatch?: K8sWatchSource | { error: string };
  podLogs?: PodLogSource;
  kubelet?: KubeletStatsSource;
}

/**
 * The one place where sources, transforms and sinks are wired together (Vector's topology).
 */
/** Sources whose events the store keeps. Metric samples live in Prometheus; the store keeps what people search and alert on. */
export function storedEventSources(keepLogs: boolean): Set<string> {
  return new Set(['docker', 'kubernetes', 'k8s_audit', 'collector', ...(keepLogs ? ['log'] : [])]);
}

export class Collector {
  private stopping = false;
  private retentionTimer: NodeJS.Timeout | undefined;

  private server: Server | undefined;
  address = '';

  private constructor(
    readonly cfg: Config,
    readonly log: Logger,
    private readonly parts: Parts,
  ) {}

  get store(): Store {
    return this.parts.store;
  }

  get token(): string {
    return this.parts.token;
  }

  static async start(cfg: Config, log: Logger): Promise<Collector> {
    const metrics = new CollectorMetrics({ processMetrics: true });
    const keepLogs = cfg.store.logs === 'true' || (cfg.store.logs === 'auto' && !cfg.loki.url);
    const store = new Store({ path: cfg.store.path, maxAgeMs: cfg.store.max_age, maxBytes: cfg.store.max_bytes, metrics, eventSources: storedEventSources(keepLogs) });
    const tokenInfo = cfg.api.token ? { token: cfg.api.token, created: false, file: '' } : loadOrCreateToken(cfg.store.path);
    if (tokenInfo.created) {
      // Printed once, on the start that created it; later starts read it from the file.
      log.warn({ token: tokenInfo.token, file: tokenInfo.file }, 'API token generated: use it as "Authorization: Bearer <token>"; it is not printed again');
    }
    const rules = new RulesService(cfg.rules.shipped_dir ?? SHIPPED_RULES, cfg.rules.local_dir ?? path.join(cfg.store.path, 'rules'), log.child({ part: 'rules' }));
    rules.watch();
    const pipeline = new Pipeline({ store, metrics, log, detector: rules, onAlert: (a: Alert) => log.info({ alert: a }, 'alert') });
    const loki = new LokiSink(store.db, cfg.loki, { metrics, log: log.child({ sink: 'loki' }), hostName: cfg.host.name });
    store.addHook(loki);

    let docker: DockerSource | undefined;
    let stats: DockerStatsSource | undefined;
    let logs: DockerLogSource | undefined;
    if (cfg.docker.enabled) {
      const endpoint = parseDockerEndpoint(cfg.docker.socket ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock');
      const selfContainerId = cfg.docker.self_container_id ?? detectSelfContainerId();
      // Shared by the events and log sources; the events source closes it when it stops, after the log source.
      const client = new DockerClient(endpoint);
      docker = new DockerSource({
        client, store, emitter: pipeline, metrics, log: log.child({ source: 'docker' }), hostName: cfg.host.name,
        queueMax: cfg.docker.queue_max, reconnectMaxMs: cfg.docker.reconnect_max, inspectTimeoutMs: cfg.docker.inspect_timeout, selfContainerId,
      });
      if (cfg.logs.enabled) {
        logs = new DockerLogSource({
          client, store, emitter: pipeline, metrics, log: log.child({ source: 'docker_logs' }), hostName: cfg.host.name, cfg: cfg.logs,
          selfContainerId, reconnectMaxMs: cfg.docker.reconnect_max, inspectTimeoutMs: cfg.docker.inspect_timeout,
        });
      }
      if (cfg.stats.enabled) {
        // Its own client: stats requests wait for the engine's sampling tick and must not hold the events source's sockets.
        stats = new DockerStatsSource({ client: new DockerClient(endpoint), emitter: pipeline, metrics, log: log.child({ source: 'docker_stats' }), hostName: cfg.host.name, cfg: cfg.stats, selfContainerId });
      }
    }

    const k = cfg.k8s;
    // Always mounted: without k8s.audit_token it answers 404 saying which key to set.
    const auditWebhook = createAuditWebhook({
      token: k.audit_token, emitter: pipeline, metrics, log: log.child({ source: 'k8s_audit' }), hostName: cfg.host.name,
      maxBodyBytes: k.audit_max_body, maxEventsPerSecond: k.audit_rate, dedupSize: k.audit_dedup_size, commitTimeoutMs: k.audit_commit_timeout,
      ...(k.audit_burst !== undefined ? { burst: k.audit_burst } : {}),
      ...(k.audit_client_cert ? { clientCert: { cns: k.audit_client_cns } } : {}),
    });
    const auditLog = k.audit_log_path
      ? new AuditLogReader({
        path: k.audit_log_path, emitter: pipeline, store, metrics, log: log.child({ source: 'k8s_audit_file' }), hostName: cfg.host.name,
        pollMs: k.audit_log_poll, startAt: k.audit_log_start_at, maxLineBytes: k.audit_log_max_line,
      })
      : undefined;
    // Node mode (the DaemonSet): this node's pod logs and its kubelet's resource summary.
    const podLogs = k.node_logs_enabled
      ? new PodLogSource({
        root: k.pod_logs_dir, store, emitter: pipeline, metrics, log: log.child({ source: 'k8s_pod_logs' }), hostName: cfg.host.name, nodeName: k.node_name,
        maxLineBytes: cfg.logs.max_line_bytes, pollMs: k.pod_logs_poll, rescanMs: k.pod_logs_rescan, initialPosition: k.pod_logs_initial_position, maxFiles: k.pod_logs_max_files,
      })
      : undefined;
    let kubelet: KubeletStatsSource | undefined;
    if (k.kubelet_stats_enabled) {
      const url = k.kubelet_url ?? `https://${k.node_name}:10250/stats/summary`;
      const selfPod = process.env.POD_NAMESPACE && process.env.POD_NAME ? { namespace: process.env.POD_NAMESPACE, name: process.env.POD_NAME } : undefined;
      kubelet = new KubeletStatsSource({
        client: new KubeletClient({ url, tokenFile: k.kubelet_token_file, caFile: k.kubelet_ca_file, insecure: k.kubelet_insecure, timeoutMs: k.kubelet_timeout }),
        url, emitter: pipeline, metrics, log: log.child({ source: 'kubelet_stats' }), hostName: cfg.host.name, nodeName: k.node_name,
        intervalMs: k.kubelet_interval, stats: cfg.stats, ...(selfPod ? { selfPod } : {}),
      });
    }
    // One registration of the cAdvisor-named families for every source of container samples.
    const containerSources: ContainerMetricsSource[] = [...(stats ? [stats] : []), ...(kubelet ? [kubelet] : [])];
    if (containerSources.length > 0) registerContainerMetrics(metrics.registry, containerSources, { labels: cfg.stats.prometheus_labels });
    // Cluster mode: list + watch of Kubernetes objects. A connection that cannot be set up is
    // reported in the health status (degraded); the other sources run regardless.
    let k8sWatch: K8sWatchSource | { error: string } | undefined;
    if (k.watch_enabled) {
      try {
        k8sWatch = await createK8sWatchSource({ cfg: k, emitter: pipeline, metrics, log: log.child({ source: 'kubernetes' }), hostName: cfg.host.name });
      } catch (err) {
        k8sWatch = { error: err instanceof Error ? err.message : String(err) };
        log.error({ reason: k8sWatch.error }, 'kubernetes watch source not started');
      }
    }
    const collector = new Collector(cfg, log, { metrics, store, pipeline, docker, stats, logs, loki, rules, token: tokenInfo.token, auditWebhook, auditLog, podLogs, kubelet, k8sWatch });
    const app = createApi({
      token: tokenInfo.token, bodyLimit: cfg.api.body_limit, store, metrics, log: log.child({ part: 'api' }),
      status: () => collector.status(),
      containerMetrics: (id) => stats?.latest(id),
      routers: [ruleRoutes(rules)],
      publicRoutes: [auditWebhook.route],
    });
    try {
      const { server, address } = await listen(app, cfg.api.listen);
      collector.server = server;
      collector.address = address;
    } catch (err) {
      store.close();
      rules.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`api.listen ${cfg.api.listen}: cannot listen (${code ?? String(err)})`);
    }
    store.enforceRetention();
    collector.retentionTimer = setInterval(() => store.enforceRetention(), RETENTION_EVERY_MS);
    collector.retentionTimer.unref();
    loki.start();
    docker?.start();
    stats?.start();
    logs?.start();
    auditLog?.start();
    podLogs?.start();
    kubelet?.start();
    if (k8sWatch && !('error' in k8sWatch)) k8sWatch.start();
    log.info({ api: collector.address, store: cfg.store.path, docker: docker?.state.endpoint ?? 'disabled', loki: loki.enabled ? loki.health().url : 'disabled', version: VERSION }, 'shipwatch collector started');
    return collector;
  }

  status(): CollectorStatus {
    const docker = this.parts.docker?.status();
    const stats = this.parts.stats?.status();
    const logs = this.parts.logs?.status();
    const loki = this.parts.loki.health();
    const rules = this.parts.rules.status();
    const auditFile = this.parts.auditLog?.status();
    const podLogs = this.parts.podLogs?.status();
    const kubelet = this.parts.kubelet?.status();
    const kw = this.parts.k8sWatch;
    const kubernetes = kw === undefined ? { enabled: false } : 'error' in kw ? { enabled: true, connected: false, error: kw.error } : { enabled: true, ...kw.status() };
    const degraded = (docker !== undefined && !docker.connected) || (stats !== undefined && !stats.connected) || loki.retrying || rules.errors > 0
      || auditFile?.state === 'error' || (kubelet !== undefined && !kubelet.connected)
      || (kw !== undefined && !kubernetes.connected);
    return {
      status: this.stopping ? 'stopping' : degraded ? 'degraded' : 'ok',
      version: VERSION,
      sources: {
        docker: docker ?? { enabled: false }, docker_stats: stats ?? { enabled: false }, docker_logs: logs ?? { enabled: false },
        k8s_audit: { webhook: this.parts.auditWebhook.status(), file: auditFile ?? { enabled: false } },
        k8s_pod_logs: podLogs ?? { enabled: false }, kubelet_stats: kubelet ?? { enabled: false },
        kubernetes,
      },
      rules,
      sinks: { store: { path: this.cfg.store.path, bytes: this.store.bytes, ...this.store.counts() }, loki },
    };
  }

  /** Stops sources, commits what they emitted, stops the API and closes the store. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.retentionTimer);
    this.parts.rules.close();
    await this.parts.logs?.stop();
    await this.parts.docker?.stop();
    await this.parts.stats?.stop();
    await this.parts.auditLog?.stop();
    await this.parts.podLogs?.stop();
    await this.parts.kubelet?.stop();
    const kw = this.parts.k8sWatch;
    if (kw && !('error' in kw)) await kw.stop();
    await this.parts.pipeline.flush();
    await this.parts.loki.stop();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.store.close();
    this.log.info('shipwatch collector stopped');
  }
}
