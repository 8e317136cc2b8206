import { useState } from 'react';
import { Alert, Button, RadioButtonGroup, Stack } from '@grafana/ui';
import { SEVERITIES, type Severity } from '../../api/types';
import { errorMessage } from '../../api/errors';
import { grafanaAlertingApi } from './api';
import { settingsForTest } from './contactPointForm';
import { PAGERDUTY_SEVERITY, SEVERITY_LABEL, SHIPWATCH_LABEL } from './shipwatchLabels';
import type { ContactPoint, ReceiverTestResult } from './types';

interface Props {
  contactPoint: ContactPoint;
  disabled?: boolean;
}

export const testSendTestIds = { send: (name: string) => `data-testid test-send-${name}` };

/** The body of Grafana's receiver test: one receiver with this integration, and a Shipwatch-like alert. */
export function receiverTestBody(cp: ContactPoint, severity: Severity) {
  return {
    receivers: [
      {
        name: cp.name,
        grafana_managed_receiver_configs: [
          {
            ...(cp.uid ? { uid: cp.uid } : {}),
            name: cp.name,
            type: cp.type,
            settings: settingsForTest(cp.settings),
            disableResolveMessage: Boolean(cp.disableResolveMessage),
          },
        ],
      },
    ],
    alert: {
      labels: {
        alertname: 'Shipwatch test notification',
        [SHIPWATCH_LABEL.name]: SHIPWATCH_LABEL.value,
        [SEVERITY_LABEL]: severity,
      },
      annotations: {
        summary: `Test notification from Shipwatch's Alert routing page (severity ${severity})`,
        description: `A ${severity} Shipwatch alert reaches PagerDuty as ${PAGERDUTY_SEVERITY[severity]}.`,
      },
    },
  };
}

/** Failures Grafana reports per integration, even in a 200/207 answer. */
function failures(result: ReceiverTestResult): string[] {
  return (result.receivers ?? []).flatMap((r) =>
    (r.grafana_managed_receiver_configs ?? [])
      .filter((c) => c.status !== 'ok')
      .map((c) => `${c.name}: ${c.error ?? c.status}`)
  );
}

type Outcome = { ok: true } | { ok: false; message: string };

export function TestSendButton({ contactPoint, disabled }: Props) {
  const [severity, setSeverity] = useState<Severity>('high');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const send = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const failed = failures(await grafanaAlertingApi.testReceiver(receiverTestBody(contactPoint, severity)));
      setOutcome(failed.length === 0 ? { ok: true } : { ok: false, message: failed.join('; ') });
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <RadioButtonGroup<Severity>
          size="sm"
          value={severity}
          onChange={setSeverity}
          options={SEVERITIES.map((s) => ({ label: s, value: s }))}
        />
        <Button
          size="sm"
          variant="secondary"
          icon={busy ? 'spinner' : 'message'}
          disabled={disabled || busy}
          data-testid={testSendTestIds.send(contactPoint.name)}
          onClick={send}
        >
          Test send
        </Button>
      </Stack>
      {outcome &&
        (outcome.ok ? (
          <Alert severity="success" title={`Test notification sent to ${contactPoint.name}`} />
        ) : (
          <Alert severity="error" title={`Test notification to ${contactPoint.name} failed`}>
            {outcome.message}
          </Alert>
        ))}
    </Stack>
  );
}
