import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { SelectableValue } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { DataState } from '../../shared/DataState';
import { useCollectorData } from '../../shared/useCollectorData';
import { DashboardLinks } from './ContainerLinks';
import { ContainersTable } from './ContainersTable';
import { filterContainers, type StateFilter } from './containerView';

/** Live CPU and memory come with the list; the collector samples every few seconds. */
export const CONTAINERS_REFRESH_MS = 10_000;

const STATE_OPTIONS: Array<SelectableValue<StateFilter>> = [
  { label: 'All', value: 'all' },
  { label: 'Running', value: 'running' },
  { label: 'Stopped', value: 'stopped' },
];

function ContainersPage() {
  const [params, setParams] = useSearchParams();
  const state = STATE_OPTIONS.find((o) => o.value === params.get('state'))?.value ?? 'all';
  const search = params.get('q') ?? '';
  const containers = useCollectorData(
    useCallback(() => collectorApi.containers(), []),
    CONTAINERS_REFRESH_MS
  );
  const shown = useMemo(
    () => filterContainers(containers.data?.containers ?? [], state, search),
    [containers.data, state, search]
  );

  const setFilter = (key: 'state' | 'q', value: string, dflt: string) => {
    const next = new URLSearchParams(params);
    if (value === dflt) {
      next.delete(key);
    } else {
      next.set(key, value);
    }
    setParams(next, { replace: true });
  };

  return (
    <PluginPage actions={<DashboardLinks />}>
      <Stack direction="column" gap={2}>
        <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
          <Field label="State">
            <RadioButtonGroup options={STATE_OPTIONS} value={state} onChange={(v) => setFilter('state', v, 'all')} />
          </Field>
          <Field label="Search">
            <Input
              width={40}
              placeholder="Name, image, ID or compose service"
              value={search}
              onChange={(e) => setFilter('q', e.currentTarget.value, '')}
            />
          </Field>
        </Stack>
        <DataState
          state={containers}
          what="containers"
          isEmpty={(d) => d.containers.length === 0}
          emptyMessage="The collector knows no containers yet"
          emptyHint="Containers appear once the collector's Docker source is connected; see the Overview page's sources."
        >
          {(d) =>
            shown.length === 0 ? (
              <p>{`None of the ${d.containers.length} containers match these filters.`}</p>
            ) : (
              <ContainersTable containers={shown} />
            )
          }
        </DataState>
      </Stack>
    </PluginPage>
  );
}

export default ContainersPage;
