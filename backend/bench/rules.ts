// Detection engine throughput on one core.
//   npx tsx backend/bench/rules.ts [--rules DIR] [--events N] [--by-source] [--only SOURCE]
//   BENCH_PROFILE=out.cpuprofile npx tsx backend/bench/rules.ts   (CPU profile of the timed loop)
// Rules come from DIR (default: the repository's rules/) when it holds YAML files, otherwise from
// a synthetic set of ~150 rules shaped like the shipped ones. Events are a mixed synthetic corpus
// using DESIGN.md §3 field names: Docker events, Kubernetes audit events, application log lines
// with HTTP fields, and metric samples.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShipEvent } from '../src/event/event.js';
import { DetectionEngine } from '../src/transforms/detect/index.js';
import { report } from './report.js';

const TARGET = 250_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const rulesDir = resolve(arg('--rules') ?? join(here, '..', '..', 'rules'));
const total = Number(arg('--events') ?? 1_000_000);

// Deterministic pseudo-random numbers, so two runs see the same corpus.
let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

// ---------------------------------------------------------------------------------------------
// Synthetic rules

function syntheticRules(): string {
  const out: string[] = [];
  let id = 100_000;
  const rule = (fields: Record<string, unknown>): number => {
    id += 1;
    const lines = [`  - id: ${id}`];
    for (const [k, v] of Object.entries(fields)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
    out.push(lines.join('\n'));
    return id;
  };
  const lifecycle = ['create', 'start', 'stop', 'kill', 'die', 'destroy', 'pause', 'unpause', 'restart', 'rename', 'update'];
  for (const a of lifecycle) rule({ level: 3, description: `container ${a}: {container.name}`, groups: ['container_lifecycle'], condition: `event.source = docker and event.action = ${a}` });
  const dieId = id - 6;
  rule({ parent: dieId, level: 7, description: 'container {container.name} crashed', groups: ['crash'], condition: 'container.exit_code != 0' });
  const crashId = id;
  rule({ parent: crashId, level: 10, description: 'restart loop {container.name}', groups: ['restart_loop'], frequency: 5, timeframe: '5m', same: ['container.id'] });
  rule({ parent: crashId, level: 9, description: 'oom {container.name}', groups: ['oom'], condition: 'container.exit_code = 137' });
  const execId = rule({ level: 4, description: 'exec into {container.name}', groups: ['container_exec'], condition: 'event.source = docker and event.action in (exec_create, exec_start)' });
  rule({ parent: execId, level: 8, description: 'shell in {container.name}', groups: ['shell'], mitre: ['T1059.004'], condition: 'docker.exec.command regex "^(/usr)?(/bin/)?(ba|z|da|a)?sh( |$)"' });
  rule({ parent: execId, level: 0, description: 'health check exec', condition: 'docker.exec.command startswith (/healthcheck, pg_isready, redis-cli)' });
  for (const cap of ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'ALL', 'SYS_MODULE', 'DAC_READ_SEARCH']) {
    rule({ level: 9, description: `capability ${cap} on {container.name}`, groups: ['capabilities'], condition: `event.action in (create, start) and container.cap_add intersects (${cap})` });
  }
  rule({ level: 10, description: 'privileged {container.name}', groups: ['privileged'], condition: 'event.source = docker and event.action in (create, start) and container.privileged = true' });
  for (const m of ['host']) {
    for (const f of ['network_mode', 'pid_mode', 'ipc_mode']) rule({ level: 8, description: `host ${f}`, groups: ['host_namespace'], condition: `event.action = start and container.${f} = ${m}` });
  }
  for (const p of ['/var/run/docker.sock', '/', '/etc', '/proc', '/root', '/var/run', '/boot', '/dev']) {
    rule({ level: 10, description: `sensitive mount ${p}`, groups: ['sensitive_mount'], condition: `event.action = start and container.mounts.source = "${p}"` });
  }
  for (const a of ['pull', 'push', 'tag', 'untag', 'delete', 'import', 'load', 'save', 'commit']) {
    rule({ level: 3, description: `image ${a} {docker.actor.id}`, groups: ['image'], condition: `event.source = docker and docker.type = image and event.action = ${a}` });
  }
  rule({ level: 6, description: 'untrusted registry {container.image}', groups: ['untrusted_registry'], condition: 'event.action = pull and not container.image startswith (docker.io/, ghcr.io/, registry.k8s.io/, quay.io/)' });
  for (const t of ['network', 'volume', 'secret', 'config', 'plugin', 'service', 'node']) {
    for (const a of ['create', 'destroy', 'remove', 'connect']) rule({ level: 2, description: `${t} ${a}`, groups: [t], condition: `event.source = docker and docker.type = ${t} and event.action = ${a}` });
  }
  rule({ level: 5, description: 'unhealthy {container.name}', groups: ['unhealthy'], condition: 'event.action = health_status and docker.health_status = unhealthy', ignore: '10m', same: ['container.id'] });
  rule({ level: 6, description: 'docker cp {container.name}', groups: ['file_copy'], condition: 'event.action in (archive-path, extract-to-dir)' });

  // Application logs.
  const weblog = rule({ level: 0, description: 'http request', condition: 'event.source = log and http.request.method exists' });
  const attacks: [string, string, string][] = [
    ['sqli', 'url.original icontains ("union select", "or 1=1", "sleep(", "information_schema", "benchmark(")', 'T1190'],
    ['sqli', 'url.original regex "(?i)(\\\\bselect\\\\b.+\\\\bfrom\\\\b|\\\\bdrop\\\\s+table)"', 'T1190'],
    ['xss', 'url.original icontains ("<script", "javascript:", "onerror=", "onload=", "%3cscript")', 'T1189'],
    ['path_traversal', 'url.original contains ("../", "..%2f", "%2e%2e/", "/etc/passwd")', 'T1083'],
    ['shellshock', 'user_agent.original contains "() {"', 'T1190'],
    ['web_scan', 'user_agent.original icontains (nikto, sqlmap, nmap, masscan, dirbuster, gobuster, wpscan)', 'T1595'],
  ];
  for (const [tag, cond, mitre] of attacks) rule({ parent: weblog, level: 10, description: `${tag} from {source.ip}: {url.original}`, groups: ['web_attack', tag], mitre: [mitre], condition: cond });
  for (const ext of ['.env', '.git/config', 'wp-login.php', 'phpmyadmin', '.aws/credentials', 'server-status']) {
    rule({ parent: weblog, level: 6, description: `probe ${ext}`, groups: ['web_attack', 'web_scan'], condition: `url.original endswith "${ext}"` });
  }
  const client4xx = rule({ parent: weblog, level: 0, description: '4xx', condition: 'http.response.status_code >= 400 and http.response.status_code < 500' });
  rule({ parent: client4xx, level: 8, description: 'web scan from {source.ip}', groups: ['web_scan'], frequency: 20, timeframe: '1m', same: ['source.ip'], different: ['url.original'] });
  const server5xx = rule({ parent: weblog, level: 0, description: '5xx', condition: 'http.response.status_code >= 500' });
  rule({ parent: server5xx, level: 7, description: '5xx burst on {container.name}', groups: ['server_error_burst'], frequency: 10, timeframe: '1m', same: ['container.id'] });
  const authFail = rule({ level: 5, description: 'auth failure {user.name} from {source.ip}', groups: ['auth_failure'], condition: 'event.source = log and (log.message icontains ("failed password", "authentication failure", "invalid user") or http.response.status_code = 401)' });
  rule({ parent: authFail, level: 10, description: 'brute force from {source.ip}', groups: ['brute_force'], mitre: ['T1110'], frequency: 8, timeframe: '2m', same: ['source.ip'] });
  rule({ parent: authFail, level: 3, description: 'internal auth failure', condition: 'source.ip in_cidr (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)' });
  for (const lvl of ['error', 'fatal', 'panic', 'critical']) rule({ level: 4, description: `log ${lvl}`, groups: ['app_error'], condition: `event.source = log and log.level = ${lvl} and log.stream = stderr` });

  // Metrics.
  for (const [metric, tag, thr] of [
    ['metric.cpu.percent', 'resource_cpu', 90],
    ['metric.memory.percent', 'resource_memory', 90],
    ['metric.network.rx_bytes_per_second', 'resource_network', 50_000_000],
    ['metric.network.tx_bytes_per_second', 'resource_network', 50_000_000],
    ['metric.pids', 'resource_cpu', 1000],
  ] as const) {
    const base = rule({ level: 0, description: `${metric} high`, condition: `event.source = metric and ${metric} > ${thr}` });
    rule({ parent: base, level: 7, description: `sustained ${metric} on {container.name}`, groups: [tag], frequency: 6, timeframe: '1m', same: ['container.id'], ignore: '10m' });
  }

  // Kubernetes audit.
  const audit = rule({ level: 0, description: 'k8s audit', condition: 'event.source = k8s_audit and k8s.audit.stage = ResponseComplete' });
  const k8s: [string, string, number][] = [
    ['k8s_exec', 'k8s.audit.objectRef.resource = pods and k8s.audit.objectRef.subresource in (exec, attach)', 8],
    ['k8s_privileged_pod', 'k8s.audit.verb = create and k8s.audit.objectRef.resource = pods and k8s.audit.requestObject.spec.containers.securityContext.privileged = true', 10],
    ['k8s_host_network', 'k8s.audit.verb = create and k8s.audit.requestObject.spec.hostNetwork = true', 8],
    ['k8s_sensitive_mount', 'k8s.audit.verb = create and k8s.audit.requestObject.spec.volumes.hostPath.path in (/, /etc, /proc, /var/run/docker.sock, /root)', 10],
    ['k8s_cluster_admin', 'k8s.audit.objectRef.resource = clusterrolebindings and k8s.audit.requestObject.roleRef.name = cluster-admin', 12],
    ['k8s_rbac', 'k8s.audit.objectRef.resource in (roles, clusterroles, rolebindings, clusterrolebindings) and k8s.audit.verb in (create, update, patch, delete)', 6],
    ['k8s_anonymous', 'k8s.audit.user.username = "system:anonymous"', 9],
    ['k8s_secret', 'k8s.audit.objectRef.resource = secrets and k8s.audit.verb in (get, list) and not k8s.audit.user.username startswith "system:"', 7],
    ['k8s_configmap_credentials', 'k8s.audit.objectRef.resource = configmaps and k8s.audit.verb in (create, update) and k8s.audit.requestObject.data icontains (password, aws_secret, token)', 7],
    ['k8s_nodeport', 'k8s.audit.objectRef.resource = services and k8s.audit.requestObject.spec.type = NodePort', 5],
    ['k8s_kube_namespace', 'k8s.audit.objectRef.namespace in (kube-system, kube-public) and k8s.audit.verb = create and not k8s.audit.user.username startswith "system:"', 6],
    ['k8s_service_account', 'k8s.audit.objectRef.resource = serviceaccounts and k8s.audit.verb = create', 4],
    ['k8s_resource_change', 'k8s.audit.verb in (delete, deletecollection) and k8s.audit.objectRef.resource in (deployments, daemonsets, statefulsets)', 5],
  ];
  for (const [tag, cond, level] of k8s) rule({ parent: audit, level, description: `${tag}: {k8s.audit.user.username} {k8s.audit.verb} {k8s.audit.objectRef.resource}`, groups: ['k8s_audit', tag], condition: cond });
  for (const code of [401, 403]) rule({ level: 5, description: `k8s ${code}`, groups: ['k8s_audit'], condition: `event.source = k8s_audit and k8s.audit.responseStatus.code = ${code}` });
  for (const ns of ['default', 'prod', 'staging', 'monitoring']) {
    for (const res of ['pods', 'deployments', 'services']) {
      rule({ level: 2, description: `change in ${ns}/${res}`, groups: ['k8s_audit', 'k8s_resource_change'], condition: `event.source = k8s_audit and k8s.audit.objectRef.namespace = ${ns} and k8s.audit.objectRef.resource = ${res} and k8s.audit.verb in (create, update, patch, delete)` });
    }
  }
  // Kubernetes watch events.
  for (const a of ['create', 'delete', 'update']) rule({ level: 2, description: `pod ${a}`, groups: ['k8s_resource_change'], condition: `event.source = kubernetes and event.action = ${a} and k8s.resource = pods` });

  return `rules:\n${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Synthetic events

const T0 = Date.UTC(2025, 0, 1);
function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

const containers = Array.from({ length: 60 }, (_, i) => ({
  id: `c${i.toString(16).padStart(12, '0')}`,
  name: `svc-${i}`,
  image: i % 9 === 0 ? 'evil.example/miner:latest' : pick(['docker.io/library/nginx:1.25', 'ghcr.io/acme/api:2', 'quay.io/prometheus/node-exporter']),
  labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': `svc${i % 7}` },
  privileged: i % 17 === 0,
  cap_add: i % 11 === 0 ? ['NET_ADMIN'] : [],
  mounts: i % 13 === 0 ? [{ type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', rw: true }] : [{ type: 'volume', source: '/var/lib/docker/volumes/x', destination: '/data', rw: true }],
  network_mode: i % 19 === 0 ? 'host' : 'bridge',
}));

// Mostly ordinary traffic, with the few percent of attacks, scanners and errors a public service
// sees; every Docker lifecycle event raises a low-level alert, as the shipped rules intend.
const normalUrls = ['/', '/api/orders', '/api/users/42', '/static/app.js', '/login', '/health', '/api/search?q=shoes', '/api/cart', '/favicon.ico', '/metrics'];
const attackUrls = ['/index.php?id=1 UNION SELECT password FROM users', '/../../etc/passwd', '/.env', '/wp-login.php', '/?q=<script>alert(1)</script>', '/.git/config'];
const normalAgents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'kube-probe/1.29', 'Go-http-client/1.1', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)'];
const badAgents = ['sqlmap/1.7', 'Nikto/2.5', '() { :; }; /bin/bash -c id'];
const weighted = <T>(entries: [T, number][]): T => {
  let r = rnd();
  for (const [v, w] of entries) {
    if ((r -= w) < 0) return v;
  }
  return entries[entries.length - 1]![0];
};

function logEvent(t: number): ShipEvent {
  const c = pick(containers);
  const status = weighted<number>([[200, 0.8], [304, 0.04], [301, 0.02], [404, 0.06], [403, 0.03], [401, 0.02], [500, 0.015], [502, 0.015]]);
  const url = rnd() < 0.03 ? pick(attackUrls) : pick(normalUrls);
  const agent = rnd() < 0.02 ? pick(badAgents) : pick(normalAgents);
  const ip = rnd() < 0.3 ? `10.0.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 250)}` : `203.0.113.${Math.floor(rnd() * 200)}`;
  if (rnd() < 0.05) {
    return {
      event: { id: `e${t}`, time: stamp(t), source: 'log', action: 'line' },
      host: { name: 'node-1' },
      container: { id: c.id, name: c.name, image: c.image, labels: c.labels },
      log: { stream: 'stdout', format: 'plain', message: rnd() < 0.3 ? `Failed password for invalid user admin from ${ip} port 22 ssh2` : `worker ${t % 16} processed batch` },
      source: { ip },
    };
  }
  return {
    event: { id: `e${t}`, time: stamp(t), source: 'log', action: 'line' },
    host: { name: 'node-1' },
    container: { id: c.id, name: c.name, image: c.image, labels: c.labels },
    log: { stream: status >= 500 ? 'stderr' : 'stdout', format: 'nginx', message: `${ip} - - "GET ${url} HTTP/1.1" ${status} 512 "-" "${agent}"`, level: status >= 500 ? 'error' : 'info' },
    http: { request: { method: pick(['GET', 'GET', 'GET', 'POST', 'PUT']) }, response: { status_code: status } },
    url: { original: url },
    source: { ip },
    user_agent: { original: agent },
  };
}

function dockerEvent(t: number): ShipEvent {
  const c = pick(containers);
  const action = weighted<string>([['start', 0.15], ['create', 0.12], ['die', 0.12], ['stop', 0.1], ['destroy', 0.1], ['exec_create', 0.1], ['exec_start', 0.1], ['health_status', 0.1], ['pull', 0.04], ['connect', 0.04], ['kill', 0.03]]);
  const type = action === 'pull' ? 'image' : action === 'connect' ? 'network' : 'container';
  const docker: Record<string, unknown> = { type, action, raw_action: action, actor: { id: c.id, attributes: { name: c.name, image: c.image } } };
  if (action.startsWith('exec')) docker.exec = { command: weighted<string>([['/healthcheck.sh', 0.6], ['pg_isready', 0.2], ['cat /etc/hosts', 0.1], ['sh -c ls', 0.07], ['bash -i', 0.03]]) };
  if (action === 'health_status') docker.health_status = rnd() < 0.05 ? 'unhealthy' : 'healthy';
  const container: Record<string, unknown> = { ...c };
  if (action === 'die') container.exit_code = weighted<number>([[0, 0.8], [1, 0.15], [137, 0.05]]);
  return { event: { id: `e${t}`, time: stamp(t), source: 'docker', action }, host: { name: 'node-1' }, container, docker };
}

function metricEvent(t: number): ShipEvent {
  const c = pick(containers);
  return {
    event: { id: `e${t}`, time: stamp(t), source: 'metric', action: 'sample' },
    host: { name: 'node-1' },
    container: { id: c.id, name: c.name, image: c.image },
    metric: {
      cpu: { percent: rnd() < 0.05 ? 95 + rnd() * 5 : rnd() * 60 },
      memory: { working_set_bytes: Math.floor(rnd() * 5e8), percent: rnd() * 100 },
      network: { rx_bytes_per_second: rnd() * 1e6, tx_bytes_per_second: rnd() * 1e6 },
      pids: Math.floor(rnd() * 200),
    },
  };
}

function auditEvent(t: number): ShipEvent {
  const resource = weighted<string>([['leases', 0.3], ['pods', 0.25], ['endpoints', 0.1], ['configmaps', 0.1], ['secrets', 0.08], ['deployments', 0.07], ['services', 0.05], ['serviceaccounts', 0.03], ['clusterrolebindings', 0.02]]);
  const verb = weighted<string>([['get', 0.35], ['list', 0.2], ['watch', 0.15], ['update', 0.15], ['patch', 0.06], ['create', 0.06], ['delete', 0.03]]);
  const user = weighted<string>([['system:serviceaccount:kube-system:replicaset-controller', 0.4], ['system:kube-scheduler', 0.3], ['system:node:node-1', 0.2], ['alice@example.com', 0.05], ['ci-bot', 0.04], ['system:anonymous', 0.01]]);
  const ns = pick(['default', 'kube-system', 'prod', 'monitoring']);
  return {
    event: { id: `e${t}`, time: stamp(t), source: 'k8s_audit', action: verb },
    host: { name: 'control-plane' },
    k8s: {
      namespace: ns,
      verb,
      resource,
      audit: {
        kind: 'Event',
        stage: 'ResponseComplete',
        auditID: `a-${t}`,
        verb,
        user: { username: user, groups: ['system:authenticated'] },
        objectRef: { resource, namespace: ns, name: `obj-${t % 97}`, subresource: resource === 'pods' && rnd() < 0.1 ? 'exec' : undefined },
        responseStatus: { code: weighted<number>([[200, 0.9], [201, 0.05], [404, 0.03], [403, 0.02]]) },
        requestObject: verb === 'create' && resource === 'pods' ? { spec: { hostNetwork: rnd() < 0.1, containers: [{ name: 'x', securityContext: { privileged: rnd() < 0.1 } }], volumes: [{ name: 'v', hostPath: { path: pick(['/data', '/etc', '/var/log']) } }] } } : undefined,
      },
    },
  };
}

function buildCorpus(n: number): ShipEvent[] {
  const out: ShipEvent[] = [];
  let t = T0;
  for (let i = 0; i < n; i += 1) {
    t += Math.floor(rnd() * 20);
    const r = rnd();
    out.push(r < 0.4 ? logEvent(t) : r < 0.7 ? metricEvent(t) : r < 0.88 ? dockerEvent(t) : auditEvent(t));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const yamlFiles = existsSync(rulesDir) ? readdirSync(rulesDir).filter((f) => /\.ya?ml$/i.test(f)) : [];
let engine: DetectionEngine;
let origin: string;
if (yamlFiles.length > 0) {
  engine = DetectionEngine.fromDirs({ shippedDir: rulesDir });
  origin = `${rulesDir} (${yamlFiles.length} files)`;
} else {
  engine = DetectionEngine.fromYaml([{ name: 'synthetic.yaml', text: syntheticRules() }]);
  origin = 'synthetic rule set';
}
const errors = engine.loadErrors().filter((i) => i.severity === 'error');
if (errors.length > 0) {
  console.error(`${errors.length} rule load errors, first: ${errors[0]!.file}:${errors[0]!.line}:${errors[0]!.column} ${errors[0]!.message}`);
}
const rules = engine.rules();
console.log(`rules: ${rules.length} (${rules.filter((r) => !r.error && r.enabled).length} active) from ${origin}`);

const only = arg('--only');
const corpus = buildCorpus(50_000).filter((e) => !only || e.event.source === only);
const mix = corpus.reduce<Record<string, number>>((m, e) => ((m[e.event.source] = (m[e.event.source] ?? 0) + 1), m), {});
console.log(`corpus: ${corpus.length} distinct events, mix ${JSON.stringify(mix)}`);

// Event times must keep moving forward across passes over the corpus, or correlation windows would
// see time jump backwards: between passes (outside the timed part) the times are shifted in place
// by the corpus span. Reusing the corpus objects keeps the heap small, as in a live pipeline.
const baseTimes = corpus.map((e) => Date.parse(e.event.time));
const span = baseTimes[baseTimes.length - 1]! - T0 + 1000;
// The time strings of the timed passes are made up front (when they fit in memory): strings made
// between passes would be young objects hanging off the old corpus, and the collector would charge
// the bench's own bookkeeping to the engine. A live pipeline has no such old-to-young traffic: its
// events are new and die young.
const timedPasses = Math.ceil(total / Math.max(1, corpus.length));
const prepared = new Map<number, string[]>();
if (timedPasses <= 40) {
  for (let p = 1; p <= timedPasses; p += 1) prepared.set(p, baseTimes.map((t) => stamp(t + p * span)));
}
function shiftTimes(pass: number): void {
  const ready = prepared.get(pass);
  for (let i = 0; i < corpus.length; i += 1) corpus[i]!.event.time = ready ? ready[i]! : stamp(baseTimes[i]! + pass * span);
}

function makeEngine(): DetectionEngine {
  return yamlFiles.length > 0 ? DetectionEngine.fromDirs({ shippedDir: rulesDir }) : DetectionEngine.fromYaml([{ name: 'synthetic.yaml', text: syntheticRules() }]);
}

// Warm-up (JIT) on a throw-away engine, then the timed run on a fresh one.
for (let i = 0; i < 50_000; i += 1) engine.evaluate(corpus[i % corpus.length]!);
const fresh = makeEngine();

// BENCH_PROFILE=file.cpuprofile records a V8 CPU profile of the timed loop only.
const { Session } = await import('node:inspector');
const session = process.env.BENCH_PROFILE ? new Session() : undefined;
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((ok, ko) => session!.post(method, params ?? {}, (err, res) => (err ? ko(err) : ok(res))));
if (session) {
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
}

// Evaluation runs on one JS thread; the rate is events over the wall time of the timed loop. CPU
// time of the process is printed too: it is higher than wall time when V8's GC helper threads
// run in parallel, and lower when a shared machine made this process wait for a core.
let alerts = 0;
let done = 0;
let elapsedNs = 0;
let cpuUs = 0;
let pass = 0;
for (; done < total; pass += 1) {
  shiftTimes(pass + 1);
  const n = Math.min(corpus.length, total - done);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) alerts += fresh.evaluate(corpus[i]!).length;
  elapsedNs += Number(process.hrtime.bigint() - t0);
  const c1 = process.cpuUsage(c0);
  cpuUs += c1.user + c1.system;
  done += n;
}
const rate = done / (elapsedNs / 1e9);
const cpuRate = done / (cpuUs / 1e6);
if (session) {
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
}
// --by-source: the cost of each kind of event on its own (one pass, fresh engine each).
if (process.argv.includes('--by-source')) {
  for (const src of ['metric', 'log', 'docker', 'k8s_audit']) {
    const evs = corpus.filter((e) => e.event.source === src);
    const eng = makeEngine();
    for (let i = 0; i < Math.min(evs.length, 5000); i += 1) eng.evaluate(evs[i]!);
    let al = 0;
    const t1 = process.hrtime.bigint();
    for (const e of evs) al += eng.evaluate(e).length;
    const ns = Number(process.hrtime.bigint() - t1) / evs.length;
    console.log(`  ${src}: ${(ns / 1000).toFixed(2)} µs/event, ${(al / evs.length).toFixed(2)} alerts/event`);
  }
}

// Per-event latency, measured in a separate pass so the clock reads do not slow the rate above.
const lat = new Float64Array(Math.min(done, 200_000));
for (let i = 0; i < lat.length; i += 1) {
  if (i % corpus.length === 0) shiftTimes(1000 + i / corpus.length);
  const ev = corpus[i % corpus.length]!;
  const s0 = process.hrtime.bigint();
  engine.evaluate(ev);
  lat[i] = Number(process.hrtime.bigint() - s0);
}
lat.sort();
const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]! / 1000;

const s = fresh.stats();
console.log(`${done} events in ${(elapsedNs / 1e6).toFixed(0)} ms wall, ${(cpuUs / 1000).toFixed(0)} ms CPU; ${alerts} alerts (${(alerts / done).toFixed(2)}/event), correlation keys ${s.correlationKeys}, runtime errors ${s.runtimeErrors}`);
console.log(`${Math.round(rate)} events/s (per CPU-second of the process: ${Math.round(cpuRate)})`);
console.log(`p50 per-event: ${pct(0.5).toFixed(2)} µs, p99 per-event: ${pct(0.99).toFixed(2)} µs, max: ${(lat[lat.length - 1]! / 1000).toFixed(1)} µs`);
report('rules', rate, 'events/s', TARGET, `one core, ${origin}, p99 ${pct(0.99).toFixed(1)} µs/event`);
