import { barGauge, bars, customVariable, dashboard, datasourceVariable, logs, loki, lokiInstant, lokiLabelVariable, prom, REDUCE_TO_LAST, row, stat, table, timeseries } from './builder.js';
import type { Dashboard } from './model.js';

// Alerts as the collector pushes them to Loki: stream labels job="shipwatch", source="alert",
// severity, plus the container/pod of the event that raised them; the line is the alert as JSON
// ({id, time, rule: {id, level, description, groups, mitre}, severity, count, event}, DESIGN.md §4).

export const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const STREAM = '{job="shipwatch", source="alert", severity=~"$severity", host=~"$host", container=~"$container", namespace=~"$namespace"}';

function severityStat(severity: string, color: string) {
  return stat(`${severity[0]!.toUpperCase()}${severity.slice(1)}`, 'short', [
    lokiInstant(`sum(count_over_time({job="shipwatch", source="alert", severity="${severity}", host=~"$host", container=~"$container", namespace=~"$namespace"} [$__range])) or vector(0)`),
  ], { w: 6, thresholds: [[1, color]], colorMode: 'background' });
}

export function securityAlerts(): Dashboard {
  return dashboard({
    uid: 'shipwatch-security-alerts',
    title: 'Shipwatch / Security alerts',
    description: 'Alerts raised by the Shipwatch detection rules: by severity, rule, group (tag), MITRE technique, container and pod.',
    tags: ['security', 'alerts'],
    variables: [
      datasourceVariable('loki'),
      datasourceVariable('prometheus'),
      customVariable({ name: 'severity', label: 'Severity', values: SEVERITIES, allValue: '.+' }),
      lokiLabelVariable({ name: 'host', label: 'Host', selector: '{job="shipwatch", source="alert"}', labelName: 'host', allValue: '.+' }),
      // `.*`: alerts on events without a container (Kubernetes audit, image events) have no container label.
      lokiLabelVariable({ name: 'container', label: 'Container', selector: '{job="shipwatch", source="alert", host=~"$host"}', labelName: 'container', allValue: '.*' }),
      lokiLabelVariable({ name: 'namespace', label: 'Namespace', selector: '{job="shipwatch", source="alert"}', labelName: 'namespace', allValue: '.*' }),
    ],
    panels: [
      row('Alerts in range by severity'),
      severityStat('critical', 'dark-red'),
      severityStat('high', 'red'),
      severityStat('medium', 'orange'),
      severityStat('low', 'blue'),
      bars('Alerts by severity', [loki(`sum by (severity) (count_over_time(${STREAM} [$__interval]))`, '{{severity}}')], { w: 24 }),

      row('What fired'),
      barGauge('Top rules', 'short', [lokiInstant(`topk(10, sum by (rule) (count_over_time(${STREAM} | json rule="rule.description" [$__range])))`, '{{rule}}')]),
      barGauge('Top groups', 'short', [lokiInstant(`topk(10, sum by (groups) (count_over_time(${STREAM} | json groups="rule.groups" [$__range])))`, '{{groups}}')], {
        description: 'The rule\'s groups (tags) as one list, e.g. ["web_attack","sqli"].',
      }),
      barGauge('Top MITRE ATT&CK techniques', 'short', [lokiInstant(`topk(10, sum by (mitre) (count_over_time(${STREAM} | json mitre="rule.mitre" | mitre!="[]" [$__range])))`, '{{mitre}}')]),
      table('Alerts by container and pod', [lokiInstant(`sum by (container, namespace, pod, severity) (count_over_time(${STREAM} [$__range]))`)], {
        transformations: REDUCE_TO_LAST,
      }),
      table('Alerts by rule and level', [lokiInstant(`sum by (rule_id, level, description) (count_over_time(${STREAM} | json rule_id="rule.id", level="rule.level", description="rule.description" [$__range]))`)], {
        transformations: REDUCE_TO_LAST,
      }),
      timeseries('Alerts raised per second (collector counter)', 'ops', [prom('sum by (severity) (rate(shipwatch_alerts_total{severity=~"$severity"}[$__rate_interval]))', '{{severity}}')], {
        w: 24, h: 6, description: 'The same alerts counted by the collector itself: a gap between this and the Loki panels means alerts waiting in the Loki outbox.',
      }),

      row('Alert log'),
      logs('Alerts', [loki(`${STREAM} | json | line_format "[{{.severity}}] level {{.rule_level}} rule {{.rule_id}}: {{.rule_description}}"`)], { h: 14 }),
    ],
  });
}
