/**
 * A failed call to the collector, through Grafana's plugin proxy. `message` names the request and
 * carries the reason: the collector's own `error` text when it answered, else Grafana's (proxy
 * errors such as an unreachable collector or a missing route configuration).
 */
export class CollectorError extends Error {
  override readonly name = 'CollectorError';

  constructor(
    /** The request, e.g. `GET /alerts`. */
    readonly request: string,
    /** HTTP status; undefined when no answer came back at all. */
    readonly status: number | undefined,
    /** The reason as the server gave it. */
    readonly reason: string,
    /** The whole error body, for callers that read more than the message (rule validation). */
    readonly body?: unknown
  ) {
    super(`${request} failed${status ? ` (HTTP ${status})` : ''}: ${reason}`);
  }
}

interface FetchErrorLike {
  status?: number;
  statusText?: string;
  data?: unknown;
  message?: string;
}

function reasonFrom(err: FetchErrorLike): string {
  const data = err.data;
  if (data && typeof data === 'object') {
    const d = data as { error?: unknown; message?: unknown };
    if (typeof d.error === 'string' && d.error) {
      return d.error;
    }
    if (typeof d.message === 'string' && d.message) {
      return d.message;
    }
  }
  if (typeof data === 'string' && data.trim()) {
    return data.trim().slice(0, 300);
  }
  if (err.status === 502 || err.status === 504) {
    return 'the collector did not answer; check the collector URL in the app configuration';
  }
  return err.statusText || err.message || 'no answer from Grafana';
}

/** Turns what `getBackendSrv().fetch` rejects with (a FetchError, or anything) into a CollectorError. */
export function toCollectorError(request: string, err: unknown): CollectorError {
  if (err instanceof CollectorError) {
    return err;
  }
  if (err && typeof err === 'object') {
    const e = err as FetchErrorLike;
    return new CollectorError(
      request,
      typeof e.status === 'number' && e.status > 0 ? e.status : undefined,
      reasonFrom(e),
      e.data
    );
  }
  return new CollectorError(request, undefined, String(err));
}

/** The text to show for any error a page caught. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
