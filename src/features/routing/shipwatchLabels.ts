import type { Severity } from '../../api/types';

/**
 * Labels every Shipwatch alert rule carries (provisioning/alerting/rules.yaml): the notification
 * policy matches on them, and the templates below read the severity from them.
 */
export const SHIPWATCH_LABEL = { name: 'shipwatch', value: 'true' } as const;
export const SEVERITY_LABEL = 'severity';

/** DESIGN §4: PagerDuty's event severity for each Shipwatch severity. */
export const PAGERDUTY_SEVERITY: Record<Severity, string> = {
  low: 'info',
  medium: 'warning',
  high: 'error',
  critical: 'critical',
};

/** DESIGN §4: Slack attachment colour for each Shipwatch severity. */
export const SLACK_COLOR: Record<Severity, string> = {
  low: 'good',
  medium: 'warning',
  high: 'danger',
  critical: 'danger',
};

/**
 * A Go template choosing a value by the notification's severity label. Shipwatch routes group by
 * severity, so `.CommonLabels` holds it; `fallback` covers a notification without one (an alert
 * that reached the contact point from another policy).
 */
function bySeverity(values: Record<Severity, string>, fallback: string): string {
  const entries = Object.entries(values) as Array<[Severity, string]>;
  const branches = entries.map(
    ([sev, value], i) => `{{ ${i === 0 ? 'if' : 'else if'} eq .CommonLabels.${SEVERITY_LABEL} "${sev}" }}${value}`
  );
  return `${branches.join('')}{{ else }}${fallback}{{ end }}`;
}

// Without a severity label the alert is not a Shipwatch one: page, but not as critical.
export const PAGERDUTY_SEVERITY_TEMPLATE = bySeverity(PAGERDUTY_SEVERITY, 'warning');

// A resolved notification is green whatever its severity, as Grafana's own default colour does.
export const SLACK_COLOR_TEMPLATE = `{{ if eq .Status "resolved" }}good{{ else }}${bySeverity(SLACK_COLOR, 'warning')}{{ end }}`;
