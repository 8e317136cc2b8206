import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import { httpError, mockCollector } from '../../test/backendSrv';
import AppConfig, { type AppConfigProps, testIds } from './AppConfig';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

const health = {
  status: 'ok',
  version: '0.1.0',
  sources: {
    docker: { connected: true, endpoint: 'unix:///var/run/docker.sock' },
    k8s_audit: { webhook: { enabled: false } },
  },
  sinks: {},
};

function renderConfig(meta: Partial<AppConfigProps['plugin']['meta']> = {}) {
  const plugin = {
    meta: {
      id: 'shipwatch-containersecurity-app',
      name: 'Shipwatch',
      type: PluginType.app,
      enabled: true,
      jsonData: {},
      ...meta,
    },
  };
  return render(<AppConfig plugin={plugin as AppConfigProps['plugin']} query={{}} />);
}

describe('AppConfig', () => {
  it('saves the URL and token, then shows the version and sources', async () => {
    const fetch = mockCollector({
      '/api/plugins/shipwatch-containersecurity-app/settings': {},
      '/health': health,
      '/alerts': { alerts: [], next_cursor: null },
    });
    renderConfig();
    const submit = screen.getByTestId(testIds.submit);
    expect(submit).toBeDisabled();

    await userEvent.type(screen.getByTestId(testIds.collectorUrl), 'http://shipwatch:7475/api/v1/');
    await userEvent.type(screen.getByTestId(testIds.apiToken), 's3cret');
    expect(submit).toHaveTextContent('Save and test');
    await userEvent.click(submit);

    expect(await screen.findByText(/Connected to Shipwatch collector 0.1.0/)).toBeInTheDocument();
    expect(screen.getByText('docker: connected')).toBeInTheDocument();
    expect(screen.getByText('k8s_audit.webhook: disabled')).toBeInTheDocument();
    expect(fetch.mock.calls[0][0]).toMatchObject({
      method: 'POST',
      data: {
        enabled: true,
        jsonData: { collectorUrl: 'http://shipwatch:7475' },
        secureJsonData: { apiToken: 's3cret' },
      },
    });
    // Once saved, the same button only tests.
    await waitFor(() => expect(submit).toHaveTextContent('Test connection'));
  });

  it('keeps a stored token: tests without saving, and shows what failed', async () => {
    const fetch = mockCollector({
      '/health': health,
      '/alerts': httpError(401, { error: 'invalid token' }),
    });
    renderConfig({ jsonData: { collectorUrl: 'http://shipwatch:7475' }, secureJsonFields: { apiToken: true } });

    await userEvent.click(screen.getByTestId(testIds.submit));

    expect(await screen.findByText('GET /alerts failed (HTTP 401): invalid token')).toBeInTheDocument();
    expect(screen.getByText('Connection test failed')).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalledWith(expect.objectContaining({ method: 'POST' }));
  });

  it('refuses a URL that is not http(s)', async () => {
    mockCollector({});
    renderConfig({ secureJsonFields: { apiToken: true } });

    await userEvent.type(screen.getByTestId(testIds.collectorUrl), 'ftp://x');

    expect(screen.getByText(/Enter an http:\/\/ or https:\/\/ URL/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.submit)).toBeDisabled();
  });
});
