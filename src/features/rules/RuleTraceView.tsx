import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Icon, Stack, useStyles2 } from '@grafana/ui';
import type { ClauseTrace, RuleTrace } from '../../api/types';

export const traceTestIds = { rule: (id: number) => `data-testid trace-rule-${id}` };

function shownValue(c: ClauseTrace): string {
  if (c.missing) {
    return 'missing';
  }
  return c.value === undefined ? '' : JSON.stringify(c.value);
}

function Outcome({ trace }: { trace: RuleTrace }) {
  if (trace.error) {
    return <Badge color="red" icon="exclamation-circle" text={`error: ${trace.error}`} />;
  }
  if (trace.outcome === 'alert') {
    return <Badge color="red" icon="bell" text="alert" />;
  }
  if (trace.outcome) {
    return <Badge color="orange" text={trace.outcome} />;
  }
  return trace.matched ? <Badge color="green" text="matched" /> : <Badge color="darkgrey" text="no match" />;
}

/**
 * Why each rule tried did or did not match one event: every comparison with the value the event
 * held, then the exception and correlation steps that can still drop a match.
 */
export function RuleTraceView({ trace }: { trace: RuleTrace[] }) {
  const styles = useStyles2(getStyles);
  if (trace.length === 0) {
    return (
      <div className={styles.note}>
        No rule applies to this event (no root rule is filed under its source and action).
      </div>
    );
  }
  return (
    <Stack direction="column" gap={1}>
      {trace.map((t, i) => (
        <div key={`${t.ruleId}-${i}`} className={styles.rule} data-testid={traceTestIds.rule(t.ruleId)}>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <strong>Rule {t.ruleId}</strong>
            <span className={styles.note}>
              level {t.level}
              {t.parent !== undefined ? `, child of ${t.parent}` : ''}
            </span>
            <span>condition {t.conditionMatched ? 'true' : 'false'}</span>
            {t.exception && <Badge color="blue" text={`removed by exception ${t.exception}`} />}
            {t.correlation && (
              <Badge
                color={t.correlation.reached ? 'green' : 'orange'}
                text={`${t.correlation.count}/${t.correlation.frequency} in ${t.correlation.timeframe}`}
              />
            )}
            <Outcome trace={t} />
          </Stack>
          {t.clauses.length > 0 && (
            <table className={styles.clauses}>
              <tbody>
                {t.clauses.map((c, j) => (
                  <tr key={j}>
                    <td>
                      <Icon
                        name={c.result ? 'check' : 'times'}
                        className={cx(c.result ? styles.pass : styles.fail)}
                        aria-label={c.result ? 'true' : 'false'}
                      />
                    </td>
                    <td className={styles.code}>{c.clause}</td>
                    <td className={styles.code}>{shownValue(c)}</td>
                    <td className={styles.note}>{c.macro ? `from macro ${c.macro}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  rule: css({ borderLeft: `2px solid ${theme.colors.border.medium}`, paddingLeft: theme.spacing(1) }),
  clauses: css({
    marginTop: theme.spacing(0.5),
    td: { padding: theme.spacing(0.25, 1, 0.25, 0), verticalAlign: 'top' },
  }),
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    wordBreak: 'break-all',
  }),
  note: css({ color: theme.colors.text.secondary }),
  pass: css({ color: theme.colors.success.text }),
  fail: css({ color: theme.colors.error.text }),
});
