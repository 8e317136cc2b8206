import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Icon, useStyles2 } from '@grafana/ui';
import type { ValidationMessage } from '../../api/types';

interface Props {
  errors: ValidationMessage[];
  warnings: ValidationMessage[];
  /** Moves the editor's cursor to the message's position. */
  onJump?: (line: number, column: number) => void;
}

export const validationTestIds = { list: 'data-testid rule-validation-messages' };

/** Errors refuse the file, warnings do not; each names its line and column in the file. */
export function ValidationMessages({ errors, warnings, onJump }: Props) {
  const styles = useStyles2(getStyles);
  if (errors.length === 0 && warnings.length === 0) {
    return null;
  }
  const item = (m: ValidationMessage, kind: 'error' | 'warning', i: number) => {
    const where = `Line ${m.line}, column ${m.column}`;
    return (
      <li key={`${kind}-${i}`} className={styles.item}>
        <Icon name={kind === 'error' ? 'exclamation-circle' : 'exclamation-triangle'} className={styles[kind]} />{' '}
        {onJump ? (
          <Button fill="text" size="sm" className={styles.jump} onClick={() => onJump(m.line, m.column)}>
            {where}
          </Button>
        ) : (
          <span>{where}</span>
        )}
        : {m.message}
      </li>
    );
  };
  return (
    <Alert
      severity={errors.length > 0 ? 'error' : 'warning'}
      title={
        errors.length > 0
          ? `${errors.length} error(s): the file would be refused`
          : `${warnings.length} warning(s): the file loads, check these`
      }
    >
      <ul className={styles.list} data-testid={validationTestIds.list}>
        {errors.map((m, i) => item(m, 'error', i))}
        {warnings.map((m, i) => item(m, 'warning', i))}
      </ul>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  item: css({ marginBottom: theme.spacing(0.5), fontFamily: theme.typography.fontFamilyMonospace }),
  jump: css({ padding: 0, height: 'auto' }),
  error: css({ color: theme.colors.error.text }),
  warning: css({ color: theme.colors.warning.text }),
});
