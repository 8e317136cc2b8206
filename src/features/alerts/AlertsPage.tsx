import { useMemo } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack } from '@grafana/ui';
import { AlertFiltersBar } from './AlertFiltersBar';
import { AlertsResults } from './AlertsResults';
import { filtersToQuery } from './filters';
import { useAlertFilters } from './useAlertFilters';

const PAGE_SIZE = 100;

function AlertsPage() {
  const [filters, setFilters] = useAlertFilters();
  const query = useMemo(() => filtersToQuery(filters, PAGE_SIZE), [filters]);
  const key = JSON.stringify(query);
  const filtered = Boolean(filters.minSeverity || filters.ruleId || filters.group || filters.container);

  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <AlertFiltersBar filters={filters} onChange={setFilters} />
        <AlertsResults key={key} query={query} filtered={filtered} />
      </Stack>
    </PluginPage>
  );
}

export default AlertsPage;
