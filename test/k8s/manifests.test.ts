// The Kubernetes manifests in deploy/kubernetes: they parse, carry what each kind needs, are all
// listed in kustomization.yaml, grant read-only RBAC without secrets or nodes/proxy, mount host
// paths read-only (but the node's state directory), never run privileged, and every SHIPWATCH_*
// variable they set is a real config key. A schema validator (kubeconform, kubeval) is not
// packaged in Debian and no npm package is installed for it: the checks here are hand-written.
/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk event and manifest JSON by path */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../backend/src/config/load.js';
import { WATCH_RESOURCES } from '../../backend/src/sources/k8s-watch/resources.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'deploy/kubernetes');
type Obj = Record<string, any>;

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const docs = new Map<string, Obj[]>(files.map((f) => {
  const parsed = parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8'));
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const d of list) assert.equal(d.errors.length, 0, `${f}: ${d.errors.map((e) => e.message).join('; ')}`);
  return [f, list.map((d) => d.toJS() as Obj).filter((o) => o !== null)];
}));
const all = [...docs.entries()].flatMap(([file, list]) => list.map((o) => ({ file, o })));
const ofKind = (kind: string) => all.filter((x) => x.o.kind === kind);
const workloads = [...ofKind('DaemonSet'), ...ofKind('Deployment')];
/** Variables the manifests set that the collector reads outside the config (downward API). */
const NON_CONFIG_ENV = new Set(['NODE_NAME', 'HOST_IP', 'POD_NAME', 'POD_NAMESPACE']);

