import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { COLLECTOR_API_BASE } from '../constants';
import { toCollectorError } from './errors';
import type {
  AlertQuery,
  AlertsPage,
  AlertStats,
  ContainersResponse,
  EventQuery,
  EventsPage,
  Health,
  LocalRulesResponse,
  RulesResponse,
  RuleTestResponse,
  ValidationResult,
} from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type QueryValue = string | number | boolean | readonly string[] | undefined;

/**
 * The collector refuses repeated query parameters, and Grafana would repeat an array: lists are
 * sent comma-separated, and empty values are left out.
 */
export function toQueryParams(query: Record<string, QueryValue> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > 0) {
        out[key] = value.join(',');
      }
      continue;
    }
    out[key] = String(value);
  }
  return out;
}

/** One call to the collector's `/api/v1` through the plugin proxy route, which adds the token. */
export async function collectorRequest<T>(
  method: Method,
  path: string,
  options: { query?: Record<string, QueryValue>; body?: unknown } = {}
): Promise<T> {
  const label = `${method} ${path}`;
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        method,
        url: `${COLLECTOR_API_BASE}${path}`,
        params: toQueryParams(options.query),
        data: options.body,
        headers: options.body === undefined ? undefined : { 'Content-Type': 'application/json' },
        // Pages show errors where they happen; Grafana's global toast would repeat them.
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    return response.data;
  } catch (err) {
    throw toCollectorError(label, err);
  }
}

export const collectorApi = {
  health: () => collectorRequest<Health>('GET', '/health'),

  alerts: (query: AlertQuery = {}) => collectorRequest<AlertsPage>('GET', '/alerts', { query: { ...query } }),

  alertStats: (since?: string) => collectorRequest<AlertStats>('GET', '/alerts/stats', { query: { since } }),

  events: (query: EventQuery = {}) => collectorRequest<EventsPage>('GET', '/events', { query: { ...query } }),

  containers: () => collectorRequest<ContainersResponse>('GET', '/containers'),

  rules: () => collectorRequest<RulesResponse>('GET', '/rules'),

  localRules: () => collectorRequest<LocalRulesResponse>('GET', '/rules/local'),

  validateRules: (yaml: string, name?: string) =>
    collectorRequest<ValidationResult>('POST', '/rules/validate', {
      body: name === undefined ? { yaml } : { yaml, name },
    }),

  /**
   * Runs events through the running rules (plus `yaml`, when given, in place of the saved local
   * file `name` when that is given too); one result per event.
   */
  testRules: (events: unknown[], yaml?: string, name?: string) =>
    collectorRequest<RuleTestResponse>('POST', '/rules/test', {
      body: yaml === undefined ? { events } : name === undefined ? { events, yaml } : { events, yaml, name },
    }),

  /** Saves a local rule file; the collector validates it first and answers 422 with the errors. */
  saveLocalRules: (name: string, yaml: string) =>
    collectorRequest<ValidationResult>('PUT', `/rules/local/${encodeURIComponent(name)}`, { body: { yaml } }),

  deleteLocalRules: (name: string) => collectorRequest<void>('DELETE', `/rules/local/${encodeURIComponent(name)}`),
};

export type CollectorApi = typeof collectorApi;
