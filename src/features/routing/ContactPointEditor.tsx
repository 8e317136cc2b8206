import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  SecretInput,
  Stack,
  TextArea,
} from '@grafana/ui';
import { errorMessage } from '../../api/errors';
import { grafanaAlertingApi } from './api';
import { CONTACT_KINDS, type ContactForm, contactPointFromForm, formProblems, REDACTED } from './contactPointForm';
import { PAGERDUTY_SEVERITY } from './shipwatchLabels';
import { TestSendButton } from './TestSendButton';

interface Props {
  initial: ContactForm;
  onSaved: () => void;
  onCancel: () => void;
}

export const editorTestIds = {
  name: 'data-testid contact-name',
  url: 'data-testid contact-slack-url',
  token: 'data-testid contact-slack-token',
  recipient: 'data-testid contact-slack-recipient',
  addresses: 'data-testid contact-email-addresses',
  integrationKey: 'data-testid contact-pagerduty-key',
  save: 'data-testid contact-save',
};

function Secret({
  value,
  onChange,
  testId,
  placeholder,
}: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
  placeholder: string;
}) {
  // A stored secret comes back redacted; it stays stored until the user resets it.
  return (
    <SecretInput
      width={60}
      isConfigured={value === REDACTED}
      value={value === REDACTED ? '' : value}
      placeholder={placeholder}
      data-testid={testId}
      onChange={(e) => onChange(e.currentTarget.value)}
      onReset={() => onChange('')}
    />
  );
}

export function ContactPointEditor({ initial, onSaved, onCancel }: Props) {
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [touched, setTouched] = useState(false);
  const set = (patch: Partial<ContactForm>) => setForm((f) => ({ ...f, ...patch }));
  const problems = formProblems(form);
  const valid = Object.keys(problems).length === 0;
  const shown = (key: keyof ContactForm) => (touched ? problems[key] : undefined);
  const kind = CONTACT_KINDS.find((k) => k.value === form.type)?.label ?? form.type;

  const save = async () => {
    setTouched(true);
    if (!valid) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const cp = contactPointFromForm(form);
      if (form.uid) {
        await grafanaAlertingApi.updateContactPoint(form.uid, cp);
      } else {
        await grafanaAlertingApi.createContactPoint(cp);
      }
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FieldSet label={form.uid ? `Edit ${kind} contact point ${initial.name}` : `New ${kind} contact point`}>
      <Field
        label="Name"
        description="Notification policies refer to it by this name"
        invalid={Boolean(shown('name'))}
        error={shown('name')}
      >
        <Input
          width={40}
          value={form.name}
          disabled={Boolean(form.uid)}
          data-testid={editorTestIds.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
        />
      </Field>

      {form.type === 'slack' && (
        <>
          <Field label="Post with">
            <RadioButtonGroup<ContactForm['slackMode']>
              value={form.slackMode}
              onChange={(slackMode) => set({ slackMode })}
              options={[
                { label: 'Incoming webhook', value: 'webhook' },
                { label: 'Bot token', value: 'token' },
              ]}
            />
          </Field>
          {form.slackMode === 'webhook' ? (
            <Field label="Webhook URL" invalid={Boolean(shown('url'))} error={shown('url')}>
              <Secret
                value={form.url}
                onChange={(url) => set({ url })}
                testId={editorTestIds.url}
                placeholder="https://hooks.slack.com/services/…"
              />
            </Field>
          ) : (
            <>
              <Field label="Bot token" invalid={Boolean(shown('token'))} error={shown('token')}>
                <Secret
                  value={form.token}
                  onChange={(token) => set({ token })}
                  testId={editorTestIds.token}
                  placeholder="xoxb-…"
                />
              </Field>
              <Field label="Channel or user" invalid={Boolean(shown('recipient'))} error={shown('recipient')}>
                <Input
                  width={40}
                  value={form.recipient}
                  data-testid={editorTestIds.recipient}
                  placeholder="#security-alerts"
                  onChange={(e) => set({ recipient: e.currentTarget.value })}
                />
              </Field>
            </>
          )}
        </>
      )}

      {form.type === 'email' && (
        <Field
          label="Addresses"
          description="One per line, or separated by , or ;"
          invalid={Boolean(shown('addresses'))}
          error={shown('addresses')}
        >
          <TextArea
            rows={3}
            value={form.addresses}
            data-testid={editorTestIds.addresses}
            onChange={(e) => set({ addresses: e.currentTarget.value })}
          />
        </Field>
      )}

      {form.type === 'pagerduty' && (
        <>
          <Field
            label="Integration key"
            description="Events API v2 key of the PagerDuty service"
            invalid={Boolean(shown('integrationKey'))}
            error={shown('integrationKey')}
          >
            <Secret
              value={form.integrationKey}
              onChange={(integrationKey) => set({ integrationKey })}
              testId={editorTestIds.integrationKey}
              placeholder="Integration key"
            />
          </Field>
          <Alert severity="info" title="Severity follows the alert">
            PagerDuty severity is set from each alert&apos;s severity label:{' '}
            {Object.entries(PAGERDUTY_SEVERITY)
              .map(([sev, pd]) => `${sev} → ${pd}`)
              .join(', ')}
            .
          </Alert>
        </>
      )}

      <Field>
        <Checkbox
          label="Do not send a message when the alert resolves"
          value={form.disableResolveMessage}
          onChange={(e) => set({ disableResolveMessage: e.currentTarget.checked })}
        />
      </Field>

      {error && (
        <Alert severity="error" title="Contact point not saved">
          {error}
        </Alert>
      )}
      <Stack direction="column" gap={2}>
        <Stack direction="row" gap={1}>
          <Button icon={busy ? 'spinner' : 'save'} disabled={busy} data-testid={editorTestIds.save} onClick={save}>
            Save contact point
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </Stack>
        <TestSendButton contactPoint={contactPointFromForm(form)} disabled={!valid} />
      </Stack>
    </FieldSet>
  );
}
