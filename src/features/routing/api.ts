import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { ContactPoint, PolicyRoute, ProvisionedAlertRule, ReceiverTestResult } from './types';

/**
 * Writes carry this header so that what the page creates stays editable in Grafana's alerting UI
 * (without it, API-provisioned resources are locked there).
 */
export const DISABLE_PROVENANCE = { 'X-Disable-Provenance': 'true' };

export const GRAFANA_PATHS = {
  contactPoints: '/api/v1/provisioning/contact-points',
  policies: '/api/v1/provisioning/policies',
  alertRules: '/api/v1/provisioning/alert-rules',
  receiverTest: '/api/alertmanager/grafana/config/api/v1/receivers/test',
};

/** A failed call to Grafana's own API; the message names the request and Grafana's reason. */
export class GrafanaApiError extends Error {
  override readonly name = 'GrafanaApiError';

  constructor(
    readonly request: string,
    readonly status: number | undefined,
    readonly reason: string
  ) {
    super(`${request} failed${status ? ` (HTTP ${status})` : ''}: ${reason}`);
  }
}

function reasonOf(err: unknown): { status?: number; reason: string } {
  if (!err || typeof err !== 'object') {
    return { reason: String(err) };
  }
  const e = err as { status?: number; statusText?: string; data?: unknown; message?: string };
  const data = e.data as { message?: unknown; error?: unknown } | string | undefined;
  const fromBody =
    typeof data === 'string'
      ? data.trim().slice(0, 300)
      : typeof data?.message === 'string'
        ? data.message
        : typeof data?.error === 'string'
          ? data.error
          : '';
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  return { status, reason: fromBody || e.statusText || e.message || 'no answer from Grafana' };
}

type Method = 'GET' | 'POST' | 'PUT';

async function grafanaRequest<T>(method: Method, url: string, data?: unknown): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        method,
        url,
        data,
        headers: method === 'GET' ? undefined : { 'Content-Type': 'application/json', ...DISABLE_PROVENANCE },
        // The page shows each error beside what failed; Grafana's toast would repeat it.
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    return response.data;
  } catch (err) {
    const { status, reason } = reasonOf(err);
    throw new GrafanaApiError(`${method} ${url}`, status, reason);
  }
}

/** Drops the read-only provenance field, which is not part of what the API accepts. */
function withoutProvenance<T extends { provenance?: unknown }>(value: T): Omit<T, 'provenance'> {
  const { provenance: _ignored, ...rest } = value;
  return rest;
}

export const grafanaAlertingApi = {
  contactPoints: () => grafanaRequest<ContactPoint[]>('GET', GRAFANA_PATHS.contactPoints),

  createContactPoint: (cp: ContactPoint) =>
    grafanaRequest<ContactPoint>('POST', GRAFANA_PATHS.contactPoints, withoutProvenance(cp)),

  updateContactPoint: (uid: string, cp: ContactPoint) =>
    grafanaRequest<unknown>(
      'PUT',
      `${GRAFANA_PATHS.contactPoints}/${encodeURIComponent(uid)}`,
      withoutProvenance({ ...cp, uid })
    ),

  policyTree: () => grafanaRequest<PolicyRoute>('GET', GRAFANA_PATHS.policies),

  /** Replaces the whole tree: callers merge into the tree they read, never send a partial one. */
  putPolicyTree: (tree: PolicyRoute) => grafanaRequest<unknown>('PUT', GRAFANA_PATHS.policies, withoutProvenance(tree)),

  alertRules: () => grafanaRequest<ProvisionedAlertRule[]>('GET', GRAFANA_PATHS.alertRules),

  testReceiver: (body: unknown) => grafanaRequest<ReceiverTestResult>('POST', GRAFANA_PATHS.receiverTest, body),
};
