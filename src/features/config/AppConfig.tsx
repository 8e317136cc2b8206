import { type FormEvent, useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Button, Field, FieldSet, Input, SecretInput, Stack } from '@grafana/ui';
import { errorMessage } from '../../api/errors';
import { ConnectionResult, type ConnectionOutcome } from './ConnectionResult';
import { checkConnection, saveSettings, type SettingsUpdate } from './connection';
import { normalizeCollectorUrl, type ShipwatchSettings } from './settings';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<ShipwatchSettings>>;

export const testIds = {
  collectorUrl: 'data-testid shipwatch-config-collector-url',
  apiToken: 'data-testid shipwatch-config-api-token',
  submit: 'data-testid shipwatch-config-submit',
};

/**
 * Collector URL and API token. The token goes to secureJsonData: Grafana never sends it back,
 * and the proxy routes of plugin.json add it to every request to the collector.
 */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [savedUrl, setSavedUrl] = useState(jsonData?.collectorUrl ?? '');
  const [collectorUrl, setCollectorUrl] = useState(savedUrl);
  const [apiToken, setApiToken] = useState('');
  const [tokenStored, setTokenStored] = useState(Boolean(secureJsonFields?.apiToken));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ConnectionOutcome | undefined>();

  const normalizedUrl = normalizeCollectorUrl(collectorUrl);
  const urlInvalid = collectorUrl.trim() !== '' && normalizedUrl === undefined;
  const dirty = collectorUrl.trim() !== savedUrl || apiToken !== '';
  const canSubmit = !busy && normalizedUrl !== undefined && (tokenStored || apiToken !== '');

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit || normalizedUrl === undefined) {
      return;
    }
    setBusy(true);
    setOutcome(undefined);
    try {
      if (dirty) {
        const update: SettingsUpdate = {
          enabled: Boolean(enabled),
          pinned: Boolean(pinned),
          jsonData: { ...jsonData, collectorUrl: normalizedUrl },
          // Sending secureJsonData again would overwrite the stored token with an empty one.
          secureJsonData: apiToken !== '' ? { apiToken } : undefined,
        };
        await saveSettings(plugin.meta.id, update);
        setSavedUrl(normalizedUrl);
        setCollectorUrl(normalizedUrl);
        setTokenStored(true);
        setApiToken('');
      }
      setOutcome({ ok: true, check: await checkConnection() });
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      <FieldSet label="Shipwatch collector">
        <Field
          label="Collector URL"
          description="Base URL of the collector's API as Grafana's server reaches it, e.g. http://shipwatch:7475"
          invalid={urlInvalid}
          error={urlInvalid ? 'Enter an http:// or https:// URL without query or credentials' : undefined}
        >
          <Input
            width={60}
            id="shipwatch-collector-url"
            data-testid={testIds.collectorUrl}
            value={collectorUrl}
            placeholder="http://shipwatch:7475"
            onChange={(e) => setCollectorUrl(e.currentTarget.value)}
          />
        </Field>
        <Field
          label="API token"
          description="The collector's api.token (SHIPWATCH_API_TOKEN). Stored encrypted; only Grafana's server reads it."
        >
          <SecretInput
            width={60}
            id="shipwatch-api-token"
            data-testid={testIds.apiToken}
            value={apiToken}
            isConfigured={tokenStored}
            placeholder="Collector API token"
            onChange={(e) => setApiToken(e.currentTarget.value.trim())}
            onReset={() => {
              setTokenStored(false);
              setApiToken('');
            }}
          />
        </Field>
        <Stack direction="row" gap={1}>
          <Button type="submit" data-testid={testIds.submit} disabled={!canSubmit} icon={busy ? 'spinner' : undefined}>
            {dirty ? 'Save and test' : 'Test connection'}
          </Button>
        </Stack>
      </FieldSet>
      {outcome && <ConnectionResult outcome={outcome} />}
    </form>
  );
};

export default AppConfig;
