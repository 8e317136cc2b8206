import { of, throwError } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { collectorApi, toQueryParams } from './client';
import { CollectorError } from './errors';

jest.mock('@grafana/runtime', () => ({
  getBackendSrv: jest.fn(),
}));

const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('collector API client', () => {
  it('calls the collector through the plugin proxy route, lists comma-separated', async () => {
    fetchMock.mockReturnValue(of({ data: { alerts: [], next_cursor: null } }));

    const page = await collectorApi.alerts({ since: '24h', severity: ['high', 'critical'], group: '', limit: 50 });

    expect(page).toEqual({ alerts: [], next_cursor: null });
    expect(fetchMock).toHaveBeenCalledWith(
      expect.objectContaining({
        method: 'GET',
        url: '/api/plugin-proxy/shipwatch-containersecurity-app/api/v1/alerts',
        params: { since: '24h', severity: 'high,critical', limit: '50' },
        showErrorAlert: false,
      })
    );
  });

  it("carries the collector's error message and status", async () => {
    fetchMock.mockReturnValue(
      throwError(() => ({ status: 401, statusText: 'Unauthorized', data: { error: 'invalid token' } }))
    );

    const err = await collectorApi.containers().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(CollectorError);
    expect(err).toMatchObject({ status: 401, reason: 'invalid token', request: 'GET /containers' });
    expect((err as Error).message).toBe('GET /containers failed (HTTP 401): invalid token');
  });

  it("falls back to Grafana's message when the proxy itself fails", async () => {
    fetchMock.mockReturnValue(throwError(() => ({ status: 502, data: { message: 'Bad Gateway' } })));

    await expect(collectorApi.health()).rejects.toThrow('GET /health failed (HTTP 502): Bad Gateway');
  });

  it('sends JSON bodies and encodes file names in the path', async () => {
    fetchMock.mockReturnValue(of({ data: { ok: true, errors: [], warnings: [] } }));

    await collectorApi.saveLocalRules('my rules.yaml', 'rules: []');

    expect(fetchMock).toHaveBeenCalledWith(
      expect.objectContaining({
        method: 'PUT',
        url: '/api/plugin-proxy/shipwatch-containersecurity-app/api/v1/rules/local/my%20rules.yaml',
        data: { yaml: 'rules: []' },
        headers: { 'Content-Type': 'application/json' },
      })
    );
  });

  it('leaves out empty query values', () => {
    expect(toQueryParams({ a: undefined, b: '', c: [], d: 0, e: ['x'] })).toEqual({ d: '0', e: 'x' });
  });
});
