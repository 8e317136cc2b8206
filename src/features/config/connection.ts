import { lastValueFrom } from 'rxjs';
import type { PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { collectorApi } from '../../api/client';
import { toCollectorError } from '../../api/errors';
import type { Health } from '../../api/types';
import type { ShipwatchSecureSettings, ShipwatchSettings } from './settings';

export interface SettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: ShipwatchSettings;
  /** Left out to keep the stored token. */
  secureJsonData?: ShipwatchSecureSettings;
}

/** Stores the app's settings in Grafana; the proxy routes read them on the next request. */
export async function saveSettings(pluginId: string, update: SettingsUpdate): Promise<void> {
  try {
    await lastValueFrom(
      getBackendSrv().fetch<PluginMeta>({
        url: `/api/plugins/${pluginId}/settings`,
        method: 'POST',
        data: update,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
  } catch (err) {
    throw toCollectorError('Saving the app settings', err);
  }
}

export interface ConnectionCheck {
  health: Health;
  /** The alert count returned with the token: proves the token is accepted. */
  tokenAccepted: true;
}

/**
 * `/health` answers without a token, so the token is checked with a second, authenticated
 * request; both go through the proxy route, with the saved settings.
 */
export async function checkConnection(): Promise<ConnectionCheck> {
  const health = await collectorApi.health();
  await collectorApi.alerts({ limit: 1 });
  return { health, tokenAccepted: true };
}
