import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { envReferences, interpolatedStrings, PROVISIONING, readYaml, ROOT, yamlFiles } from './load.js';

// docker-compose.yml: validated by Debian's docker-compose (`config` resolves and checks the file
// against the compose schema, interpolating the environment), then checked for what keeps the stack
// safe and wired: the collector reaches Docker only through a read-only socket proxy.

const COMPOSE = path.join(ROOT, 'docker-compose.yml');
const ENV = { SHIPWATCH_API_TOKEN: 'compose-test-token-0123456789' };
/** Tecnativa docker-socket-proxy's API sections: only these may be open for the collector. */
const OPEN = ['EVENTS', 'CONTAINERS', 'IMAGES', 'INFO', 'VERSION', 'PING'];
const CLOSED = ['ALLOW_RESTARTS', 'ALLOW_START', 'ALLOW_STOP', 'AUTH', 'BUILD', 'COMMIT', 'CONFIGS', 'DISTRIBUTION', 'EXEC', 'GRPC', 'NETWORKS', 'NODES', 'PLUGINS', 'POST', 'SECRETS', 'SERVICES', 'SESSION', 'SWARM', 'SYSTEM', 'TASKS', 'VOLUMES'];

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: unknown[];
  networks?: Record<string, unknown> | string[];
  privileged?: boolean;
  read_only?: boolean;
  command?: string | string[];
}
interface Compose { services: Record<string, Service>; networks?: Record<string, { internal?: boolean } | null> }

