import type { Health, SourceStatus } from '../api/types';

export type SourceState = 'connected' | 'disconnected' | 'disabled' | 'enabled' | 'error' | string;

export interface SourceRow {
  /** `docker`, `docker_logs`, `k8s_audit.webhook`, ... */
  name: string;
  state: SourceState;
  endpoint?: string;
  lastError?: string;
}

function isStatus(value: unknown): value is SourceStatus {
  if (!value || typeof value !== 'object') {
    return false;
  }
  return 'enabled' in value || 'connected' in value || 'state' in value;
}

function stateOf(s: SourceStatus): SourceState {
  if (s.enabled === false) {
    return 'disabled';
  }
  if (typeof s.connected === 'boolean') {
    return s.connected ? 'connected' : 'disconnected';
  }
  if (typeof s.state === 'string') {
    return s.state;
  }
  return 'enabled';
}

function errorText(e: SourceStatus['last_error']): string | undefined {
  if (!e) {
    return undefined;
  }
  return typeof e === 'string' ? e : e.message;
}

/**
 * The collector's sources as a flat list. Sources report different counters, and some come in
 * groups (`k8s_audit: {webhook, file}`), so only the common fields are read.
 */
export function sourceRows(health: Health): SourceRow[] {
  const rows: SourceRow[] = [];
  const visit = (name: string, value: unknown) => {
    if (isStatus(value)) {
      rows.push({ name, state: stateOf(value), endpoint: value.endpoint, lastError: errorText(value.last_error) });
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        visit(`${name}.${key}`, inner);
      }
    }
  };
  for (const [name, value] of Object.entries(health.sources ?? {})) {
    visit(name, value);
  }
  return rows;
}

export type SourceTone = 'ok' | 'pending' | 'off' | 'failing';

const TONES: Record<string, SourceTone> = {
  connected: 'ok',
  enabled: 'ok',
  following: 'ok',
  watching: 'ok',
  starting: 'pending',
  waiting: 'pending',
  listing: 'pending',
  disabled: 'off',
  stopped: 'off',
};

/** How a state reads at a glance; states not known here (disconnected, error, backoff) are failing. */
export function sourceTone(state: SourceState): SourceTone {
  return TONES[state] ?? 'failing';
}
