import fs from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigChoice {
  kubeconfig?: string;
  kubeconfig_context?: string;
  in_cluster: 'auto' | 'true' | 'false';
}

/**
 * Loads the cluster connection with @kubernetes/client-node's KubeConfig (kubeconfig file, exec and
 * token-file auth, in-cluster service account). The package is imported on first use only: it
 * costs about 75 MB and 2 s to load, which a collector without the watch source should not pay.
 */
export async function loadKubeConfig(c: KubeConfigChoice, env: NodeJS.ProcessEnv = process.env): Promise<{ kc: KubeConfig; origin: string }> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  let origin: string;
  const inCluster = c.in_cluster === 'true' || (c.in_cluster === 'auto' && !c.kubeconfig && !!env.KUBERNETES_SERVICE_HOST);
  try {
    if (inCluster) {
      if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
        throw new Error('k8s.in_cluster is true but KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT are not set (not running in a pod?)');
      }
      kc.loadFromCluster();
      origin = 'in-cluster service account';
    } else if (c.kubeconfig) {
      if (!fs.existsSync(c.kubeconfig)) throw new Error(`k8s.kubeconfig ${c.kubeconfig}: no such file`);
      kc.loadFromFile(c.kubeconfig);
      origin = c.kubeconfig;
    } else {
      kc.loadFromDefault();
      origin = env.KUBECONFIG ? `$KUBECONFIG (${env.KUBECONFIG})` : '~/.kube/config';
    }
  } catch (err) {
    throw new Error(`kubernetes connection: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (c.kubeconfig_context) {
    if (!kc.getContextObject(c.kubeconfig_context)) {
      throw new Error(`k8s.kubeconfig_context ${c.kubeconfig_context}: no such context in ${origin} (contexts: ${kc.getContexts().map((x) => x.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(c.kubeconfig_context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubernetes connection: ${origin} has no current cluster (set current-context or k8s.kubeconfig_context)`);
  return { kc, origin: `${origin} → ${cluster.server}` };
}
