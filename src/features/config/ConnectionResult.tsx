import { Alert } from '@grafana/ui';
import { sourceRows } from '../../shared/sources';
import type { ConnectionCheck } from './connection';

export type ConnectionOutcome = { ok: true; check: ConnectionCheck } | { ok: false; message: string };

/** What "Test connection" found: the collector's version and sources, or what failed. */
export function ConnectionResult({ outcome }: { outcome: ConnectionOutcome }) {
  if (!outcome.ok) {
    return (
      <Alert severity="error" title="Connection test failed">
        {outcome.message}
      </Alert>
    );
  }
  const { health } = outcome.check;
  const sources = sourceRows(health);
  return (
    <Alert
      severity={health.status === 'ok' ? 'success' : 'warning'}
      title={`Connected to Shipwatch collector ${health.version} (status: ${health.status}); the API token is accepted`}
    >
      {sources.length === 0 ? (
        'The collector reports no sources.'
      ) : (
        <ul aria-label="Collector sources">
          {sources.map((s) => (
            <li key={s.name}>
              {s.name}: {s.state}
              {s.lastError ? ` (last error: ${s.lastError})` : ''}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
