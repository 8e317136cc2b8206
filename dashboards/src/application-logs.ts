import { barGauge, bars, customVariable, dashboard, datasourceVariable, logs, loki, lokiInstant, lokiLabelVariable, prom, REDUCE_TO_LAST, row, stat, table, targets, textboxVariable, timeseries } from './builder.js';
import type { Dashboard } from './model.js';

// Container logs (`source="log"` streams: each line as the container wrote it, as Promtail and
// Alloy ship it) and the application-log attack detections, read from the alert streams by the
// rule's groups (DESIGN.md §5 tags). The HTTP panels parse access logs (nginx and Apache common and
// combined formats) at query time; the collector's own decoding goes to the rules and the alerts.

const LOGS = '{job="shipwatch", source="log", host=~"$host", container=~"$container", compose_service=~"$compose_service", stream=~"$stream"} |~ "(?i)$search"';
/** Client, user, request and status of an access log line; other lines leave `status` empty. */
const ACCESS = '| pattern `<ip> <_> <user> [<_>] "<method> <url> <_>" <status> <_>`';
const ALERTS = '{job="shipwatch", source="alert", host=~"$host", container=~"$container", compose_service=~"$compose_service"}';

/** Attack tags of the application-log rules, in the order the panels show them. */
export const ATTACK_GROUPS = ['web_attack', 'sqli', 'xss', 'path_traversal', 'shellshock', 'web_scan', 'server_error_burst', 'auth_failure', 'brute_force'];

/** Alerts whose rule carries `group` (rule.groups is a JSON list; the line filter first keeps it cheap). */
function alertsOf(group: string, range: string): string {
  return `sum(count_over_time(${ALERTS} |= "${group}" | json groups="rule.groups" | groups=~".*\\"${group}\\".*" [${range}]))`;
}

const ATTACKS = ATTACK_GROUPS.join('|');

export function applicationLogs(): Dashboard {
  return dashboard({
    uid: 'shipwatch-application-logs',
    title: 'Shipwatch / Application logs',
    description: 'Container logs as the containers wrote them, HTTP figures from their access logs, and the attacks the rules found in them (decoded by Shipwatch: access logs, JSON, logfmt, sshd): web attacks, SQL injection, XSS, path traversal, scans, brute force.',
    tags: ['logs', 'security', 'web'],
    variables: [
      datasourceVariable('loki'),
      datasourceVariable('prometheus'),
      lokiLabelVariable({ name: 'host', label: 'Host', selector: '{job="shipwatch", source="log"}', labelName: 'host', allValue: '.+' }),
      lokiLabelVariable({ name: 'compose_service', label: 'Compose service', selector: '{job="shipwatch", source="log", host=~"$host"}', labelName: 'compose_service', allValue: '.*' }),
      lokiLabelVariable({ name: 'container', label: 'Container', selector: '{job="shipwatch", source="log", host=~"$host", compose_service=~"$compose_service"}', labelName: 'container', allValue: '.*' }),
      customVariable({ name: 'stream', label: 'Stream', values: ['stdout', 'stderr'], allValue: '.*' }),
      textboxVariable('search', 'Search', 'Case-insensitive regular expression matched against the log line.'),
    ],
    panels: [
      row('Attacks (from alerts)'),
      ...['web_attack', 'sqli', 'brute_force', 'web_scan'].map((g) => stat(g, 'short', [lokiInstant(`${alertsOf(g, '$__range')} or vector(0)`)], { thresholds: [[1, 'red']], colorMode: 'background' })),
      bars('Attack alerts by type', targets(loki, ATTACK_GROUPS.map((g) => [alertsOf(g, '$__interval'), g])), {
        w: 16, description: 'One series per rule group; an alert of a rule in several groups (web_attack and sqli) counts in each.',
      }),
      barGauge('Top attacking source IPs', 'short', [lokiInstant(`topk(10, sum by (ip) (count_over_time(${ALERTS} | json groups="rule.groups", ip="event.source.ip" | ip!="" | groups=~".*\\"(${ATTACKS})\\".*" [$__range])))`, '{{ip}}')]),
      table('Attacked URLs', [lokiInstant(`topk(20, sum by (url, container) (count_over_time(${ALERTS} | json groups="rule.groups", url="event.url.original" | url!="" | groups=~".*\\"(${ATTACKS})\\".*" [$__range])))`)], {
        transformations: REDUCE_TO_LAST,
      }),
      table('Brute force and failed logins by user and source', [lokiInstant(`sum by (user, ip) (count_over_time(${ALERTS} | json groups="rule.groups", user="event.user.name", ip="event.source.ip" | groups=~".*\\"(auth_failure|brute_force)\\".*" [$__range]))`)], {
        transformations: REDUCE_TO_LAST,
      }),
      logs('Attack alerts', [loki(`${ALERTS} | json groups="rule.groups" | groups=~".*\\"(${ATTACKS})\\".*" | json | line_format "[{{.severity}}] {{.rule_description}} {{.event_source_ip}} {{.event_url_original}}"`)], { h: 10 }),

      row('HTTP'),
      bars('Responses by status class', [loki(`sum by (status) (count_over_time(${LOGS} ${ACCESS} | status=~"[1-5][0-9][0-9]" | label_format status="{{ substr 0 1 .status }}xx" [$__interval]))`, '{{status}}')]),
      timeseries('Server errors (5xx) per second', 'reqps', [loki(`sum by (container) (rate(${LOGS} ${ACCESS} | status=~"5[0-9][0-9]" [$__interval]))`, '{{container}}')]),
      barGauge('Top client IPs', 'short', [lokiInstant(`topk(10, sum by (ip) (count_over_time(${LOGS} ${ACCESS} | status=~"[1-5][0-9][0-9]" [$__range])))`, '{{ip}}')]),
      barGauge('Top URLs', 'short', [lokiInstant(`topk(10, sum by (url) (count_over_time(${LOGS} ${ACCESS} | status=~"[1-5][0-9][0-9]" [$__range])))`, '{{url}}')]),
      barGauge('Top 4xx URLs', 'short', [lokiInstant(`topk(10, sum by (url) (count_over_time(${LOGS} ${ACCESS} | status=~"4[0-9][0-9]" [$__range])))`, '{{url}}')]),

      row('Log volume'),
      bars('Lines by container and stream', [loki(`sum by (container, stream) (count_over_time(${LOGS} [$__interval]))`, '{{container}} {{stream}}')]),
      bars('Lines by level', [loki(`sum by (detected_level) (count_over_time(${LOGS} [$__interval]))`, '{{detected_level}}')], {
        description: 'The level Loki 3 detects in each line at ingestion (detected_level).',
      }),
      timeseries('Lines read by the collector', 'ops', targets(prom, [
        ['sum by (container) (rate(shipwatch_log_lines_total{container=~"$container"}[$__rate_interval]))', '{{container}}'],
      ]), { w: 8 }),
      timeseries('Log read lag', 's', [prom('max by (container) (shipwatch_log_position_lag_seconds{container=~"$container"})', '{{container}}')], {
        w: 8, description: 'Wall clock minus the Docker timestamp of the newest line read.',
      }),
      timeseries('Truncated lines', 'short', [prom('sum by (container) (increase(shipwatch_log_truncated_total{container=~"$container"}[$__rate_interval])) or vector(0)', '{{container}}')], { w: 8 }),
      logs('Logs', [loki(LOGS)], { h: 14 }),
    ],
  });
}
