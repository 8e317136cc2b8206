import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { ShipEvent } from '../../event/event.js';
import { getPath } from '../../event/fieldpath.js';
import { eventJson, jsonTextOf } from '../../event/json.js';
import {
  boundedCopy,
  credentialsInText,
  isCredentialName,
  isSensitiveHostPath,
  normalizeAuditEvent,
  parseAuditPayload,
  type NormalizeAuditOptions,
  summarizePodSpec,
  summarizeRules,
} from './k8s-audit.js';

const TRACES = '/work/shared/acceptance/k8s-audit/falco-0.34.1';
const EXPECTED = '/work/shared/acceptance/k8s-audit/expected.yaml';

function ok(r: ShipEvent | { error: string }): ShipEvent {
  if ('error' in r && typeof r.error === 'string') assert.fail(r.error);
  return r as ShipEvent;
}

const execEvent = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Request',
  auditID: 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6',
  stage: 'ResponseStarted',
  requestURI: '/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c&command=id&container=app&stdin=true&tty=true',
  verb: 'create',
  user: { username: 'dev@example.com', groups: ['devs', 'system:authenticated'] },
  impersonatedUser: { username: 'system:serviceaccount:default:builder' },
  sourceIPs: ['10.0.0.7', '10.0.0.8'],
  userAgent: 'kubectl/v1.29.0 (linux/amd64) kubernetes/abc',
  objectRef: { resource: 'pods', namespace: 'default', name: 'web-0', apiVersion: 'v1', subresource: 'exec' },
  responseStatus: { metadata: {}, code: 101 },
  requestReceivedTimestamp: '2024-02-01T10:00:00.123456Z',
  stageTimestamp: '2024-02-01T10:00:00.223456Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};

describe('parseAuditPayload', () => {
  test('EventList, array, single event, JSON lines text, bytes', () => {
    assert.deepEqual(parseAuditPayload({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [execEvent, execEvent] }).events.length, 2);
    assert.deepEqual(parseAuditPayload([execEvent]), { events: [execEvent], errors: [] });
    assert.deepEqual(parseAuditPayload(execEvent), { events: [execEvent], errors: [] });
    const text = `${JSON.stringify(execEvent)}\n{"kind":\n\n${JSON.stringify(execEvent)}\n`;
    const r = parseAuditPayload(text);
    assert.equal(r.events.length, 2);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.index, 1);
    assert.match(r.errors[0]!.message, /^line 2: invalid JSON/);
    assert.equal(parseAuditPayload(Buffer.from(JSON.stringify(execEvent))).events.length, 1);
    assert.deepEqual(parseAuditPayload({ kind: 'EventList', items: null }), { events: [], errors: [] });
  });

  test('bad items are reported by index, the rest kept', () => {
    const r = parseAuditPayload({ kind: 'EventList', items: [execEvent, { kind: 0 }, 'x', null, { ...execEvent, verb: undefined }, execEvent] });
    assert.equal(r.events.length, 2);
    assert.deepEqual(r.errors.map((e) => e.index), [1, 2, 3, 4]);
    assert.equal(r.errors[0]!.message, 'not an audit Event: kind must be "Event", got 0');
    assert.equal(r.errors[1]!.message, 'audit event must be a JSON object, got "x"');
    assert.equal(r.errors[3]!.message, 'audit event has no verb');
    assert.deepEqual(parseAuditPayload({ kind: 'EventList', items: 'no' }).errors, [{ index: 0, message: 'EventList.items is not an array' }]);
    assert.equal(parseAuditPayload(42).errors.length, 1);
    assert.match(parseAuditPayload({ ...execEvent, apiVersion: 'v1' }).errors[0]!.message, /apiVersion/);
    assert.match(parseAuditPayload({ ...execEvent, stageTimestamp: 'x', requestReceivedTimestamp: undefined }).errors[0]!.message, /stageTimestamp/);
  });
});

