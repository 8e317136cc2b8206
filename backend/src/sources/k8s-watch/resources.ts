/**
 * The Kubernetes resources the watch source can follow: where each lives in the API and whether it
 * is namespaced. Secrets are deliberately absent: the collector never reads them (their changes are
 * seen through the audit webhook, which carries metadata only at the recommended audit level).
 */
export interface WatchResource {
  /** Plural name as in the API path and in `k8s.resource`. */
  name: string;
  kind: string;
  /** API group, '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
}

const core = (name: string, kind: string, namespaced = true): WatchResource => ({ name, kind, group: '', version: 'v1', namespaced });
const apps = (name: string, kind: string): WatchResource => ({ name, kind, group: 'apps', version: 'v1', namespaced: true });
const rbac = (name: string, kind: string, namespaced: boolean): WatchResource => ({ name, kind, group: 'rbac.authorization.k8s.io', version: 'v1', namespaced });

export const WATCH_RESOURCES: readonly WatchResource[] = [
  core('pods', 'Pod'),
  apps('deployments', 'Deployment'),
  apps('daemonsets', 'DaemonSet'),
  apps('statefulsets', 'StatefulSet'),
  core('services', 'Service'),
  core('configmaps', 'ConfigMap'),
  core('namespaces', 'Namespace', false),
  core('serviceaccounts', 'ServiceAccount'),
  rbac('roles', 'Role', true),
  rbac('rolebindings', 'RoleBinding', true),
  rbac('clusterroles', 'ClusterRole', false),
  rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  core('nodes', 'Node', false),
  core('events', 'Event'),
];

export const WATCH_RESOURCE_NAMES: readonly string[] = WATCH_RESOURCES.map((r) => r.name);

export function watchResource(name: string): WatchResource | undefined {
  return WATCH_RESOURCES.find((r) => r.name === name);
}

/** The collection path: `/api/v1/pods`, `/apis/apps/v1/namespaces/web/deployments`, ... */
export function collectionPath(r: WatchResource, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.name}` : `${base}/${r.name}`;
}
