import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;

/** Where Grafana mounts the app's pages. */
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** The collector's REST API as reached through the plugin's proxy route (which adds the token). */
export const COLLECTOR_API_BASE = `/api/plugin-proxy/${PLUGIN_ID}/api/v1`;

/** UIDs of the dashboards in /dashboards (shipped with the app and provisioned). */
export const DASHBOARD_UIDS = {
  containerResources: 'shipwatch-container-resources',
  dockerEngine: 'shipwatch-docker-engine',
  securityAlerts: 'shipwatch-security-alerts',
  applicationLogs: 'shipwatch-application-logs',
  kubernetesAudit: 'shipwatch-kubernetes-audit',
} as const;