describe('deploy/kubernetes manifests', () => {
  it('has the expected files, each parsing with apiVersion and kind', () => {
    for (const f of ['namespace.yaml', 'serviceaccount.yaml', 'clusterrole.yaml', 'clusterrolebinding.yaml', 'daemonset.yaml', 'deployment.yaml',
      'service.yaml', 'audit-policy.yaml', 'audit-webhook-kubeconfig.yaml', 'kustomization.yaml', 'configmap.yaml']) {
      assert.ok(docs.has(f), `${f} missing`);
    }
    for (const { file, o } of all) {
      assert.equal(typeof o.apiVersion, 'string', `${file}: apiVersion`);
      assert.equal(typeof o.kind, 'string', `${file}: kind`);
    }
  });

  it('has the required fields of each kind', () => {
    for (const { file, o } of all) {
      const where = `${file} ${o.kind}`;
      const named = !['Config', 'Policy', 'Kustomization'].includes(o.kind);
      if (named) assert.match(o.metadata?.name ?? '', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${where}: metadata.name`);
      if (['ServiceAccount', 'ConfigMap', 'DaemonSet', 'Deployment', 'Service'].includes(o.kind)) assert.equal(o.metadata.namespace, 'shipwatch', `${where}: namespace`);
      switch (o.kind) {
        case 'DaemonSet':
        case 'Deployment': {
          const sel = o.spec.selector.matchLabels as Obj;
          for (const [k, v] of Object.entries(sel)) assert.equal(o.spec.template.metadata.labels[k], v, `${where}: selector matches the template`);
          assert.ok(o.spec.template.spec.containers.length > 0);
          for (const c of o.spec.template.spec.containers) {
            assert.match(c.image, /^ghcr\.io\/shipwatch\/collector:\d+\.\d+\.\d+$/);
            assert.ok(c.resources?.limits?.cpu && c.resources?.limits?.memory, `${where}: resource limits`);
            assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${where}: resource requests`);
          }
          const sa = o.spec.template.spec.serviceAccountName;
          assert.ok(ofKind('ServiceAccount').some((x) => x.o.metadata.name === sa), `${where}: service account ${sa} exists`);
          break;
        }
        case 'Service':
          assert.ok(o.spec.ports.length > 0 && o.spec.selector, where);
          assert.ok(workloads.some((w) => Object.entries(o.spec.selector as Obj).every(([k, v]) => w.o.spec.template.metadata.labels[k] === v)), `${where}: selects a workload`);
          break;
        case 'ClusterRoleBinding': {
          assert.ok(ofKind('ClusterRole').some((x) => x.o.metadata.name === o.roleRef.name), `${where}: role exists`);
          for (const s of o.subjects) assert.ok(ofKind('ServiceAccount').some((x) => x.o.metadata.name === s.name && s.namespace === 'shipwatch'), `${where}: subject exists`);
          break;
        }
        case 'Policy':
          assert.equal(o.apiVersion, 'audit.k8s.io/v1');
          assert.ok(Array.isArray(o.rules) && o.rules.length > 0);
          for (const r of o.rules) assert.ok(['None', 'Metadata', 'Request', 'RequestResponse'].includes(r.level), `${where}: level ${r.level}`);
          break;
        case 'Config':
          assert.match(o.clusters[0].cluster.server, /\/api\/v1\/k8s\/audit$/);
          assert.equal(o.contexts[0].name, o['current-context']);
          break;
        default:
      }
    }
  });

  it('audit policy: Metadata only for secrets and config maps, RequestResponse for exec and RBAC', () => {
    const policy = ofKind('Policy')[0]!.o;
    const levelOf = (group: string, resource: string) => policy.rules.find((r: Obj) => !r.verbs && !r.users && (r.resources ?? []).some((g: Obj) => (g.group ?? '') === group && g.resources.includes(resource)))?.level;
    assert.equal(levelOf('', 'secrets'), 'Metadata');
    assert.equal(levelOf('', 'configmaps'), 'Metadata');
    assert.equal(levelOf('', 'pods/exec'), 'RequestResponse');
    assert.equal(levelOf('rbac.authorization.k8s.io', 'clusterrolebindings'), 'RequestResponse');
  });

  it('kustomization lists every file, and every file it lists exists', () => {
    const k = docs.get('kustomization.yaml')![0]!;
    const listed = [...(k.resources ?? []), ...(k.configMapGenerator ?? []).flatMap((g: Obj) => g.files ?? [])] as string[];
    for (const f of listed) assert.ok(fs.existsSync(path.join(DIR, f)), `listed but missing: ${f}`);
    for (const f of files.filter((x) => x !== 'kustomization.yaml')) assert.ok(listed.includes(f), `not in kustomization.yaml: ${f}`);
    assert.equal(new Set(listed).size, listed.length, 'listed once');
  });

  it('RBAC is read-only, without secrets and without nodes/proxy', () => {
    const roles = [...ofKind('ClusterRole'), ...ofKind('Role')];
    assert.ok(roles.length > 0);
    const resources: string[] = [];
    for (const { o } of roles) {
      for (const r of o.rules) {
        for (const v of r.verbs) assert.ok(['get', 'list', 'watch'].includes(v), `${o.metadata.name}: verb ${v}`);
        assert.ok(!r.resources.includes('*') && !r.apiGroups.includes('*'), `${o.metadata.name}: no wildcards`);
        resources.push(...r.resources);
      }
    }
    assert.ok(!resources.some((r) => r === 'secrets' || r.startsWith('secrets/')), 'no secrets');
    assert.ok(!resources.includes('nodes/proxy'), 'no nodes/proxy');
    assert.ok(resources.includes('nodes/stats'), 'nodes/stats for the kubelet summary');
  });

  it('the cluster role lets the watch list and watch every resource it watches by default', () => {
    const role = ofKind('ClusterRole').find((x) => x.o.metadata.name === 'shipwatch-cluster')?.o;
    assert.ok(role, 'ClusterRole shipwatch-cluster');
    for (const r of WATCH_RESOURCES) {
      const granted = role.rules.filter((rule: Obj) => rule.apiGroups.includes(r.group) && rule.resources.includes(r.name)).flatMap((rule: Obj) => rule.verbs as string[]);
      for (const verb of ['list', 'watch']) assert.ok(granted.includes(verb), `${verb} ${r.group || 'core'}/${r.name}`);
    }
  });

  it('workloads: no privileged, capabilities dropped, read-only root, host paths read-only but the node state directory', () => {
    for (const { file, o } of workloads) {
      const spec = o.spec.template.spec;
      assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, `${file}: no host namespaces`);
      const hostVolumes = new Map<string, string>((spec.volumes ?? []).filter((v: Obj) => v.hostPath).map((v: Obj) => [v.name, v.hostPath.path]));
      for (const c of spec.containers) {
        const sc = c.securityContext ?? {};
        assert.notEqual(sc.privileged, true, `${file}: not privileged`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${file}: no privilege escalation`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${file}: read-only root`);
        assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${file}: drop ALL`);
        assert.equal(sc.capabilities?.add, undefined, `${file}: nothing added`);
        for (const m of c.volumeMounts ?? []) {
          const host = hostVolumes.get(m.name);
          if (host === undefined) continue;
          // The one writable host path: positions that must survive pod replacement on the node.
          if (host === '/var/lib/shipwatch') continue;
          assert.equal(m.readOnly, true, `${file}: hostPath ${host} mounted read-only`);
        }
      }
    }
    const ds = ofKind('DaemonSet')[0]!.o.spec.template.spec;
    assert.ok(ds.volumes.some((v: Obj) => v.hostPath?.path === '/var/log/pods'));
    const env = ds.containers[0].env as Obj[];
    assert.equal(env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    const dep = ofKind('Deployment')[0]!.o.spec.template.spec;
    assert.equal(dep.securityContext.runAsNonRoot, true, 'cluster mode runs as non-root');
    const audit = (dep.containers[0].env as Obj[]).find((e) => e.name === 'SHIPWATCH_K8S_AUDIT_TOKEN');
    assert.ok(audit?.valueFrom?.secretKeyRef?.name, 'audit token from a Secret');
  });

  it('every SHIPWATCH_* variable is a config key, and the config files load', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-manifests-'));
    try {
      // Values from the downward API or Secrets are stood in for by plausible ones; $(VAR) is expanded as the kubelet does.
      const stand = (name: string): string => (name.endsWith('_TOKEN') ? 'token-0123456789abcdef0123' : name === 'HOST_IP' ? '10.0.0.5' : 'node-1');
      for (const { file, o } of workloads) {
        for (const c of o.spec.template.spec.containers) {
          const env: Record<string, string> = {};
          for (const e of (c.env ?? []) as Obj[]) {
            const raw: string = e.value ?? stand(e.name);
            env[e.name] = raw.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_m, v: string) => env[v] ?? '');
          }
          for (const name of Object.keys(env)) assert.ok(name.startsWith('SHIPWATCH_') || NON_CONFIG_ENV.has(name), `${file}: ${name} is neither a config key nor read by the collector`);
          const shipwatch = Object.fromEntries(Object.entries(env).filter(([n]) => n.startsWith('SHIPWATCH_')));
          const configFile = /--config/.test((c.args ?? []).join(' ')) ? c.args[c.args.indexOf('--config') + 1] as string : undefined;
          let fileArg: string | undefined;
          if (configFile) {
            const cm = ofKind('ConfigMap')[0]!.o;
            const text = cm.data[path.basename(configFile)];
            assert.equal(typeof text, 'string', `${file}: ${configFile} is in the ConfigMap`);
            fileArg = path.join(dir, path.basename(configFile));
            fs.writeFileSync(fileArg, text);
          }
          const cfg = loadConfig({ env: shipwatch, ...(fileArg ? { file: fileArg } : {}) });
          if (o.kind === 'DaemonSet') {
            assert.equal(cfg.k8s.node_logs_enabled, true);
            assert.equal(cfg.k8s.kubelet_stats_enabled, true);
            assert.equal(cfg.k8s.kubelet_url, 'https://10.0.0.5:10250/stats/summary');
            assert.equal(cfg.k8s.node_name, 'node-1');
          } else {
            assert.equal(cfg.k8s.audit_token, 'token-0123456789abcdef0123');
          }
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
