import { applicationLogs } from './application-logs.js';
import { containerResources } from './container-resources.js';
import { dockerEngine } from './docker-engine.js';
import { kubernetesAudit } from './kubernetes-audit.js';
import type { Dashboard } from './model.js';
import { securityAlerts } from './security-alerts.js';

/** Every shipped dashboard: the file name under dashboards/ (the app plugin includes them by this path) and its builder. */
export const DASHBOARDS: { name: string; build: () => Dashboard }[] = [
  { name: 'container-resources', build: containerResources },
  { name: 'docker-engine', build: dockerEngine },
  { name: 'security-alerts', build: securityAlerts },
  { name: 'application-logs', build: applicationLogs },
  { name: 'kubernetes-audit', build: kubernetesAudit },
];

export type { Dashboard } from './model.js';
