import { Counter, Gauge, type Registry } from 'prom-client';
import { registered } from '../../metrics/registry.js';

/** The log source's own metrics, on the collector's registry (reused when another instance registered them). */
export interface LogMetrics {
  lines: Counter<'container'>;
  bytes: Counter<'container'>;
  truncated: Counter<'container'>;
  lag: Gauge<'container'>;
  errors: Counter<'reason'>;
  followers: Gauge<string>;
}

export function logMetrics(registry: Registry): LogMetrics {
  const get = <T>(name: string, make: () => T): T => registered(registry, name, make);
  return {
    lines: get('shipwatch_log_lines_total', () => new Counter({
      name: 'shipwatch_log_lines_total', help: 'Container log lines read and emitted, by container name.', labelNames: ['container'] as const, registers: [registry],
    })),
    bytes: get('shipwatch_log_bytes_total', () => new Counter({
      name: 'shipwatch_log_bytes_total', help: 'Bytes of container log lines read (as written, before truncation), by container name.', labelNames: ['container'] as const, registers: [registry],
    })),
    truncated: get('shipwatch_log_truncated_total', () => new Counter({
      name: 'shipwatch_log_truncated_total', help: 'Log lines cut at logs.max_line_bytes, by container name.', labelNames: ['container'] as const, registers: [registry],
    })),
    lag: get('shipwatch_log_position_lag_seconds', () => new Gauge({
      name: 'shipwatch_log_position_lag_seconds', help: 'Wall clock minus the Docker timestamp of the newest line read, at the time it was read, by container name.', labelNames: ['container'] as const, registers: [registry],
    })),
    errors: get('shipwatch_log_errors_total', () => new Counter({
      name: 'shipwatch_log_errors_total', help: 'Errors of the container log source, by reason (stream, inspect, frame, engine, unsupported_driver, malformed, stdin_frame, rotated).', labelNames: ['reason'] as const, registers: [registry],
    })),
    followers: get('shipwatch_log_followers', () => new Gauge({
      name: 'shipwatch_log_followers', help: 'Containers whose logs are being read now.', registers: [registry],
    })),
  };
}
