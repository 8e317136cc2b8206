import { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { SEVERITIES, type Severity } from '../../api/types';
import { bucketize, TIMELINE_MAX_ALERTS, type AlertTimeline } from './alertTimeline';

const BUCKETS = 24;
const WIDTH = 720;
const HEIGHT = 160;
const AXIS = 18;

/** The severity colours of the SeverityBadge, from the theme's visualization palette. */
export const SEVERITY_COLOR_NAMES: Record<Severity, string> = {
  low: 'blue',
  medium: 'orange',
  high: 'red',
  critical: 'purple',
};

/**
 * Stacked bars of alerts per severity over the window. A panel renderer is not available to app
 * pages outside a dashboard, so this is plain SVG; each bar has a tooltip with its counts.
 */
export function AlertsOverTimeChart({ timeline }: { timeline: AlertTimeline }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const buckets = useMemo(() => bucketize(timeline, BUCKETS), [timeline]);
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const barWidth = WIDTH / BUCKETS;
  const plotHeight = HEIGHT - AXIS;
  const color = (s: Severity) => theme.visualization.getColorByName(SEVERITY_COLOR_NAMES[s]);

  return (
    <div>
      <svg
        className={styles.svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Alerts by severity over time, ${timeline.points.length} alerts`}
        preserveAspectRatio="none"
      >
        {buckets.map((b, i) => {
          let y = plotHeight;
          const label = `${dateTimeFormat(b.startMs)} – ${dateTimeFormat(b.endMs)}: ${SEVERITIES.map(
            (s) => `${b.counts[s]} ${s}`
          ).join(', ')}`;
          return (
            <g key={b.startMs} data-testid="alert-bucket">
              <title>{label}</title>
              {/* Full-height hit area, so the tooltip shows on empty buckets too. */}
              <rect x={i * barWidth} y={0} width={barWidth} height={plotHeight} fill="transparent" />
              {SEVERITIES.map((s) => {
                const h = (b.counts[s] / max) * (plotHeight - 4);
                y -= h;
                return h > 0 ? (
                  <rect key={s} x={i * barWidth + 1} y={y} width={barWidth - 2} height={h} fill={color(s)} />
                ) : null;
              })}
            </g>
          );
        })}
        <line x1={0} x2={WIDTH} y1={plotHeight} y2={plotHeight} stroke={theme.colors.border.medium} />
        <text x={0} y={HEIGHT - 4} className={styles.axis}>
          {dateTimeFormat(timeline.fromMs)}
        </text>
        <text x={WIDTH} y={HEIGHT - 4} textAnchor="end" className={styles.axis}>
          {dateTimeFormat(timeline.toMs)}
        </text>
        <text x={4} y={12} className={styles.axis}>
          max {max} per bar
        </text>
      </svg>
      <div className={styles.legend}>
        {SEVERITIES.map((s) => (
          <span key={s} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: color(s) }} />
            {s}
          </span>
        ))}
      </div>
      {timeline.truncated && (
        <div className={styles.note}>
          Only the latest {TIMELINE_MAX_ALERTS} alerts are drawn; the severity totals above count all of them.
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ width: '100%', height: 180, display: 'block' }),
  axis: css({ fill: theme.colors.text.secondary, fontSize: 11 }),
  legend: css({
    display: 'flex',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  legendItem: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ display: 'inline-block', width: 10, height: 10, borderRadius: 2 }),
  note: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginTop: theme.spacing(0.5),
  }),
});
