import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { httpError, lastParams, mockCollector } from '../../test/backendSrv';
import { EMPTY_STATS, makeAlert, makeContainer, makeHealth, makeRule, makeStats } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import OverviewPage from './OverviewPage';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

const recent = new Date(Date.now() - 60_000).toISOString();

function answers(overrides: Record<string, unknown> = {}) {
  return {
    '/alerts/stats': makeStats(),
    '/alerts': {
      alerts: [makeAlert({ time: recent }), makeAlert({ id: 'a2', time: recent, severity: 'low' })],
      next_cursor: null,
    },
    '/rules': { rules: [makeRule()], issues: [] },
    '/health': makeHealth(),
    '/containers': { containers: [makeContainer(), makeContainer({ id: 'd', name: 'db', posture: [] })] },
    ...overrides,
  };
}

describe('OverviewPage', () => {
  it('shows counts, the chart, top rules and containers, sources and posture findings', async () => {
    mockCollector(answers());
    renderAt(<OverviewPage />);

    const chart = await screen.findByRole('img', { name: /Alerts by severity over time, 2 alerts/ });
    expect(chart).toBeInTheDocument();
    expect(screen.getByText('3 alerts')).toBeInTheDocument();

    const rules = await screen.findByRole('table', { name: 'Top rules' });
    expect(await within(rules).findByRole('link', { name: '100100 Interactive shell in a container' })).toHaveAttribute(
      'href',
      '/a/shipwatch-containersecurity-app/alerts?since=24h&rule_id=100100'
    );
    const containers = screen.getByRole('table', { name: 'Top containers' });
    expect(within(containers).getByRole('link', { name: 'web' })).toBeInTheDocument();

    const sources = await screen.findByRole('table', { name: 'Sources' });
    expect(within(sources).getByText('docker')).toBeInTheDocument();
    expect(within(sources).getByText('connect ENOENT')).toBeInTheDocument();
    expect(within(sources).getByText('k8s_audit.webhook')).toBeInTheDocument();

    const findings = await screen.findByRole('table', { name: 'Posture findings' });
    expect(within(findings).getByText(/runs privileged/)).toBeInTheDocument();
  });

  it('asks again for the window chosen', async () => {
    const fetch = mockCollector(answers());
    renderAt(<OverviewPage />);
    await screen.findByText('3 alerts');

    await userEvent.click(screen.getByRole('radio', { name: '7d' }));

    await waitFor(() => expect(lastParams(fetch, '/alerts/stats')).toEqual({ since: '7d' }));
    expect(lastParams(fetch, '/alerts')).toEqual({ since: '7d', limit: '1000' });
  });

  it('shows empty states when nothing happened', async () => {
    mockCollector(
      answers({
        '/alerts/stats': EMPTY_STATS,
        '/alerts': { alerts: [], next_cursor: null },
        '/containers': { containers: [] },
      })
    );
    renderAt(<OverviewPage />);

    expect(await screen.findByText('No alerts in the last 24h')).toBeInTheDocument();
    expect(screen.getByText('No rule raised an alert in the last 24h')).toBeInTheDocument();
    expect(screen.getByText('No container alerts in the last 24h')).toBeInTheDocument();
    expect(await screen.findByText(/No posture findings/)).toBeInTheDocument();
  });

  it('shows what failed', async () => {
    mockCollector(
      answers({
        '/alerts/stats': httpError(401, { error: 'invalid token' }),
        '/health': httpError(502, { message: 'Bad Gateway' }),
      })
    );
    renderAt(<OverviewPage />);

    expect(await screen.findByText('Could not load alert counts')).toBeInTheDocument();
    expect(screen.getAllByText('GET /alerts/stats failed (HTTP 401): invalid token').length).toBeGreaterThan(0);
    expect(await screen.findByText("Could not load the collector's status")).toBeInTheDocument();
    expect(screen.getByText('GET /health failed (HTTP 502): Bad Gateway')).toBeInTheDocument();
  });
});
