import { bars, dashboard, datasourceVariable, logs, loki, lokiInstant, lokiLabelVariable, prom, REDUCE_TO_LAST, row, stat, table, targets, timeseries } from './builder.js';
import type { Dashboard } from './model.js';

// Docker engine activity: the `source="docker"` Loki stream (one line per engine event, the
// normalized event as JSON, DESIGN.md §3) and the collector's own shipwatch_* metrics.

const STREAM = '{job="shipwatch", source="docker", host=~"$host", container=~"$container"}';
const INTERVAL = '[$__interval]';

export function dockerEngine(): Dashboard {
  return dashboard({
    uid: 'shipwatch-docker-engine',
    title: 'Shipwatch / Docker engine',
    description: 'Docker engine events (lifecycle, exec, images, networks, volumes) and the health of the Shipwatch collector that reads them.',
    tags: ['docker', 'events'],
    variables: [
      datasourceVariable('loki'),
      datasourceVariable('prometheus'),
      lokiLabelVariable({ name: 'host', label: 'Host', selector: '{job="shipwatch", source="docker"}', labelName: 'host', allValue: '.+' }),
      // `.*`: image, network and volume events have no container label.
      lokiLabelVariable({ name: 'container', label: 'Container', selector: '{job="shipwatch", source="docker", host=~"$host"}', labelName: 'container', allValue: '.*' }),
    ],
    panels: [
      row('Engine events'),
      stat('Events in range', 'short', [lokiInstant(`sum(count_over_time(${STREAM} [$__range]))`)], { w: 4 }),
      stat('Container starts', 'short', [lokiInstant(`sum(count_over_time(${STREAM} | json action="docker.action", type="docker.type" | type="container" | action="start" [$__range]))`)], { w: 4 }),
      stat('Execs', 'short', [lokiInstant(`sum(count_over_time(${STREAM} | json action="docker.action" | action="exec_start" [$__range]))`)], { w: 4, thresholds: [[1, 'orange']] }),
      stat('Non-zero exits', 'short', [lokiInstant(`sum(count_over_time(${STREAM} | json action="docker.action", code="docker.actor.attributes.exitCode" | action="die" | code!="0" [$__range]))`)], { w: 4, thresholds: [[1, 'red']] }),
      stat('OOM kills', 'short', [lokiInstant(`sum(count_over_time(${STREAM} | json action="docker.action" | action="oom" [$__range]))`)], { w: 4, thresholds: [[1, 'red']] }),
      stat('Image pulls', 'short', [lokiInstant(`sum(count_over_time(${STREAM} | json action="docker.action", type="docker.type" | type="image" | action="pull" [$__range]))`)], { w: 4 }),
      bars('Events by type', [loki(`sum by (type) (count_over_time(${STREAM} | json type="docker.type" ${INTERVAL}))`, '{{type}}')]),
      bars('Container events by action', [loki(`sum by (action) (count_over_time(${STREAM} | json action="docker.action", type="docker.type" | type="container" ${INTERVAL}))`, '{{action}}')]),
      table('Most active containers', [lokiInstant(`topk(15, sum by (container) (count_over_time(${STREAM} | container!="" [$__range])))`)], {
        w: 8, transformations: REDUCE_TO_LAST,
      }),
      table('Images used', [lokiInstant(`topk(15, sum by (image) (count_over_time(${STREAM} | json action="docker.action", image="container.image" | action="start" [$__range])))`)], {
        w: 8, transformations: REDUCE_TO_LAST,
      }),
      table('Exec commands', [lokiInstant(`topk(15, sum by (container, command) (count_over_time(${STREAM} | json action="docker.action", command="docker.exec.command" | action="exec_start" [$__range])))`)], {
        w: 8, transformations: REDUCE_TO_LAST,
      }),
      logs('Engine events', [loki(`${STREAM} | json | line_format "{{.docker_type}} {{.docker_action}} {{.container_name}}{{.image_name}}{{.network_name}}{{.volume_name}} {{.docker_exec_command}}"`)], { h: 10 }),

      row('Collector'),
      stat('Docker engine connected', 'bool_on_off', [prom('min(shipwatch_source_connected{source=~"docker|docker_stats"})')], {
        w: 6, colorMode: 'background', thresholds: [[0, 'red'], [1, 'green']],
      }),
      stat('Reconnects in range', 'short', [prom('sum(increase(shipwatch_source_reconnects_total[$__range])) or vector(0)')], { w: 6, thresholds: [[1, 'orange']] }),
      stat('Dropped items in range', 'short', [prom('sum(increase(shipwatch_dropped_total[$__range])) or vector(0)')], {
        w: 6, thresholds: [[1, 'red']], description: 'Events, log lines or pushes given up (queue full, refused by Loki, retention). 0 when nothing was ever dropped.',
      }),
      stat('Loki outbox', 'short', [prom('sum(shipwatch_queue_depth{queue="loki"})')], { w: 6, thresholds: [[1000, 'orange'], [100000, 'red']], description: 'Entries waiting to be pushed to Loki.' }),
      timeseries('Events accepted per second by source', 'ops', [prom('sum by (source) (rate(shipwatch_events_total[$__rate_interval]))', '{{source}}')]),
      timeseries('Alerts raised per second by severity', 'ops', [prom('sum by (severity) (rate(shipwatch_alerts_total[$__rate_interval]))', '{{severity}}')]),
      timeseries('Rule evaluation time per event', 's', targets(prom, [
        ['histogram_quantile(0.5, sum by (le) (rate(shipwatch_rule_evaluation_seconds_bucket[$__rate_interval])))', 'p50'],
        ['histogram_quantile(0.99, sum by (le) (rate(shipwatch_rule_evaluation_seconds_bucket[$__rate_interval])))', 'p99'],
      ]), { w: 8 }),
      timeseries('Resource sampling round', 's', [prom('histogram_quantile(0.9, sum by (le) (rate(shipwatch_stats_round_seconds_bucket[$__rate_interval])))', 'p90')], { w: 8 }),
      timeseries('Container logs read', 'ops', [prom('sum by (container) (rate(shipwatch_log_lines_total{container=~"$container"}[$__rate_interval]))', '{{container}}')], { w: 8 }),
      timeseries('Loki push', 'short', targets(prom, [
        ['sum(rate(shipwatch_loki_entries_sent_total[$__rate_interval]))', 'entries/s sent'],
        ['sum by (code) (rate(shipwatch_loki_requests_total[$__rate_interval]))', 'requests/s {{code}}'],
      ])),
      timeseries('Loki outbox', 'bytes', [prom('sum(shipwatch_loki_queue_bytes)', 'queued bytes')]),
    ],
  });
}
