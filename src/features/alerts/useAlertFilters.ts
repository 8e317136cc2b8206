import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type AlertFilters, filtersFromSearch, filtersToSearch } from './filters';

/** The filters from the URL, and a setter that writes them back (replacing the history entry). */
export function useAlertFilters(): [AlertFilters, (change: Partial<AlertFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // Keyed on the query string, so that the filters object changes only when a filter does.
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(key)), [key]);
  const update = useCallback(
    (change: Partial<AlertFilters>) => setParams(filtersToSearch({ ...filters, ...change }), { replace: true }),
    [filters, setParams]
  );
  return [filters, update];
}
