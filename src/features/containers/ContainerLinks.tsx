import { LinkButton, Stack } from '@grafana/ui';
import { DASHBOARD_UIDS } from '../../constants';
import { appPageUrl, dashboardUrl } from '../../shared/links';

/** The dashboards and the Alerts page, filtered to one container. */
export function ContainerLinks({ name }: { name: string }) {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <LinkButton
        size="sm"
        variant="secondary"
        icon="chart-line"
        href={dashboardUrl(DASHBOARD_UIDS.containerResources, name)}
      >
        Resources
      </LinkButton>
      <LinkButton
        size="sm"
        variant="secondary"
        icon="gf-logs"
        href={dashboardUrl(DASHBOARD_UIDS.applicationLogs, name)}
      >
        Logs
      </LinkButton>
      <LinkButton
        size="sm"
        variant="secondary"
        icon="shield-exclamation"
        href={dashboardUrl(DASHBOARD_UIDS.securityAlerts, name)}
      >
        Security alerts
      </LinkButton>
      <LinkButton
        size="sm"
        variant="secondary"
        icon="exclamation-triangle"
        href={appPageUrl('alerts', { container: name })}
      >
        Alerts
      </LinkButton>
    </Stack>
  );
}

/** The shipped dashboards, unfiltered. */
export function DashboardLinks() {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <LinkButton size="sm" variant="secondary" href={dashboardUrl(DASHBOARD_UIDS.containerResources)}>
        Container resources
      </LinkButton>
      <LinkButton size="sm" variant="secondary" href={dashboardUrl(DASHBOARD_UIDS.dockerEngine)}>
        Docker engine
      </LinkButton>
      <LinkButton size="sm" variant="secondary" href={dashboardUrl(DASHBOARD_UIDS.securityAlerts)}>
        Security alerts
      </LinkButton>
      <LinkButton size="sm" variant="secondary" href={dashboardUrl(DASHBOARD_UIDS.applicationLogs)}>
        Application logs
      </LinkButton>
      <LinkButton size="sm" variant="secondary" href={dashboardUrl(DASHBOARD_UIDS.kubernetesAudit)}>
        Kubernetes audit
      </LinkButton>
    </Stack>
  );
}
