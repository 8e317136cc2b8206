import { Badge, type Column, InteractiveTable, Stack } from '@grafana/ui';
import type { Container } from '../../api/types';
import { formatBytes, formatPercent, formatTime } from '../../shared/format';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { ContainerDetail } from './ContainerDetail';
import { containerName, stateLabel, worstFinding } from './containerView';

function Memory({ c }: { c: Container }) {
  const m = c.metrics;
  if (!m || m.memory_working_set_bytes === undefined) {
    return <>—</>;
  }
  const limit = m.memory_limit_bytes ? ` / ${formatBytes(m.memory_limit_bytes)}` : '';
  const percent = m.memory_percent !== undefined ? ` (${formatPercent(m.memory_percent)})` : '';
  return <>{`${formatBytes(m.memory_working_set_bytes)}${limit}${percent}`}</>;
}

const columns: Array<Column<Container>> = [
  {
    id: 'name',
    header: 'Container',
    cell: ({ row }) => (
      <Stack direction="column" gap={0}>
        <strong>{containerName(row.original)}</strong>
        {row.original.compose.service && (
          <small>
            {row.original.compose.project}/{row.original.compose.service}
          </small>
        )}
      </Stack>
    ),
  },
  { id: 'image', header: 'Image', cell: ({ row }) => row.original.image ?? '—' },
  {
    id: 'state',
    header: 'State',
    cell: ({ row }) => {
      const s = stateLabel(row.original);
      return (
        <Stack direction="row" gap={0.5}>
          <Badge color={s.color} text={s.text} />
          {row.original.health === 'unhealthy' && <Badge color="red" text="unhealthy" />}
        </Stack>
      );
    },
    disableGrow: true,
  },
  { id: 'started', header: 'Started', cell: ({ row }) => formatTime(row.original.started_at), disableGrow: true },
  { id: 'cpu', header: 'CPU', cell: ({ row }) => formatPercent(row.original.metrics?.cpu_percent), disableGrow: true },
  { id: 'memory', header: 'Memory', cell: ({ row }) => <Memory c={row.original} />, disableGrow: true },
  {
    id: 'posture',
    header: 'Posture',
    cell: ({ row }) => {
      const worst = worstFinding(row.original);
      const n = row.original.posture.length;
      return worst ? (
        <Stack direction="row" gap={0.5} alignItems="center">
          <SeverityBadge severity={worst} />
          <span>{n === 1 ? '1 finding' : `${n} findings`}</span>
        </Stack>
      ) : (
        'no findings'
      );
    },
  },
];

export function ContainersTable({ containers }: { containers: Container[] }) {
  return (
    <InteractiveTable
      columns={columns}
      data={containers}
      getRowId={(c: Container) => c.id}
      renderExpandedRow={(c) => <ContainerDetail container={c} />}
    />
  );
}
