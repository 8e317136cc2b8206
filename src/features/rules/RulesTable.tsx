import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, Icon, Switch, Tooltip, useStyles2 } from '@grafana/ui';
import type { Rule } from '../../api/types';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { fileBaseName, levelBucket } from './filterRules';

interface Props {
  rules: Rule[];
  /** Set while an override is being written: the switches wait for it. */
  busy: boolean;
  onView: (rule: Rule) => void;
  onToggle: (rule: Rule, enabled: boolean) => void;
}

export const tableTestIds = {
  row: (id: number) => `data-testid rule-row-${id}`,
  toggle: (id: number) => `data-testid rule-toggle-${id}`,
};

export function LevelBadge({ level }: { level: number }) {
  const bucket = levelBucket(level);
  return bucket === 'silent' ? (
    <Badge color="darkgrey" text="silent (0)" />
  ) : (
    <SeverityBadge severity={bucket} level={level} />
  );
}

export function RulesTable({ rules, busy, onView, onToggle }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table}>
      <thead>
        <tr>
          <th>ID</th>
          <th>Level</th>
          <th>Description</th>
          <th>Groups</th>
          <th>File</th>
          <th>Enabled</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={`${r.file}:${r.id}:${r.line}`} data-testid={tableTestIds.row(r.id)}>
            <td>
              {r.id}
              {r.parent !== undefined && <div className={styles.muted}>child of {r.parent}</div>}
            </td>
            <td>
              <LevelBadge level={r.level} />
            </td>
            <td>
              {r.description}
              {r.error && (
                <Tooltip content={r.error}>
                  <span className={styles.error}>
                    {' '}
                    <Icon name="exclamation-circle" /> refused: {r.error}
                  </span>
                </Tooltip>
              )}
            </td>
            <td className={styles.groups}>{r.groups.join(', ')}</td>
            <td className={styles.muted}>
              {fileBaseName(r.file)}:{r.line} ({r.source})
            </td>
            <td>
              {r.source === 'shipped' ? (
                <Switch
                  value={r.enabled}
                  disabled={busy}
                  aria-label={`${r.enabled ? 'Disable' : 'Enable'} rule ${r.id}`}
                  data-testid={tableTestIds.toggle(r.id)}
                  onChange={() => onToggle(r, !r.enabled)}
                />
              ) : r.enabled ? (
                'yes'
              ) : (
                'no'
              )}
              {r.overridden && <Badge color="blue" text="overridden" className={styles.badge} />}
            </td>
            <td>
              <Button size="sm" variant="secondary" onClick={() => onView(r)}>
                View
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  groups: css({ fontSize: theme.typography.bodySmall.fontSize }),
  error: css({ color: theme.colors.error.text }),
  badge: css({ marginLeft: theme.spacing(1) }),
});
