import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { registered } from '../../metrics/registry.js';

/** The audit intake's own metrics, on the collector's registry (reused when another instance registered them). */
export interface AuditMetrics {
  /** Webhook requests by HTTP status code. */
  requests: Counter<'code'>;
  /** Audit events by input (webhook, file) and result (accepted, duplicate, rejected, rate_limited). */
  events: Counter<'input' | 'result'>;
  /** Webhook request duration, from the first byte handled to the answer (including the store commit). */
  duration: Histogram<string>;
  /** auditID + stage keys pushed out of the dedup memory before their time. */
  dedupEvictions: Counter<string>;
  /** auditID + stage keys remembered now. */
  dedupKeys: Gauge<string>;
  /** Audit log file rotations seen, by kind (rename, truncate). */
  rotations: Counter<'kind'>;
  /** Bytes read from the audit log file. */
  fileBytes: Counter<string>;
}

export function auditMetrics(registry: Registry): AuditMetrics {
  const get = <T>(name: string, make: () => T): T => registered(registry, name, make);
  return {
    requests: get('shipwatch_k8s_audit_requests_total', () => new Counter({
      name: 'shipwatch_k8s_audit_requests_total', help: 'Kubernetes audit webhook requests, by HTTP status code.', labelNames: ['code'] as const, registers: [registry],
    })),
    events: get('shipwatch_k8s_audit_events_total', () => new Counter({
      name: 'shipwatch_k8s_audit_events_total',
      help: 'Kubernetes audit events received, by input (webhook, file) and result (accepted, duplicate, rejected, rate_limited).',
      labelNames: ['input', 'result'] as const, registers: [registry],
    })),
    duration: get('shipwatch_k8s_audit_request_duration_seconds', () => new Histogram({
      name: 'shipwatch_k8s_audit_request_duration_seconds',
      help: 'Time to answer one Kubernetes audit webhook request, the store commit of its events included.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry],
    })),
    dedupEvictions: get('shipwatch_k8s_audit_dedup_evictions_total', () => new Counter({
      name: 'shipwatch_k8s_audit_dedup_evictions_total', help: 'auditIDs evicted from the webhook dedup memory (k8s.audit_dedup_size) to make room.', registers: [registry],
    })),
    dedupKeys: get('shipwatch_k8s_audit_dedup_keys', () => new Gauge({
      name: 'shipwatch_k8s_audit_dedup_keys', help: 'auditIDs (with the stages seen) held in the webhook dedup memory.', registers: [registry],
    })),
    rotations: get('shipwatch_k8s_audit_file_rotations_total', () => new Counter({
      name: 'shipwatch_k8s_audit_file_rotations_total', help: 'Rotations of the Kubernetes audit log file, by kind (rename, truncate).', labelNames: ['kind'] as const, registers: [registry],
    })),
    fileBytes: get('shipwatch_k8s_audit_file_bytes_total', () => new Counter({
      name: 'shipwatch_k8s_audit_file_bytes_total', help: 'Bytes read from the Kubernetes audit log file.', registers: [registry],
    })),
  };
}
