import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Stack, useStyles2 } from '@grafana/ui';
import type { Container } from '../../api/types';
import { formatTime } from '../../shared/format';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { ContainerLinks } from './ContainerLinks';
import { containerName } from './containerView';

/** Posture findings, lifecycle times, configuration and labels of one container. */
export function ContainerDetail({ container: c }: { container: Container }) {
  const styles = useStyles2(getStyles);
  const labels = Object.entries(c.labels);
  return (
    <div className={styles.detail} aria-label={`Container ${containerName(c)}`}>
      <div>
        <h4>Posture</h4>
        {c.posture.length === 0 ? (
          <p>No posture findings.</p>
        ) : (
          <ul className={styles.list}>
            {c.posture.map((f) => (
              <li key={`${f.id}/${f.message}`}>
                <SeverityBadge severity={f.severity} /> {f.message}
              </li>
            ))}
          </ul>
        )}
        <h4>Links</h4>
        <ContainerLinks name={containerName(c)} />
      </div>
      <div>
        <h4>Lifecycle</h4>
        <dl className={styles.facts}>
          <dt>ID</dt>
          <dd>{c.id}</dd>
          <dt>Image</dt>
          <dd>
            {c.image ?? '—'}
            {c.image_id ? ` (${c.image_id})` : ''}
          </dd>
          <dt>Created</dt>
          <dd>{formatTime(c.created_at)}</dd>
          <dt>Started</dt>
          <dd>{formatTime(c.started_at)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(c.finished_at)}</dd>
          {c.health && (
            <>
              <dt>Health</dt>
              <dd>{c.health}</dd>
            </>
          )}
        </dl>
        <h4>Configuration</h4>
        <pre className={styles.json} aria-label="Container configuration">
          {JSON.stringify(c.config, null, 2)}
        </pre>
        {labels.length > 0 && (
          <>
            <h4>Labels</h4>
            <Stack direction="column" gap={0}>
              {labels.map(([k, v]) => (
                <code key={k}>
                  {k}={v}
                </code>
              ))}
            </Stack>
          </>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  detail: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(280px, 1fr) minmax(320px, 1fr)',
    gap: theme.spacing(3),
    padding: theme.spacing(1, 0, 2),
    h4: { fontSize: theme.typography.h6.fontSize, marginTop: theme.spacing(1) },
  }),
  list: css({ listStyle: 'none', padding: 0, li: { marginBottom: theme.spacing(0.5) } }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, wordBreak: 'break-all' },
  }),
  json: css({ maxHeight: 240, overflow: 'auto', fontSize: theme.typography.bodySmall.fontSize }),
});