describe('normalizeAuditEvent', () => {
  test('exec into a pod', () => {
    const ev = ok(normalizeAuditEvent(execEvent, { hostName: 'cp-1' }));
    assert.match(ev.event.id, /^[0-9a-f-]{36}$/);
    const { id: _id, ...meta } = ev.event;
    assert.deepEqual(meta, { time: '2024-02-01T10:00:00.223456000Z', source: 'k8s_audit', action: 'exec', outcome: 'success' });
    assert.deepEqual(ev.host, { name: 'cp-1' });
    assert.deepEqual(ev.user, { name: 'dev@example.com' });
    assert.deepEqual(ev.source, { ip: '10.0.0.7' });
    assert.deepEqual(ev.user_agent, { original: 'kubectl/v1.29.0 (linux/amd64) kubernetes/abc' });
    const k8s = ev.k8s as Record<string, unknown>;
    assert.deepEqual({ ...k8s, audit: undefined }, {
      audit: undefined,
      verb: 'create', namespace: 'default', resource: 'pods', subresource: 'exec', name: 'web-0', pod: 'web-0', write: true,
      user: { anonymous: false, service_account: false, system: false, impersonated: 'system:serviceaccount:default:builder' },
      authorization: { decision: 'allow' },
      exec: { command: 'sh -c id', container: 'app', tty: true, stdin: true },
    });
    assert.deepEqual(k8s.audit, execEvent);
    assert.equal(getPath(ev, 'k8s.audit.user.username'), 'dev@example.com');
    assert.equal(getPath(ev, 'k8s.audit.objectRef.subresource'), 'exec');
    assert.equal(getPath(ev, 'k8s.audit.responseStatus.code'), 101);
  });

  test('time fallbacks and v1beta1', () => {
    const { stageTimestamp: _s, ...noStage } = execEvent;
    assert.equal(ok(normalizeAuditEvent(noStage)).event.time, '2024-02-01T10:00:00.123456000Z');
    const beta = { ...noStage, apiVersion: 'audit.k8s.io/v1beta1', requestReceivedTimestamp: undefined, timestamp: '2018-10-25T13:58:49+02:00' };
    assert.equal(ok(normalizeAuditEvent(beta)).event.time, '2018-10-25T11:58:49.000000000Z');
    assert.deepEqual(normalizeAuditEvent({ kind: 0 }), { error: 'not an audit Event: kind must be "Event", got 0' });
    assert.deepEqual(normalizeAuditEvent(undefined), { error: 'audit event must be a JSON object, got undefined' });
  });

  test('verbs: action is the verb except exec/attach/portforward', () => {
    const mk = (verb: string, subresource?: string): string =>
      ok(normalizeAuditEvent({ ...execEvent, verb, objectRef: { resource: 'pods', namespace: 'x', name: 'p', subresource } })).event.action;
    assert.equal(mk('delete'), 'delete');
    assert.equal(mk('get', 'attach'), 'attach');
    assert.equal(mk('create', 'portforward'), 'portforward');
    assert.equal(mk('get', 'log'), 'get');
    assert.equal(mk('watch'), 'watch');
    const denied = ok(normalizeAuditEvent({ ...execEvent, responseStatus: { code: 403 } }));
    assert.equal(denied.event.outcome, 'failure');
  });

  test('pod templates of workloads, and specs from the response when the request has none', () => {
    const deployment = {
      ...execEvent,
      verb: 'create',
      objectRef: { resource: 'cronjobs', namespace: 'ops', name: 'backup', apiGroup: 'batch' },
      requestObject: {
        kind: 'CronJob',
        metadata: { name: 'backup', managedFields: [{ manager: 'kubectl' }] },
        spec: {
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  hostPID: true,
                  securityContext: { runAsUser: 0 },
                  initContainers: [{ name: 'init', image: 'busybox', securityContext: { privileged: true } }],
                  containers: [{
                    name: 'main', image: 'alpine:3', ports: [{ containerPort: 80, hostPort: 8080 }],
                    securityContext: { capabilities: { add: ['SYS_ADMIN', 'cap_net_admin'] }, allowPrivilegeEscalation: true },
                  }],
                  volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }, { name: 'data', hostPath: { path: '/srv/data' } }],
                },
              },
            },
          },
        },
      },
    };
    const ev = ok(normalizeAuditEvent(deployment));
    assert.deepEqual(getPath(ev, 'k8s.pod_spec'), {
      privileged: true, privileged_containers: ['init'], host_network: false, host_pid: true, host_ipc: false, host_namespace: true,
      host_paths: ['/var/run/docker.sock', '/srv/data'], sensitive_host_paths: ['/var/run/docker.sock'], sensitive_mount: true,
      images: ['busybox', 'alpine:3'], capabilities_add: ['SYS_ADMIN', 'NET_ADMIN'], run_as_root: true, may_run_as_root: true,
      allow_privilege_escalation: true, seccomp_unconfined: false, host_ports: [8080], container_count: 2, from: 'request',
    });
    assert.equal(getPath(ev, 'k8s.audit.requestObject.metadata.managedFields'), undefined);
    assert.equal(getPath(ev, 'k8s.api_group'), 'batch');
    assert.equal(getPath(ev, 'k8s.labels'), undefined);
    const labelled = ok(normalizeAuditEvent({ ...deployment, requestObject: { ...deployment.requestObject, metadata: { name: 'b', labels: { 'app.kubernetes.io/name': 'backup', n: 1 } } } }));
    assert.deepEqual(getPath(labelled, 'k8s.labels'), { 'app.kubernetes.io/name': 'backup' });
    assert.equal(getPath(labelled, 'k8s.labels.app.kubernetes.io/name'), 'backup');

    const fromResponse = ok(normalizeAuditEvent({
      ...execEvent, verb: 'patch', objectRef: { resource: 'pods', namespace: 'n', name: 'p' },
      requestObject: { metadata: { labels: { a: 'b' } } },
      responseObject: { kind: 'Pod', spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] } },
    }));
    assert.equal(getPath(fromResponse, 'k8s.pod_spec.from'), 'response');
    assert.equal(getPath(fromResponse, 'k8s.pod_spec.host_network'), true);

    const nonRoot = summarizePodSpec({ securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }, { name: 'b', securityContext: { runAsUser: 1000 } }] }, 'request');
    assert.equal(nonRoot.may_run_as_root, false);
    assert.equal(nonRoot.run_as_root, false);
  });

  test('RBAC, configmaps, services, secrets, users', () => {
    const rules = summarizeRules([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['escalate'] },
      'junk',
    ]);
    assert.equal(rules.rule_count, 2);
    assert.equal(rules.read_secrets, true);
    assert.equal(rules.escalation_verbs, true);
    assert.equal(rules.write_verbs, false);
    assert.equal(rules.wildcard_resources, true);

    const cm = ok(normalizeAuditEvent({
      ...execEvent, objectRef: { resource: 'configmaps', namespace: 'app', name: 'cfg' },
      requestObject: { kind: 'ConfigMap', data: { 'app.json': '{"db": {"password": "hunter2"}}', DB_PASSWORD: 'x', token_url: 'https://a', note: 'no secrets here' }, binaryData: { 'bin': 'AA==' } },
    }));
    assert.deepEqual(getPath(cm, 'k8s.configmap'), {
      keys: ['app.json', 'DB_PASSWORD', 'token_url', 'note', 'bin'], has_credentials: true, credential_keys: ['password', 'DB_PASSWORD'],
    });

    const lb = ok(normalizeAuditEvent({
      ...execEvent, objectRef: { resource: 'services', namespace: 'app', name: 'lb' },
      requestObject: { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ port: 443 }], externalIPs: ['1.2.3.4'] } },
    }));
    assert.deepEqual(getPath(lb, 'k8s.service'), { type: 'LoadBalancer', node_ports: [], ports: [443], exposes_node_ports: true, external_ips: ['1.2.3.4'] });

    const sec = ok(normalizeAuditEvent({
      ...execEvent, objectRef: { resource: 'secrets', namespace: 'app', name: 'tls' }, requestObject: { kind: 'Secret', type: 'kubernetes.io/tls' },
    }));
    assert.deepEqual(getPath(sec, 'k8s.secret'), { type: 'kubernetes.io/tls', service_account_token: false });

    const anon = ok(normalizeAuditEvent({ ...execEvent, user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } }));
    assert.equal(getPath(anon, 'k8s.user.anonymous'), true);
    const kcm = ok(normalizeAuditEvent({ ...execEvent, user: { username: 'system:kube-controller-manager' } }));
    assert.equal(getPath(kcm, 'k8s.user.system'), true);
    const sa = ok(normalizeAuditEvent({ ...execEvent, user: { username: 'system:serviceaccount:kube-system:replicaset-controller' } }));
    assert.deepEqual(getPath(sa, 'k8s.user'), { anonymous: false, service_account: true, system: false, impersonated: 'system:serviceaccount:default:builder' });
  });

  test('credential heuristics', () => {
    for (const n of ['password', 'aws_access_key_id', 'aws-access-key-id', 'AWS_SECRET_ACCESS_KEY', 'aws-s3-access-key-id', 'passphrase', 'db.password', 'GITHUB_TOKEN', 'client-secret', 'api_key', 'apikey', 'dbPassword', 'apiKey', 'clientSecret']) {
      assert.equal(isCredentialName(n), true, n);
    }
    for (const n of ['color.good', 'tokenizer', 'password_file', 'secret_name', 'token_url', 'passwordPolicy', 'ui.properties', 'keyspace']) {
      assert.equal(isCredentialName(n), false, n);
    }
    assert.deepEqual(credentialsInText('color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n'), []);
    assert.deepEqual(credentialsInText('aws_access_key_id = MY-ID\naws_secret_access_key = MY-KEY\n'), ['aws_access_key_id', 'aws_secret_access_key']);
    assert.deepEqual(credentialsInText('password ='), []);
    assert.deepEqual(credentialsInText('-----BEGIN RSA PRIVATE KEY-----\nMIIE...'), ['<private key>']);
    assert.deepEqual(credentialsInText('key: AKIAIOSFODNN7EXAMPLE'), ['<aws access key id>']);
  });

  test('sensitive host paths', () => {
    for (const p of ['/', '/etc', '/etc/', '/etc/kubernetes/manifests', '/proc', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/root/.ssh', '/var/lib/kubelet', '//etc', '/var/../etc', '/home/admin']) {
      assert.equal(isSensitiveHostPath(p), true, p);
    }
    for (const p of ['/usr/local', '/srv/data', '/var/log', '/etcd-data', '/tmp', '/data/etc']) assert.equal(isSensitiveHostPath(p), false, p);
  });

  test('bounds on untrusted objects', () => {
    const huge = { kind: 'ConfigMap', data: { big: 'x'.repeat(1024 * 1024) } };
    const ev = ok(normalizeAuditEvent({ ...execEvent, objectRef: { resource: 'configmaps', name: 'c', namespace: 'n' }, requestObject: huge, responseObject: huge }));
    assert.ok(JSON.stringify(ev).length < 512 * 1024);
    assert.deepEqual(getPath(ev, 'k8s.audit_truncated'), ['requestObject', 'responseObject']);
    const noResp = ok(normalizeAuditEvent({ ...execEvent, responseObject: { a: 1 } }, { keepResponseObject: false }));
    assert.equal(getPath(noResp, 'k8s.audit.responseObject'), undefined);
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i += 1) deep = { a: deep };
    const c = boundedCopy(deep, { maxChars: 1000, maxDepth: 10, maxString: 10 });
    assert.equal(c.cut, true);
    assert.ok(JSON.stringify(c.value).length < 200);
    const weird = ok(normalizeAuditEvent({ ...execEvent, objectRef: 'x', user: 5, sourceIPs: 'x', annotations: [], requestObject: [1], responseStatus: 'x' }));
    assert.equal(weird.event.action, 'create');
    assert.equal(weird.user, undefined);
    assert.equal(weird.source, undefined);
  });

  test('a bounded copy is the value itself when the bounds change nothing, and shares what they leave as it is', () => {
    const b = { maxChars: 1000, maxDepth: 10, maxString: 10 };
    const fine = { metadata: { name: 'a', labels: { app: 'w' } }, spec: { n: [1, true, null, 'x'] } };
    assert.equal(boundedCopy(fine, b, true).value, fine);
    const cases: [string, unknown, unknown][] = [
      ['managed fields', { metadata: { name: 'a', managedFields: [{}] } }, { metadata: { name: 'a' } }],
      ['a long string', { s: 'x'.repeat(11) }, { s: 'x'.repeat(10) }],
      ['a non-finite number', { n: [1, Infinity] }, { n: [1, null] }],
      ['an undefined member', { u: undefined, s: 'x' }, { u: null, s: 'x' }],
      ['a date', { d: new Date(0) }, { d: {} }],
      ['too deep', { a: { a: { a: 1 } } }, { a: { a: '[truncated]' } }],
    ];
    for (const [what, v, copy] of cases) {
      const c = boundedCopy(v, { ...b, maxDepth: 2 }, true);
      assert.notEqual(c.value, v, what);
      assert.deepEqual(c.value, copy, what);
    }
    assert.equal(boundedCopy({ s: 'x'.repeat(600), t: 'y'.repeat(600) }, { ...b, maxString: 1000 }).cut, true, 'the total budget');
    // Copy on write: what the bounds leave as it is stays shared, and the input is not changed.
    const keep = { x: [1, 2] };
    const mixed = { keep, list: [keep, 'x'.repeat(11)] };
    const c = boundedCopy(mixed, b).value as typeof mixed;
    assert.deepEqual(c, { keep, list: [keep, 'x'.repeat(10)] });
    assert.equal(c.keep, keep);
    assert.equal(c.list[0], keep);
    assert.equal(mixed.list[1], 'x'.repeat(11));
  });

  test('keeps the received audit Event itself as k8s.audit when the bounds leave it as it is, with its text', () => {
    const text = JSON.stringify({ ...execEvent, requestObject: { kind: 'Pod', metadata: { name: 'p' } } });
    const received = JSON.parse(text) as Record<string, unknown>;
    const ev = ok(normalizeAuditEvent(received, {}, text));
    assert.equal(getPath(ev, 'k8s.audit'), received);
    assert.equal(jsonTextOf(received), text);
    assert.equal(eventJson(ev), JSON.stringify(ev));
    // Changed by the bounds (managed fields dropped, a string cut, the response left out): a copy,
    // and no text, so the store serializes what the event holds.
    const cases: [string, Record<string, unknown>, NormalizeAuditOptions][] = [
      ['managed fields', { ...execEvent, requestObject: { kind: 'Pod', metadata: { name: 'p', managedFields: [{}] } } }, {}],
      ['a long string', { ...execEvent, requestObject: { kind: 'Pod', data: 'x'.repeat(100) } }, { requestObjectBounds: { maxChars: 1000, maxDepth: 8, maxString: 10 } }],
      ['the response object', { ...execEvent, responseObject: { kind: 'Pod' } }, { keepResponseObject: false }],
      ['a __proto__ key', { ...execEvent, ['__proto__' as string]: { polluted: true } }, {}],
    ];
    for (const [what, obj, opts] of cases) {
      const t = what === 'a __proto__ key' ? JSON.stringify(execEvent).replace('{', '{"__proto__":{"polluted":true},') : JSON.stringify(obj);
      const parsed = JSON.parse(t) as Record<string, unknown>;
      const e = ok(normalizeAuditEvent(parsed, opts, t));
      const audit = getPath(e, 'k8s.audit') as object;
      assert.notEqual(audit, parsed, what);
      assert.equal(jsonTextOf(audit), undefined, what);
      assert.deepEqual(JSON.parse(eventJson(e)), JSON.parse(JSON.stringify(e)), what);
      assert.ok(!eventJson(e).includes('polluted'), what);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// The Falco traces against expected.yaml, with each tag written as the condition a shipped rule
// would use (the same fields, with the DESIGN.md §5 operators).

type Ev = ShipEvent;
const g = (e: Ev, p: string): unknown => getPath(e, p);
const inList = (e: Ev, p: string, list: string[]): boolean => list.includes(g(e, p) as string);
const MUTATING = ['create', 'update', 'patch'];

const TAG_CONDITIONS: Record<string, (e: Ev) => boolean> = {
  // event.source = k8s_audit
  k8s_audit: (e) => g(e, 'event.source') === 'k8s_audit',
  // event.action in (exec, attach)
  k8s_exec: (e) => inList(e, 'event.action', ['exec', 'attach']),
  // k8s.pod_spec.privileged = true and k8s.verb in (create, update, patch)
  k8s_privileged_pod: (e) => g(e, 'k8s.pod_spec.privileged') === true && inList(e, 'k8s.verb', MUTATING),
  // k8s.pod_spec.host_network = true and k8s.verb in (create, update, patch)
  k8s_host_network: (e) => g(e, 'k8s.pod_spec.host_network') === true && inList(e, 'k8s.verb', MUTATING),
  // k8s.pod_spec.sensitive_mount = true and k8s.verb in (create, update, patch)
  k8s_sensitive_mount: (e) => g(e, 'k8s.pod_spec.sensitive_mount') === true && inList(e, 'k8s.verb', MUTATING),
  // k8s.resource in (roles, clusterroles, rolebindings, clusterrolebindings) and k8s.write = true
  k8s_rbac: (e) => inList(e, 'k8s.resource', ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']) && g(e, 'k8s.write') === true,
  // k8s.rbac.cluster_admin = true and k8s.verb in (create, update, patch)
  k8s_cluster_admin: (e) => g(e, 'k8s.rbac.cluster_admin') === true && inList(e, 'k8s.verb', MUTATING),
  // k8s.user.anonymous = true
  k8s_anonymous: (e) => g(e, 'k8s.user.anonymous') === true,
  // k8s.resource = secrets and k8s.write = true and k8s.user.system = false and k8s.secret.service_account_token = false
  k8s_secret: (e) => g(e, 'k8s.resource') === 'secrets' && g(e, 'k8s.write') === true && g(e, 'k8s.user.system') === false &&
    g(e, 'k8s.secret.service_account_token') === false,
  // k8s.configmap.has_credentials = true and k8s.verb in (create, update, patch)
  k8s_configmap_credentials: (e) => g(e, 'k8s.configmap.has_credentials') === true && inList(e, 'k8s.verb', MUTATING),
  // k8s.service.type = NodePort and k8s.verb in (create, update, patch)
  k8s_nodeport: (e) => g(e, 'k8s.service.type') === 'NodePort' && inList(e, 'k8s.verb', MUTATING),
  // k8s.namespace in (kube-system, kube-public) and k8s.verb = create
  k8s_kube_namespace: (e) => inList(e, 'k8s.namespace', ['kube-system', 'kube-public']) && g(e, 'k8s.verb') === 'create',
  // k8s.resource = serviceaccounts and k8s.write = true
  k8s_service_account: (e) => g(e, 'k8s.resource') === 'serviceaccounts' && g(e, 'k8s.write') === true,
  // k8s.write = true and k8s.user.system = false and k8s.user.service_account = false
  k8s_resource_change: (e) => g(e, 'k8s.write') === true && g(e, 'k8s.user.system') === false && g(e, 'k8s.user.service_account') === false,
};

interface Expectation {
  must?: string[];
  must_not?: string[];
  count?: number;
  malformed?: boolean;
}

describe('RBAC bindings changed by patch', () => {
  test('a subjects-only patch still names the bound role from the stored object', () => {
    const ev = ok(normalizeAuditEvent({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'p1', stage: 'ResponseComplete', verb: 'patch',
      user: { username: 'alice' }, objectRef: { resource: 'clusterrolebindings', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' },
      requestObject: { subjects: [{ kind: 'User', name: 'mallory' }] },
      responseObject: { kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory' }] },
      responseStatus: { code: 200 }, stageTimestamp: '2026-01-01T00:00:00.000000Z',
    }));
    const rbac = (ev.k8s as { rbac: { cluster_admin: boolean; role_ref: { name: string }; subject_names: string[] } }).rbac;
    assert.equal(rbac.cluster_admin, true);
    assert.equal(rbac.role_ref.name, 'cluster-admin');
    assert.deepEqual(rbac.subject_names, ['User:mallory']);
  });
});

describe('Falco k8s audit traces', { skip: !fs.existsSync(TRACES) && 'traces not present' }, () => {
  test('every trace normalizes; the malformed one is rejected with a clear error', () => {
    const files = fs.readdirSync(TRACES).filter((f) => f.endsWith('.json')).sort();
    assert.equal(files.length, 47);
    let events = 0;
    for (const f of files) {
      const r = parseAuditPayload(fs.readFileSync(path.join(TRACES, f), 'utf8'));
      if (f === 'fal_01_003.json') {
        assert.deepEqual(r, { events: [], errors: [{ index: 0, message: 'not an audit Event: kind must be "Event", got 0' }] });
        continue;
      }
      assert.deepEqual(r.errors, [], f);
      for (const e of r.events) {
        const ev = ok(normalizeAuditEvent(e));
        assert.equal(ev.event.source, 'k8s_audit');
        assert.match(ev.event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
        assert.equal(g(ev, 'k8s.audit.auditID'), (e as { auditID: string }).auditID);
        events += 1;
      }
    }
    assert.equal(events, 51);
    // A batch with the malformed one in the middle loses nothing else.
    const all = files.map((f) => fs.readFileSync(path.join(TRACES, f), 'utf8').trim()).join('\n');
    const batch = parseAuditPayload(all);
    assert.equal(batch.events.length, 51);
    assert.equal(batch.errors.length, 1);
  });

  test('the convenience fields let simple conditions raise exactly what expected.yaml lists', { skip: !fs.existsSync(EXPECTED) && 'expected.yaml not present' }, () => {
    const expected = parseYaml(fs.readFileSync(EXPECTED, 'utf8')) as Record<string, Expectation>;
    let checked = 0;
    for (const [file, exp] of Object.entries(expected)) {
      if (exp?.malformed) continue;
      const r = parseAuditPayload(fs.readFileSync(path.join(TRACES, file), 'utf8'));
      const evs = r.events.map((e) => ok(normalizeAuditEvent(e)));
      const raised = (tag: string): number => evs.filter((e) => TAG_CONDITIONS[tag]!(e)).length;
      for (const tag of exp?.must ?? []) {
        assert.ok(TAG_CONDITIONS[tag], `no condition for ${tag}`);
        assert.ok(raised(tag) > 0, `${file}: must raise ${tag}`);
      }
      for (const tag of exp?.must_not ?? []) assert.equal(raised(tag), 0, `${file}: must not raise ${tag}`);
      if (exp?.count !== undefined) assert.equal(raised(exp.must![0]!), exp.count, `${file}: count`);
      checked += 1;
    }
    assert.equal(checked, 46);
  });
});
