import { Badge, type BadgeColor, Stack } from '@grafana/ui';
import type { Health } from '../../api/types';
import { type SourceTone, sourceRows, sourceTone } from '../../shared/sources';

const TONE_COLORS: Record<SourceTone, BadgeColor> = { ok: 'green', pending: 'blue', off: 'darkgrey', failing: 'red' };

/** The collector's status, its sources and its Loki sink. */
export function SourcesList({ health }: { health: Health }) {
  const rows = sourceRows(health);
  const loki = health.sinks?.loki;
  return (
    <div>
      <Stack direction="row" gap={1} alignItems="center">
        <span>Collector {health.version}</span>
        <Badge color={health.status === 'ok' ? 'green' : 'orange'} text={health.status} />
      </Stack>
      <table aria-label="Sources" style={{ width: '100%' }}>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <td>{row.name}</td>
              <td>
                <Badge color={TONE_COLORS[sourceTone(row.state)]} text={row.state} />
              </td>
              <td>{row.lastError ?? row.endpoint ?? ''}</td>
            </tr>
          ))}
          {loki && (
            <tr>
              <td>loki (sink)</td>
              <td>
                <Badge
                  color={!loki.enabled ? 'darkgrey' : loki.retrying ? 'red' : 'green'}
                  text={!loki.enabled ? 'disabled' : loki.retrying ? 'retrying' : 'pushing'}
                />
              </td>
              <td>{loki.last_error?.message ?? loki.url ?? ''}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