function dockerCompose(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // A clean environment: only PATH and what the test passes, so a developer's .env or shell does not leak in.
  const r = spawnSync('docker-compose', ['-f', COMPOSE, '--project-directory', ROOT, ...args], {
    encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...ENV },
  });
  if (r.error) throw new Error(`docker-compose not runnable (${r.error.message}): install Debian's docker-compose (scripts/test-deps.sh does)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const config = (): Compose => {
  const r = dockerCompose('config');
  assert.equal(r.status, 0, `docker-compose config: ${r.stderr}`);
  return parse(r.stdout) as Compose;
};

/** `host:container[:mode]` of a short-syntax volume as docker-compose config prints it. */
function mounts(s: Service): { source: string; target: string; mode: string }[] {
  return (s.volumes ?? []).map((v) => {
    const [source, target, mode = 'rw'] = v.split(':');
    return { source: source!, target: target!, mode };
  });
}
const networksOf = (s: Service) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe('docker-compose.yml', () => {
  const cfg = config();
  const svc = (name: string) => {
    const s = cfg.services[name];
    assert.ok(s, `service ${name}`);
    return s;
  };

  it('docker-compose config accepts it, and refuses to run without SHIPWATCH_API_TOKEN', () => {
    assert.deepEqual(Object.keys(cfg.services).sort(), ['collector', 'grafana', 'loki', 'prometheus', 'socket-proxy']);
    const r = spawnSync('docker-compose', ['-f', COMPOSE, 'config'], { encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SHIPWATCH_API_TOKEN/);
  });

  it('no service mounts the Docker socket read-write; only the socket proxy mounts it at all', () => {
    assert.ok(!/docker\.sock[^\n]*:rw/.test(fs.readFileSync(COMPOSE, 'utf8')), 'no :rw on docker.sock in the file');
    for (const [name, s] of Object.entries(cfg.services)) {
      for (const m of mounts(s).filter((x) => x.source.includes('docker.sock') || x.target.includes('docker.sock'))) {
        assert.equal(name, 'socket-proxy', `${name} mounts ${m.source}`);
        assert.equal(m.mode, 'ro', 'the proxy mounts the socket read-only');
      }
      assert.notEqual(s.privileged, true, `${name} is privileged`);
    }
    assert.ok(mounts(svc('socket-proxy')).some((m) => m.target === '/var/run/docker.sock'), 'the proxy has the socket');
  });

  it('the socket proxy lets through GET on events, containers, images, info and version only, on an internal network', () => {
    const p = svc('socket-proxy');
    assert.match(p.image ?? '', /^tecnativa\/docker-socket-proxy(:|$)/);
    const env = p.environment ?? {};
    for (const k of OPEN.filter((x) => x !== 'PING')) assert.equal(env[k], '1', `${k}=1`);
    for (const k of CLOSED) assert.equal(env[k], '0', `${k} must be explicitly 0`);
    for (const [k, v] of Object.entries(env)) if (v === '1') assert.ok(OPEN.includes(k), `${k}=1 opens more than the collector needs`);
    assert.equal(p.ports, undefined, 'the proxy is not published on the host');
    assert.equal(p.read_only, true);
    const shared = networksOf(p);
    assert.deepEqual(Object.entries(cfg.services).filter(([, s]) => networksOf(s).some((n) => shared.includes(n))).map(([n]) => n).sort(), ['collector', 'socket-proxy'], 'only the collector shares a network with the proxy');
    for (const n of shared) assert.equal(cfg.networks?.[n]?.internal, true, `network ${n} is internal`);
  });

  it('the collector is built from the repository, reaches Docker through the proxy and pushes to Loki', () => {
    const c = svc('collector');
    assert.ok(c.build, 'built from the repository');
    const dockerfile = path.join(c.build.context, c.build.dockerfile ?? 'Dockerfile');
    assert.ok(fs.existsSync(dockerfile), dockerfile);
    const env = c.environment ?? {};
    assert.equal(env.SHIPWATCH_DOCKER_SOCKET, 'tcp://socket-proxy:2375');
    assert.equal(env.SHIPWATCH_LOKI_URL, 'http://loki:3100');
    assert.equal(env.SHIPWATCH_API_TOKEN, ENV.SHIPWATCH_API_TOKEN);
    assert.match(env.SHIPWATCH_API_LISTEN ?? '', /^0\.0\.0\.0:7475$/, 'listens on the compose network, where Prometheus scrapes collector:7475');
    assert.equal(mounts(c).filter((m) => m.source.includes('docker') || m.target.includes('docker')).length, 0, 'no direct socket mount');
    assert.equal(c.read_only, true);
    const scrape = readYaml<{ scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>(path.join(PROVISIONING, 'prometheus/prometheus.yml'));
    assert.ok(scrape.scrape_configs.some((j) => j.static_configs.some((s) => s.targets.includes(`collector:${env.SHIPWATCH_API_LISTEN!.split(':')[1]}`))), 'Prometheus scrapes the collector');
  });

  it('the collector Dockerfile: Node 20, npm ci, builds the backend, runs as a non-root user', () => {
    const c = svc('collector');
    const text = fs.readFileSync(path.join(c.build!.context, c.build!.dockerfile ?? 'Dockerfile'), 'utf8');
    assert.match(text, /^ARG NODE_IMAGE=node:20[-\w.]*$/m);
    assert.match(text, /^FROM \$\{NODE_IMAGE\}/m);
    assert.match(text, /npm ci/);
    assert.match(text, /npm run build -w backend/);
    assert.match(text, /^COPY rules rules$/m, 'the shipped rules');
    assert.match(text, /^USER node$/m);
    assert.match(text, /^ENTRYPOINT \["node", "backend\/dist\/cli\.js"\]$/m);
    const ignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
    assert.match(ignore, /^\*\*\/node_modules$/m, 'host node_modules stay out of the build context');
  });

  it('grafana: 12.4 with the unsigned app plugin from ./dist, provisioning and dashboards mounted', () => {
    const g = svc('grafana');
    assert.match(g.image ?? '', /^grafana\/grafana:12\.4\.\d+$/);
    const env = g.environment ?? {};
    assert.equal(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS, 'shipwatch-containersecurity-app');
    const m = mounts(g);
    const at = (target: string) => m.find((x) => x.target === target);
    assert.equal(at('/var/lib/grafana/plugins/shipwatch-containersecurity-app')?.source, path.join(ROOT, 'dist'));
    assert.equal(at('/etc/grafana/provisioning')?.source, PROVISIONING);
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(path.join(PROVISIONING, 'dashboards/shipwatch.yaml')).providers[0]!;
    assert.equal(at(provider.options.path)?.source, path.join(ROOT, 'dashboards'), 'the dashboards provider path holds ./dashboards');
    for (const x of m.filter((y) => y.source.startsWith('/'))) assert.equal(x.mode, 'ro', `${x.target} read-only`);
  });

  it('grafana gets every environment variable the provisioning files refer to, and the datasource URLs point at the compose services', () => {
    const env = svc('grafana').environment ?? {};
    const used = new Set(yamlFiles().filter((f) => !f.startsWith('prometheus/')).flatMap((f) => interpolatedStrings(f).flatMap(envReferences)));
    assert.ok(used.size >= 7, [...used].join(', '));
    for (const name of used) assert.ok(env[name], `grafana: ${name} is not set`);
    assert.equal(env.SHIPWATCH_PROMETHEUS_URL, 'http://prometheus:9090');
    assert.equal(env.SHIPWATCH_LOKI_URL, 'http://loki:3100');
    assert.equal(env.SHIPWATCH_COLLECTOR_URL, `http://collector:${svc('collector').environment!.SHIPWATCH_API_LISTEN!.split(':')[1]}`);
    assert.equal(env.SHIPWATCH_API_TOKEN, svc('collector').environment!.SHIPWATCH_API_TOKEN, 'the plugin and the collector share the token');
  });

  it('prometheus mounts the provisioned prometheus.yml', () => {
    const p = svc('prometheus');
    assert.ok(mounts(p).some((m) => m.source === path.join(PROVISIONING, 'prometheus/prometheus.yml') && m.target === '/etc/prometheus/prometheus.yml'));
    assert.ok((Array.isArray(p.command) ? p.command : [p.command]).includes('--config.file=/etc/prometheus/prometheus.yml'));
  });
});
