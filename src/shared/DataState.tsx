import type { ReactNode } from 'react';
import { Alert, Button, EmptyState, LoadingPlaceholder, Stack } from '@grafana/ui';
import type { CollectorData } from './useCollectorData';

interface Props<T> {
  state: CollectorData<T>;
  /** What is loaded, for the messages: "alerts", "containers". */
  what: string;
  isEmpty: (data: T) => boolean;
  emptyMessage: string;
  /** Shown under the empty-state message: why it is empty, what to do. */
  emptyHint?: ReactNode;
  /** 'completed' for an empty list that is good news (no findings). */
  emptyVariant?: 'not-found' | 'completed' | 'call-to-action';
  children: (data: T) => ReactNode;
}

/**
 * The loading, error and empty states every page section shares. An error is shown above data
 * still held from before (a failed refresh), or alone.
 */
export function DataState<T>({
  state,
  what,
  isEmpty,
  emptyMessage,
  emptyHint,
  emptyVariant = 'not-found',
  children,
}: Props<T>) {
  const { data, error, loading, reload } = state;
  if (loading && data === undefined) {
    return <LoadingPlaceholder text={`Loading ${what}…`} />;
  }
  const errorBox = error ? (
    <Alert severity="error" title={`Could not load ${what}`}>
      <Stack direction="column" alignItems="flex-start" gap={1}>
        <div>{error.message}</div>
        <Button size="sm" variant="secondary" icon="sync" onClick={reload}>
          Retry
        </Button>
      </Stack>
    </Alert>
  ) : null;
  if (data === undefined) {
    return errorBox;
  }
  if (isEmpty(data)) {
    return (
      <>
        {errorBox}
        <EmptyState variant={emptyVariant} message={emptyMessage}>
          {emptyHint}
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {errorBox}
      {children(data)}
    </>
  );
}
