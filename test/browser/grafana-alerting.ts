import path from 'node:path';
import { PROVISIONING, readYaml, rulesFile } from '../provisioning/load.js';

// Grafana's alerting provisioning API, in memory, for the Alert routing page. It starts from what
// Grafana would serve after loading provisioning/alerting/ (contact points, policy tree, alert
// rules, all with provenance "file"), and answers in the shapes of Grafana's HTTP API.

interface ContactPoint { uid: string; name: string; type: string; settings: Record<string, unknown>; disableResolveMessage: boolean; provenance?: string }
type Route = Record<string, unknown> & { provenance?: string };

export interface Answer { status: number; body?: unknown }

/** Grafana refuses API writes to what a provisioning file owns (status and text approximate Grafana's). */
const FILE_PROVISIONED: Answer = { status: 409, body: { message: 'the resource is provisioned from a file (provenance "file") and cannot be changed through the API' } };

/** Settings Grafana never returns in clear text (it answers "[REDACTED]"). */
const SECURE_SETTINGS: Record<string, string[]> = { slack: ['url', 'token'], pagerduty: ['integrationKey'], webhook: ['password', 'authorization_credentials'] };

function redact(cp: ContactPoint): ContactPoint {
  const secure = SECURE_SETTINGS[cp.type] ?? [];
  const settings = Object.fromEntries(Object.entries(cp.settings).map(([k, v]) => [k, secure.includes(k) && v ? '[REDACTED]' : v]));
  return { ...cp, settings };
}

export class GrafanaAlerting {
  private contactPoints: ContactPoint[];
  private policies: Route;
  private readonly rules: Array<Record<string, unknown>>;
  private nextUid = 1;

  constructor(env: Record<string, string> = {}) {
    // Grafana interpolates ${VAR} in contact point settings from its environment.
    const interpolate = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/\$\{(\w+)\}/g, (_m, name: string) => env[name] ?? '') : v);
    const cpFile = readYaml<{ contactPoints: Array<{ name: string; receivers: Array<{ uid: string; type: string; settings: Record<string, unknown>; disableResolveMessage?: boolean }> }> }>(
      path.join(PROVISIONING, 'alerting/contact-points.yaml')
    );
    this.contactPoints = cpFile.contactPoints.flatMap((cp) =>
      cp.receivers.map((r) => ({
        uid: r.uid, name: cp.name, type: r.type, disableResolveMessage: Boolean(r.disableResolveMessage), provenance: 'file',
        settings: Object.fromEntries(Object.entries(r.settings).map(([k, v]) => [k, interpolate(v)])),
      }))
    );
    const policyFile = readYaml<{ policies: Array<Route & { orgId?: number }> }>(path.join(PROVISIONING, 'alerting/policies.yaml'));
    const { orgId: _org, ...tree } = policyFile.policies[0]!;
    this.policies = { ...tree, provenance: 'file' };
    this.rules = rulesFile().groups.flatMap((g) =>
      g.rules.map((r) => ({ ...r, orgID: g.orgId, folderUID: g.folder.toLowerCase(), ruleGroup: g.name, isPaused: Boolean(r.isPaused), provenance: 'file' }))
    );
  }

  /** Answers one request to /api/v1/provisioning/... or the receiver test; undefined when it is none of them. */
  handle(method: string, pathname: string, body: unknown): Answer | undefined {
    const cpMatch = /^\/api\/v1\/provisioning\/contact-points(?:\/([^/]+))?$/.exec(pathname);
    if (cpMatch) {
      return this.contactPointsRequest(method, cpMatch[1] ? decodeURIComponent(cpMatch[1]) : undefined, body as ContactPoint);
    }
    if (pathname === '/api/v1/provisioning/policies') {
      if (method === 'GET') {
        return { status: 200, body: this.policies };
      }
      if (method === 'PUT') {
        if (this.policies.provenance === 'file') {
          return FILE_PROVISIONED;
        }
        this.policies = { ...(body as Route), provenance: undefined };
        return { status: 202, body: { message: 'policies updated' } };
      }
    }
    if (pathname === '/api/v1/provisioning/alert-rules' && method === 'GET') {
      return { status: 200, body: this.rules };
    }
    if (pathname === '/api/alertmanager/grafana/config/api/v1/receivers/test' && method === 'POST') {
      return this.receiverTest(body as { receivers?: Array<{ name: string; grafana_managed_receiver_configs?: Array<{ name?: string; uid?: string }> }> });
    }
    return undefined;
  }

  private contactPointsRequest(method: string, uid: string | undefined, cp: ContactPoint): Answer {
    if (method === 'GET' && !uid) {
      return { status: 200, body: this.contactPoints.map(redact) };
    }
    if (method === 'POST' && !uid) {
      if (!cp?.name || !cp.type) {
        return { status: 400, body: { message: 'contact point name and type are required' } };
      }
      const created = { ...cp, uid: cp.uid || `harness-cp-${this.nextUid++}`, disableResolveMessage: Boolean(cp.disableResolveMessage) };
      this.contactPoints.push(created);
      return { status: 202, body: redact(created) };
    }
    if (method === 'PUT' && uid) {
      const i = this.contactPoints.findIndex((c) => c.uid === uid);
      if (i < 0) {
        return { status: 404, body: { message: 'contact point not found' } };
      }
      if (this.contactPoints[i]!.provenance === 'file') {
        return FILE_PROVISIONED;
      }
      this.contactPoints[i] = { ...cp, uid };
      return { status: 202, body: { message: 'contactpoint updated' } };
    }
    return { status: 405, body: { message: `${method} not allowed` } };
  }

  /** The test harness delivers nothing: every integration reports a failed delivery, in Grafana's multi-status shape. */
  private receiverTest(body: { receivers?: Array<{ name: string; grafana_managed_receiver_configs?: Array<{ name?: string; uid?: string }> }> }): Answer {
    const receivers = (body?.receivers ?? []).map((r) => ({
      name: r.name,
      grafana_managed_receiver_configs: (r.grafana_managed_receiver_configs ?? []).map((c) => ({
        name: c.name ?? r.name, uid: c.uid, status: 'failed', error: 'the browser test server does not deliver notifications',
      })),
    }));
    return { status: 207, body: { receivers, notified_at: new Date().toISOString() } };
  }
}
