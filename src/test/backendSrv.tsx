// Test helpers for pages that call the collector through getBackendSrv(). A test file mocks
// @grafana/runtime with `runtimeMock()` (jest hoists jest.mock above the imports):
//
//   jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());
//
// then answers requests by collector path with `mockCollector({ '/alerts': {...} })`.
import type { ReactNode } from 'react';
import { of, throwError } from 'rxjs';
import type { BackendSrvRequest } from '@grafana/runtime';
import { COLLECTOR_API_BASE } from '../constants';

/** @grafana/runtime with getBackendSrv as a jest.fn and PluginPage as a plain wrapper. */
export function runtimeMock() {
  return {
    ...jest.requireActual('@grafana/runtime'),
    getBackendSrv: jest.fn(),
    // One Loki data source, for the Explore links.
    getDataSourceSrv: jest.fn(() => ({
      getList: ({ type }: { type?: string } = {}) =>
        type === undefined || type === 'loki' ? [{ uid: 'loki-uid', type: 'loki', name: 'Loki' }] : [],
    })),
    PluginPage: ({ children, actions }: { children?: ReactNode; actions?: ReactNode }) => (
      <div>
        {actions}
        {children}
      </div>
    ),
  };
}

/** What getBackendSrv().fetch rejects with when the server answers with an error status. */
export function httpError(status: number, data: unknown) {
  return { status, statusText: `HTTP ${status}`, data };
}

/** An answer, or a function of the request giving one; an `httpError(...)` answer is thrown. */
export type Answer = unknown | ((req: BackendSrvRequest) => unknown);

function isHttpError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'status' in value && 'statusText' in value && 'data' in value;
}

/**
 * Makes getBackendSrv().fetch answer collector requests by path (`/alerts`, `/rules/local/x`);
 * an unlisted path fails the test's request with a 404. Returns the fetch mock to inspect calls.
 */
export function mockCollector(answers: Record<string, Answer>): jest.Mock {
  // Imported here so that this module is usable from inside a jest.mock factory.
  const { getBackendSrv } = jest.requireMock('@grafana/runtime');
  const fetch = jest.fn((req: BackendSrvRequest) => {
    const path = req.url.startsWith(COLLECTOR_API_BASE) ? req.url.slice(COLLECTOR_API_BASE.length) : req.url;
    if (!(path in answers)) {
      return throwError(() => httpError(404, { error: `no such endpoint: ${req.method ?? 'GET'} ${path}` }));
    }
    const answer = answers[path];
    const data = typeof answer === 'function' ? answer(req) : answer;
    if (isHttpError(data)) {
      return throwError(() => data);
    }
    return of({ data, status: 200, ok: true, statusText: 'OK', url: req.url, config: req });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch });
  return fetch;
}

/** The query parameters of the last call to `path`. */
export function lastParams(fetch: jest.Mock, path: string): Record<string, string> | undefined {
  const calls = fetch.mock.calls.filter(([req]) => (req as BackendSrvRequest).url === `${COLLECTOR_API_BASE}${path}`);
  const last = calls[calls.length - 1];
  return last ? (last[0] as BackendSrvRequest).params : undefined;
}
