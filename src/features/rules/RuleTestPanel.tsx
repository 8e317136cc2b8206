import { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Button,
  ControlledCollapse,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  Stack,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { CollectorError, errorMessage } from '../../api/errors';
import type { EventSource, RuleRejection, RuleTestResult, ValidationMessage } from '../../api/types';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { RuleTraceView } from './RuleTraceView';
import { describeEvent, EVENT_SOURCES, parsePastedEvents } from './testEvents';
import { ValidationMessages } from './ValidationMessages';

interface Props {
  title: string;
  /** Rules YAML to test on top of the running rules; undefined tests the running rules alone. */
  yaml?: string;
  /** The saved local file `yaml` is an edit of: the collector leaves its saved copy out. */
  fileName?: string;
}

type InputMode = 'paste' | 'recent';

export const testPanelTestIds = {
  events: 'data-testid rule-test-events',
  limit: 'data-testid rule-test-limit',
  run: 'data-testid rule-test-run',
  result: (i: number) => `data-testid rule-test-result-${i}`,
};

const MAX_RECENT = 1000;

interface Run {
  events: unknown[];
  results: RuleTestResult[];
}

interface Failure {
  message: string;
  errors?: ValidationMessage[];
}

async function recentEvents(source: EventSource, limit: number): Promise<unknown[]> {
  const page = await collectorApi.events({ source, limit });
  if (page.events.length === 0) {
    throw new Error(`the collector holds no ${source} events yet`);
  }
  // The API answers newest first; correlation windows need the events in the order they happened.
  return [...page.events].reverse();
}

export function RuleTestPanel({ title, yaml, fileName }: Props) {
  const styles = useStyles2(getStyles);
  const [mode, setMode] = useState<InputMode>('paste');
  const [pasted, setPasted] = useState('');
  const [source, setSource] = useState<EventSource>('docker');
  const [limit, setLimit] = useState('20');
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<Run | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();

  const limitNumber = Number(limit);
  const limitValid = Number.isInteger(limitNumber) && limitNumber >= 1 && limitNumber <= MAX_RECENT;

  const onRun = async () => {
    setBusy(true);
    setFailure(undefined);
    setRun(undefined);
    try {
      const events = mode === 'paste' ? parsePastedEvents(pasted) : await recentEvents(source, limitNumber);
      const answer = await collectorApi.testRules(events, yaml, fileName);
      setRun({ events, results: answer.results });
    } catch (err) {
      const body = err instanceof CollectorError ? (err.body as RuleRejection | undefined) : undefined;
      setFailure({ message: errorMessage(err), errors: body?.errors });
    } finally {
      setBusy(false);
    }
  };

  return (
    <FieldSet label={title}>
      <Stack direction="column" gap={1}>
        <RadioButtonGroup<InputMode>
          value={mode}
          onChange={setMode}
          options={[
            { label: 'Pasted events', value: 'paste' },
            { label: 'Recent events of a source', value: 'recent' },
          ]}
        />
        {mode === 'paste' ? (
          <Field
            label="Events"
            description="A JSON array, one JSON object, or JSON lines of Shipwatch events or raw inputs"
            noMargin
          >
            <TextArea
              rows={6}
              value={pasted}
              data-testid={testPanelTestIds.events}
              onChange={(e) => setPasted(e.currentTarget.value)}
            />
          </Field>
        ) : (
          <Stack direction="row" gap={2} wrap="wrap">
            <Field label="Source" noMargin>
              <RadioButtonGroup<EventSource>
                value={source}
                onChange={setSource}
                options={EVENT_SOURCES.map((s) => ({ label: s, value: s }))}
              />
            </Field>
            <Field
              label="Last N events"
              invalid={!limitValid}
              error={limitValid ? undefined : `1 to ${MAX_RECENT}`}
              noMargin
            >
              <Input
                width={10}
                type="number"
                value={limit}
                data-testid={testPanelTestIds.limit}
                onChange={(e) => setLimit(e.currentTarget.value)}
              />
            </Field>
          </Stack>
        )}
        <div>
          <Button
            icon={busy ? 'spinner' : 'play'}
            data-testid={testPanelTestIds.run}
            disabled={busy || (mode === 'recent' && !limitValid)}
            onClick={onRun}
          >
            Run test
          </Button>
        </div>
        {failure && (
          <Alert severity="error" title="Test did not run">
            <div>{failure.message}</div>
            {failure.errors && <ValidationMessages errors={failure.errors} warnings={[]} />}
          </Alert>
        )}
        {run && <TestResults run={run} className={styles.results} />}
      </Stack>
    </FieldSet>
  );
}

function TestResults({ run, className }: { run: Run; className: string }) {
  const alerts = run.results.reduce((n, r) => n + ('alerts' in r ? r.alerts.length : 0), 0);
  // Open every event of a small run; a large one would bury the summary.
  const open = run.results.length <= 10;
  return (
    <div className={className}>
      <div>
        {run.results.length} event(s) tested, {alerts} alert(s).
      </div>
      {run.results.map((r, i) => (
        <div key={i} data-testid={testPanelTestIds.result(i)}>
          <ControlledCollapse
            label={`${i + 1}. ${describeEvent(run.events[i])} — ${'error' in r ? 'not an event' : `${r.alerts.length} alert(s)`}`}
            isOpen={open}
          >
            {'error' in r ? (
              <Alert severity="warning" title={`Input ${i + 1} was not tested`}>
                {r.error}
              </Alert>
            ) : (
              <Stack direction="column" gap={1}>
                {r.alerts.map((a) => (
                  <Stack key={a.id} direction="row" gap={1} alignItems="center">
                    <SeverityBadge severity={a.severity} level={a.rule.level} />
                    <span>
                      Rule {a.rule.id}: {a.rule.description}
                      {a.count > 1 ? ` (${a.count} events)` : ''}
                    </span>
                  </Stack>
                ))}
                <RuleTraceView trace={r.trace} />
              </Stack>
            )}
          </ControlledCollapse>
        </div>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  results: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
});
