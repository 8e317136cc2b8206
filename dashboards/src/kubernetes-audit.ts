import { barGauge, bars, dashboard, datasourceVariable, logs, loki, lokiInstant, lokiLabelVariable, prom, REDUCE_TO_LAST, row, stat, table, targets, textboxVariable, timeseries } from './builder.js';
import type { Dashboard } from './model.js';

// Kubernetes audit events (`source="k8s_audit"` streams; the line is the normalized event with the
// audit event under k8s.audit.* in its own JSON names, DESIGN.md §3), the k8s_audit detections from
// the alert streams, and the webhook's shipwatch_k8s_audit_* metrics.

const AUDIT = '{job="shipwatch", source="k8s_audit", host=~"$host", namespace=~"$namespace", pod=~"$pod", container=~"$container"} | json verb="k8s.audit.verb", user="k8s.audit.user.username", resource="k8s.resource", code="k8s.audit.responseStatus.code" | user=~"$user"';
const ALERTS = '{job="shipwatch", source="alert", host=~"$host", namespace=~"$namespace", pod=~"$pod", container=~"$container"} |= "k8s_audit" | json groups="rule.groups" | groups=~".*\\"k8s_audit\\".*"';

export function kubernetesAudit(): Dashboard {
  return dashboard({
    uid: 'shipwatch-kubernetes-audit',
    title: 'Shipwatch / Kubernetes audit',
    description: 'Kubernetes API audit events (who did what to which resource), the audit detections (exec, privileged pods, RBAC, secrets, anonymous access) and the audit webhook\'s health.',
    tags: ['kubernetes', 'audit', 'security'],
    variables: [
      datasourceVariable('loki'),
      datasourceVariable('prometheus'),
      lokiLabelVariable({ name: 'host', label: 'Collector', selector: '{job="shipwatch", source="k8s_audit"}', labelName: 'host', allValue: '.+' }),
      lokiLabelVariable({ name: 'namespace', label: 'Namespace', selector: '{job="shipwatch", source="k8s_audit", host=~"$host"}', labelName: 'namespace', allValue: '.*' }),
      lokiLabelVariable({ name: 'pod', label: 'Pod', selector: '{job="shipwatch", source="k8s_audit", host=~"$host", namespace=~"$namespace"}', labelName: 'pod', allValue: '.*' }),
      // Audit events name a container only for exec/attach into one; `.*` keeps the others.
      lokiLabelVariable({ name: 'container', label: 'Container', selector: '{job="shipwatch", source="k8s_audit", host=~"$host", namespace=~"$namespace"}', labelName: 'container', allValue: '.*' }),
      textboxVariable('user', 'User', 'Regular expression over the requesting user (k8s.audit.user.username).', '.*'),
    ],
    panels: [
      row('Activity'),
      stat('Audit events in range', 'short', [lokiInstant(`sum(count_over_time(${AUDIT} [$__range]))`)]),
      stat('Writes in range', 'short', [lokiInstant(`sum(count_over_time(${AUDIT} | verb=~"create|update|patch|delete|deletecollection" [$__range]))`)]),
      stat('Denied requests (401/403)', 'short', [lokiInstant(`sum(count_over_time(${AUDIT} | code=~"401|403" [$__range])) or vector(0)`)], { thresholds: [[1, 'orange']] }),
      stat('Audit alerts in range', 'short', [lokiInstant(`sum(count_over_time(${ALERTS} [$__range])) or vector(0)`)], { thresholds: [[1, 'red']], colorMode: 'background' }),
      bars('Requests by verb', [loki(`sum by (verb) (count_over_time(${AUDIT} [$__interval]))`, '{{verb}}')]),
      bars('Requests by response code', [loki(`sum by (code) (count_over_time(${AUDIT} [$__interval]))`, '{{code}}')]),
      barGauge('Top users', 'short', [lokiInstant(`topk(10, sum by (user) (count_over_time(${AUDIT} [$__range])))`, '{{user}}')]),
      barGauge('Top resources', 'short', [lokiInstant(`topk(10, sum by (resource) (count_over_time(${AUDIT} [$__range])))`, '{{resource}}')]),
      table('Who wrote what', [lokiInstant(`sum by (user, verb, resource, namespace) (count_over_time(${AUDIT} | verb=~"create|update|patch|delete|deletecollection" [$__range]))`)], {
        w: 8, transformations: REDUCE_TO_LAST,
      }),
      logs('Exec and attach into pods', [loki(`${AUDIT} | json subresource="k8s.subresource" | subresource=~"exec|attach" | line_format "{{.user}} {{.verb}} {{.namespace}}/{{.pod}} {{.code}}"`)], { h: 8 }),
      logs('Secrets access', [loki(`${AUDIT} | resource="secrets" | line_format "{{.user}} {{.verb}} secrets {{.namespace}} {{.code}}"`)], { h: 8 }),

      row('Detections'),
      bars('Audit alerts by severity', [loki(`sum by (severity) (count_over_time(${ALERTS} [$__interval]))`, '{{severity}}')]),
      barGauge('Top audit rules', 'short', [lokiInstant(`topk(10, sum by (rule) (count_over_time(${ALERTS} | json rule="rule.description" [$__range])))`, '{{rule}}')]),
      logs('Audit alerts', [loki(`${ALERTS} | json | line_format "[{{.severity}}] {{.rule_description}}"`)], { h: 10 }),

      row('Audit webhook'),
      timeseries('Audit events received by result', 'ops', [prom('sum by (input, result) (rate(shipwatch_k8s_audit_events_total[$__rate_interval]))', '{{input}} {{result}}')], { w: 8 }),
      timeseries('Webhook requests by code', 'reqps', [prom('sum by (code) (rate(shipwatch_k8s_audit_requests_total[$__rate_interval]))', '{{code}}')], { w: 8 }),
      timeseries('Webhook latency', 's', targets(prom, [
        ['histogram_quantile(0.5, sum by (le) (rate(shipwatch_k8s_audit_request_duration_seconds_bucket[$__rate_interval])))', 'p50'],
        ['histogram_quantile(0.99, sum by (le) (rate(shipwatch_k8s_audit_request_duration_seconds_bucket[$__rate_interval])))', 'p99'],
      ]), { w: 8 }),
    ],
  });
}
