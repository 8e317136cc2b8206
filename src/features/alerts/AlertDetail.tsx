import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Stack, Tag, TextLink, useStyles2 } from '@grafana/ui';
import type { Alert } from '../../api/types';
import { formatTime } from '../../shared/format';
import { appPageUrl, mitreUrl } from '../../shared/links';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { exploreUrl, findLokiDatasource, lokiSelector } from './explore';

/** One alert: its rule, MITRE ATT&CK techniques, the event, and the logs around it in Explore. */
export function AlertDetail({ alert }: { alert: Alert }) {
  const styles = useStyles2(getStyles);
  const loki = useMemo(() => findLokiDatasource(), []);
  const { rule, event } = alert;
  const selector = lokiSelector(event);
  const timeMs = Date.parse(event.event.time || alert.time);

  return (
    <div className={styles.detail} aria-label={`Alert ${alert.id}`}>
      <div>
        <h4>Rule</h4>
        <Stack direction="column" gap={1}>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <Link to={appPageUrl('rules', { rule: rule.id })}>Rule {rule.id}</Link>
            <SeverityBadge severity={alert.severity} level={rule.level} />
            {alert.count > 1 && <span>correlated over {alert.count} events</span>}
          </Stack>
          <div>{rule.description}</div>
          <Stack direction="row" gap={0.5} wrap="wrap">
            {rule.groups.map((g) => (
              <Link key={g} to={appPageUrl('alerts', { group: g })}>
                <Tag name={g} />
              </Link>
            ))}
          </Stack>
          {rule.mitre.length > 0 && (
            <div>
              MITRE ATT&CK:{' '}
              {rule.mitre.map((id, i) => {
                const href = mitreUrl(id);
                return (
                  <span key={id}>
                    {i > 0 && ', '}
                    {href ? (
                      <TextLink href={href} external>
                        {id}
                      </TextLink>
                    ) : (
                      id
                    )}
                  </span>
                );
              })}
            </div>
          )}
        </Stack>

        <h4 className={styles.heading}>Surrounding logs</h4>
        <code className={styles.code}>{selector}</code>
        <div>
          {loki && !Number.isNaN(timeMs) ? (
            <TextLink href={exploreUrl(loki, selector, timeMs)} icon="compass">
              {`Open in Explore (${loki.name}, 5 minutes either side)`}
            </TextLink>
          ) : (
            <span>Add a Loki data source to open the surrounding logs in Explore.</span>
          )}
        </div>
      </div>

      <div>
        <h4>Event</h4>
        <dl className={styles.facts}>
          <dt>Time</dt>
          <dd>{formatTime(event.event.time)}</dd>
          <dt>Source</dt>
          <dd>
            {event.event.source} / {event.event.action}
          </dd>
          {event.host?.name && (
            <>
              <dt>Host</dt>
              <dd>{event.host.name}</dd>
            </>
          )}
          {event.container?.name && (
            <>
              <dt>Container</dt>
              <dd>
                {event.container.name}
                {event.container.image ? ` (${event.container.image})` : ''}
              </dd>
            </>
          )}
          {event.k8s?.pod && (
            <>
              <dt>Pod</dt>
              <dd>
                {event.k8s.namespace}/{event.k8s.pod}
              </dd>
            </>
          )}
        </dl>
        <pre className={styles.json} aria-label="Event JSON">
          {JSON.stringify(event, null, 2)}
        </pre>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  detail: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(280px, 1fr) minmax(320px, 1.4fr)',
    gap: theme.spacing(3),
    padding: theme.spacing(1, 0, 2),
    h4: { fontSize: theme.typography.h6.fontSize },
  }),
  heading: css({ marginTop: theme.spacing(2) }),
  code: css({ display: 'block', marginBottom: theme.spacing(0.5), wordBreak: 'break-all' }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
  json: css({ maxHeight: 360, overflow: 'auto', fontSize: theme.typography.bodySmall.fontSize }),
});
