import { screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';
import { mockCollector } from '../test/backendSrv';
import { makeHealth } from '../test/fixtures';
import { renderAt } from '../test/render';
import App from './App';

jest.mock('@grafana/runtime', () => jest.requireActual('../test/backendSrv').runtimeMock());

describe('App', () => {
  it('opens the Overview for the app root', async () => {
    mockCollector({ '/health': makeHealth(), '/containers': { containers: [] }, '/rules': { rules: [], issues: [] } });
    renderAt(<App {...({} as AppRootProps)} />, '/');

    expect(await screen.findByRole('region', { name: 'Alerts by severity over time' })).toBeInTheDocument();
  });
});
