import { useCallback, useMemo, useState } from 'react';
import { Alert as AlertBox, Button, type Column, InteractiveTable, Stack, Tag } from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { Alert, AlertQuery } from '../../api/types';
import { DataState } from '../../shared/DataState';
import { formatTime } from '../../shared/format';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { useCollectorData } from '../../shared/useCollectorData';
import { AlertDetail } from './AlertDetail';

const columns: Array<Column<Alert>> = [
  { id: 'time', header: 'Time', cell: ({ row }) => formatTime(row.original.time), disableGrow: true },
  {
    id: 'severity',
    header: 'Severity',
    cell: ({ row }) => <SeverityBadge severity={row.original.severity} level={row.original.rule.level} />,
    disableGrow: true,
  },
  {
    id: 'rule',
    header: 'Rule',
    cell: ({ row }) => (
      <span>
        <strong>{row.original.rule.id}</strong> {row.original.rule.description}
      </span>
    ),
  },
  {
    id: 'groups',
    header: 'Groups',
    cell: ({ row }) => (
      <Stack direction="row" gap={0.5} wrap="wrap">
        {row.original.rule.groups.map((g) => (
          <Tag key={g} name={g} />
        ))}
      </Stack>
    ),
  },
  { id: 'container', header: 'Container', cell: ({ row }) => row.original.event.container?.name ?? '—' },
  { id: 'host', header: 'Host', cell: ({ row }) => row.original.event.host?.name ?? '—' },
];

interface More {
  alerts: Alert[];
  cursor: string | null;
  loading: boolean;
  error?: string;
}

/**
 * Alerts matching one query, newest first, with "Load more" following the collector's cursor.
 * Mounted with a key per query, so that changing a filter starts from the first page.
 */
export function AlertsResults({ query, filtered }: { query: AlertQuery; filtered: boolean }) {
  const first = useCollectorData(useCallback(() => collectorApi.alerts(query), [query]));
  const [more, setMore] = useState<More | undefined>();

  const alerts = useMemo(() => [...(first.data?.alerts ?? []), ...(more?.alerts ?? [])], [first.data, more]);
  const cursor = more ? more.cursor : (first.data?.next_cursor ?? null);

  const loadMore = async () => {
    if (!cursor) {
      return;
    }
    const before = more?.alerts ?? [];
    setMore({ alerts: before, cursor, loading: true });
    try {
      const page = await collectorApi.alerts({ ...query, cursor });
      setMore({ alerts: [...before, ...page.alerts], cursor: page.next_cursor, loading: false });
    } catch (err) {
      setMore({ alerts: before, cursor, loading: false, error: errorMessage(err) });
    }
  };

  return (
    <DataState
      state={first}
      what="alerts"
      isEmpty={(page) => page.alerts.length === 0}
      emptyMessage={filtered ? 'No alerts match these filters' : `No alerts since ${query.since ?? 'the start'}`}
      emptyVariant={filtered ? 'not-found' : 'completed'}
    >
      {() => (
        <Stack direction="column" gap={1}>
          <InteractiveTable
            columns={columns}
            data={alerts}
            getRowId={(a: Alert) => a.id}
            renderExpandedRow={(a) => <AlertDetail alert={a} />}
          />
          {more?.error && (
            <AlertBox severity="error" title="Could not load more alerts">
              {more.error}
            </AlertBox>
          )}
          <Stack direction="row" gap={2} alignItems="center">
            <span>{alerts.length} alerts shown</span>
            {cursor && (
              <Button
                variant="secondary"
                onClick={loadMore}
                disabled={more?.loading}
                icon={more?.loading ? 'spinner' : undefined}
              >
                Load more
              </Button>
            )}
          </Stack>
        </Stack>
      )}
    </DataState>
  );
}
