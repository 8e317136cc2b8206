import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface RankedItem {
  key: string;
  label: ReactNode;
  count: number;
  /** In-app link, e.g. the Alerts page filtered to this item. */
  to: string;
}

/** Items with their counts, largest first, each with a bar relative to the largest. */
export function RankedList({ items, label }: { items: RankedItem[]; label: string }) {
  const styles = useStyles2(getStyles);
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <table className={styles.table} aria-label={label}>
      <tbody>
        {items.map((item) => (
          <tr key={item.key}>
            <td className={styles.label}>
              <Link to={item.to}>{item.label}</Link>
            </td>
            <td className={styles.barCell}>
              <div className={styles.bar} style={{ width: `${(item.count / max) * 100}%` }} />
            </td>
            <td className={styles.count}>{item.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ width: '100%', borderCollapse: 'collapse', td: { padding: theme.spacing(0.5, 1, 0.5, 0) } }),
  label: css({ maxWidth: 0, width: '55%', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  barCell: css({ width: '35%' }),
  bar: css({ height: 8, borderRadius: 4, background: theme.colors.primary.main, minWidth: 2 }),
  count: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
});
