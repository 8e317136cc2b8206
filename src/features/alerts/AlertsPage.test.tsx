import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { httpError, lastParams, mockCollector } from '../../test/backendSrv';
import { makeAlert, makeRule, makeStats } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import AlertsPage from './AlertsPage';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

function answers(alerts: unknown) {
  return {
    '/alerts': alerts,
    '/alerts/stats': makeStats(),
    '/rules': { rules: [makeRule()], issues: [] },
  };
}

describe('AlertsPage', () => {
  it('lists alerts and opens one with its rule, MITRE links, event and Explore link', async () => {
    mockCollector(answers({ alerts: [makeAlert()], next_cursor: null }));
    renderAt(<AlertsPage />, '/alerts');

    const row = (await screen.findByText('Shell started in container web: bash -i')).closest('tr')!;
    expect(within(row).getByText('critical (12)')).toBeInTheDocument();
    expect(within(row).getByText('web')).toBeInTheDocument();

    await userEvent.click(within(row).getByRole('button', { name: /expand/i }));

    const detail = await screen.findByLabelText('Alert a1');
    expect(within(detail).getByRole('link', { name: 'T1609' })).toHaveAttribute(
      'href',
      'https://attack.mitre.org/techniques/T1609/'
    );
    expect(within(detail).getByRole('link', { name: 'T1059.004' })).toHaveAttribute(
      'href',
      'https://attack.mitre.org/techniques/T1059/004/'
    );
    expect(within(detail).getByText('{job="shipwatch", container="web"}')).toBeInTheDocument();
    const explore = within(detail).getByRole('link', { name: /Open in Explore/ });
    expect(decodeURIComponent(explore.getAttribute('href')!)).toContain(
      '"expr":"{job=\\"shipwatch\\", container=\\"web\\"}"'
    );
    expect(within(detail).getByLabelText('Event JSON')).toHaveTextContent('"exec_start"');
  });

  it('sends the filters from the URL and from the controls in the query', async () => {
    const fetch = mockCollector(answers({ alerts: [makeAlert()], next_cursor: null }));
    renderAt(<AlertsPage />, '/alerts?rule_id=100100&group=shell&container=web');

    await screen.findByText('Shell started in container web: bash -i');
    expect(lastParams(fetch, '/alerts')).toEqual({
      since: '24h',
      rule_id: '100100',
      group: 'shell',
      container: 'web',
      limit: '100',
    });

    await userEvent.click(screen.getByRole('radio', { name: '7d' }));
    await waitFor(() => expect(lastParams(fetch, '/alerts')).toMatchObject({ since: '7d' }));

    await userEvent.click(screen.getByRole('radio', { name: 'High+' }));
    await waitFor(() => expect(lastParams(fetch, '/alerts')).toMatchObject({ since: '7d', severity: 'high,critical' }));

    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(lastParams(fetch, '/alerts')).toEqual({ since: '7d', limit: '100' }));
  });

  it('loads the next page with the cursor', async () => {
    const fetch = mockCollector(
      answers((req: { params: Record<string, string> }) =>
        req.params.cursor
          ? {
              alerts: [makeAlert({ id: 'a2', rule: { ...makeAlert().rule, description: 'older alert' } })],
              next_cursor: null,
            }
          : { alerts: [makeAlert()], next_cursor: 'c1' }
      )
    );
    renderAt(<AlertsPage />, '/alerts');

    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));

    expect(await screen.findByText('older alert')).toBeInTheDocument();
    expect(lastParams(fetch, '/alerts')).toMatchObject({ cursor: 'c1' });
    expect(screen.getByText('2 alerts shown')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    mockCollector(answers({ alerts: [], next_cursor: null }));
    renderAt(<AlertsPage />, '/alerts?container=nope');

    expect(await screen.findByText('No alerts match these filters')).toBeInTheDocument();
  });

  it('shows what failed', async () => {
    mockCollector({
      ...answers(httpError(400, { error: "query parameter 'since': expected an RFC 3339 time" })),
      '/rules': httpError(500, { error: 'internal error; see the collector log' }),
    });
    renderAt(<AlertsPage />, '/alerts');

    expect(await screen.findByText('Could not load alerts')).toBeInTheDocument();
    expect(
      screen.getByText("GET /alerts failed (HTTP 400): query parameter 'since': expected an RFC 3339 time")
    ).toBeInTheDocument();
    expect(
      await screen.findByText('GET /rules failed (HTTP 500): internal error; see the collector log')
    ).toBeInTheDocument();
  });
});
