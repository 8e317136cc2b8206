import { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Button,
  CodeEditor,
  Drawer,
  Field,
  Input,
  Stack,
  Switch,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';
import type { LocalRuleFile, Rule } from '../../api/types';
import { mitreUrl } from '../../shared/links';
import type { OverrideChange, RuleOverride } from './overrideFile';
import { fileBaseName } from './filterRules';
import { LevelBadge } from './RulesTable';

interface Props {
  rule: Rule;
  /** The local file the rule comes from, when it is a local rule. */
  localFile?: LocalRuleFile;
  /** This page's override of the rule; undefined when it has none. */
  override?: RuleOverride;
  /** Why overrides cannot be written now (the page's override file was edited by hand). */
  overridesBlocked?: string;
  busy: boolean;
  onOverride: (change: OverrideChange) => void;
  onEditFile: (file: LocalRuleFile) => void;
  onClose: () => void;
}

export const detailsTestIds = {
  level: 'data-testid rule-level-override',
  applyLevel: 'data-testid rule-level-apply',
  reset: 'data-testid rule-override-reset',
};

function LevelOverride({ rule, busy, onOverride }: Pick<Props, 'rule' | 'busy' | 'onOverride'>) {
  const styles = useStyles2(getStyles);
  const [level, setLevel] = useState(String(rule.level));
  const value = Number(level);
  const valid = level.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= 15;
  return (
    <Stack direction="row" gap={1} alignItems="flex-start">
      <Field
        label="Level"
        description="0–15; 0 keeps the rule matching (for its children) but never alerts"
        invalid={!valid}
        error={valid ? undefined : 'A whole number from 0 to 15'}
      >
        <Input
          width={8}
          type="number"
          value={level}
          data-testid={detailsTestIds.level}
          onChange={(e) => setLevel(e.currentTarget.value)}
        />
      </Field>
      <Button
        className={styles.apply}
        data-testid={detailsTestIds.applyLevel}
        disabled={busy || !valid || value === rule.level}
        onClick={() => onOverride({ level: value })}
      >
        Override level
      </Button>
    </Stack>
  );
}

/** One rule: what it is, where it is defined, and the changes this page can make to it. */
export function RuleDetails({
  rule,
  localFile,
  override,
  overridesBlocked,
  busy,
  onOverride,
  onEditFile,
  onClose,
}: Props) {
  return (
    <Drawer title={`Rule ${rule.id}`} subtitle={rule.description} onClose={onClose} size="md">
      <Stack direction="column" gap={2}>
        {rule.error && (
          <Alert severity="error" title="The collector refused this rule; it never runs">
            {rule.error}
          </Alert>
        )}
        <Stack direction="row" gap={2} wrap="wrap" alignItems="center">
          <LevelBadge level={rule.level} />
          <span>{rule.enabled ? 'Enabled' : 'Disabled'}</span>
          {rule.parent !== undefined && <span>Child of rule {rule.parent}</span>}
          {rule.runtimeErrors > 0 && <Text color="warning">{rule.runtimeErrors} evaluation error(s) since start</Text>}
        </Stack>
        <div>
          <Text weight="medium">Groups:</Text> {rule.groups.join(', ') || '—'}
        </div>
        <div>
          <Text weight="medium">MITRE ATT&CK:</Text>{' '}
          {rule.mitre.length === 0
            ? '—'
            : rule.mitre.map((id) => {
                const href = mitreUrl(id);
                return href ? (
                  <TextLink key={id} href={href} external inline>
                    {`${id} `}
                  </TextLink>
                ) : (
                  <span key={id}>{id} </span>
                );
              })}
        </div>
        <div>
          <Text weight="medium">Source:</Text> {rule.file}:{rule.line} ({rule.source})
        </div>
        {rule.source === 'shipped' && rule.yaml !== undefined && (
          <CodeEditor
            language="yaml"
            value={rule.yaml}
            readOnly
            height={Math.min(360, 40 + 19 * rule.yaml.split('\n').length)}
            showMiniMap={false}
            showLineNumbers={false}
          />
        )}

        {rule.source === 'shipped' && (
          <Stack direction="column" gap={1}>
            <Text element="h4">Override</Text>
            <Text color="secondary">
              Shipped files are replaced on upgrade, so changes go to a local override file, written by this page.
            </Text>
            {overridesBlocked ? (
              <Alert severity="warning" title="Overrides cannot be written from this page">
                {overridesBlocked}
              </Alert>
            ) : (
              <>
                <Field label="Enabled" description="A disabled rule and every rule below it never run">
                  <Switch
                    value={rule.enabled}
                    disabled={busy}
                    onChange={() => onOverride({ enabled: !rule.enabled })}
                  />
                </Field>
                <LevelOverride key={rule.level} rule={rule} busy={busy} onOverride={onOverride} />
                {override && (
                  <div>
                    <Button
                      variant="secondary"
                      icon="history"
                      data-testid={detailsTestIds.reset}
                      disabled={busy}
                      onClick={() => onOverride({ enabled: null, level: null })}
                    >
                      Remove this page&apos;s override
                    </Button>
                  </div>
                )}
              </>
            )}
          </Stack>
        )}

        {rule.source === 'local' &&
          (localFile ? (
            <Stack direction="column" gap={1}>
              <Stack direction="row" justifyContent="space-between" alignItems="center">
                <Text element="h4">{localFile.name}</Text>
                <Button icon="pen" size="sm" onClick={() => onEditFile(localFile)}>
                  Edit file
                </Button>
              </Stack>
              <CodeEditor
                language="yaml"
                value={localFile.yaml}
                readOnly
                height={360}
                showMiniMap={false}
                showLineNumbers
              />
            </Stack>
          ) : (
            <Alert severity="info" title={`${fileBaseName(rule.file)} is not in the collector's list of local files`}>
              It may have been removed since the rules were loaded; reload the page.
            </Alert>
          ))}
      </Stack>
    </Drawer>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // Level with the input, below the field's label and description.
  apply: css({ marginTop: theme.spacing(5.5) }),
});
