import { useCallback, useEffect, useState } from 'react';

export interface CollectorData<T> {
  data?: T;
  error?: Error;
  /** True until the current `load` function answered (not during a background refresh). */
  loading: boolean;
  /** Loads again with the same function. */
  reload: () => void;
}

interface Result<T> {
  source?: () => Promise<T>;
  data?: T;
  error?: Error;
}

/**
 * Runs `load` (memoize it with useCallback: a new function means a new query) and again every
 * `refreshMs` when given. A failed refresh keeps the last data beside the error, so a live view
 * does not go blank on one lost request.
 */
export function useCollectorData<T>(load: () => Promise<T>, refreshMs?: number): CollectorData<T> {
  const [result, setResult] = useState<Result<T>>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let active = true;
    load().then(
      (data) => active && setResult({ source: load, data }),
      (err: unknown) =>
        active &&
        setResult((prev) => ({
          source: load,
          data: prev.source === load ? prev.data : undefined,
          error: err instanceof Error ? err : new Error(String(err)),
        }))
    );
    return () => {
      active = false;
    };
  }, [load, tick]);

  useEffect(() => {
    if (!refreshMs) {
      return undefined;
    }
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = result.source === load;
  return {
    data: current ? result.data : undefined,
    error: current ? result.error : undefined,
    loading: !current,
    reload,
  };
}
