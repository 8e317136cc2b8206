import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { httpError, mockCollector } from '../../test/backendSrv';
import { makeContainer } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import ContainersPage, { CONTAINERS_REFRESH_MS } from './ContainersPage';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

const db = makeContainer({
  id: 'db0000000000',
  name: 'db',
  image: 'postgres:17',
  state: 'exited',
  exit_code: 137,
  posture: [],
  metrics: null,
  compose: { project: null, service: null },
});

describe('ContainersPage', () => {
  afterEach(() => jest.useRealTimers());

  it('lists containers with state, resources, posture and dashboard links', async () => {
    mockCollector({ '/containers': { containers: [makeContainer(), db] } });
    renderAt(<ContainersPage />, '/containers');

    const web = (await screen.findByText('shop/web')).closest('tr')!;
    expect(within(web).getByText('running')).toBeInTheDocument();
    expect(within(web).getByText('12.5 %')).toBeInTheDocument();
    expect(within(web).getByText('64.0 MiB / 256.0 MiB (25.0 %)')).toBeInTheDocument();
    expect(within(web).getByText('1 finding')).toBeInTheDocument();
    const dbRow = screen.getByText('db').closest('tr')!;
    expect(within(dbRow).getByText('exited (137)')).toBeInTheDocument();
    expect(within(dbRow).getByText('no findings')).toBeInTheDocument();

    await userEvent.click(within(web).getByRole('button', { name: /expand/i }));
    const detail = await screen.findByLabelText('Container web');
    expect(within(detail).getByText(/runs privileged/)).toBeInTheDocument();
    expect(within(detail).getByRole('link', { name: /Resources/ })).toHaveAttribute(
      'href',
      '/d/shipwatch-container-resources?var-container=web'
    );
    expect(within(detail).getByRole('link', { name: /Alerts/ })).toHaveAttribute(
      'href',
      '/a/shipwatch-containersecurity-app/alerts?container=web'
    );
    expect(screen.getByRole('link', { name: 'Docker engine' })).toHaveAttribute('href', '/d/shipwatch-docker-engine');
  });

  it('filters by state and search', async () => {
    mockCollector({ '/containers': { containers: [makeContainer(), db] } });
    renderAt(<ContainersPage />, '/containers?state=running');

    expect(await screen.findByText('shop/web')).toBeInTheDocument();
    expect(screen.queryByText('db')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('radio', { name: 'All' }));
    await userEvent.type(screen.getByPlaceholderText(/Name, image/), 'postgres');
    expect(await screen.findByText('db')).toBeInTheDocument();
    expect(screen.queryByText('shop/web')).not.toBeInTheDocument();
  });

  it('refreshes the live numbers every 10 seconds', async () => {
    jest.useFakeTimers();
    let cpu = 12.5;
    const fetch = mockCollector({
      '/containers': () => ({ containers: [makeContainer({ metrics: { cpu_percent: cpu } })] }),
    });
    renderAt(<ContainersPage />, '/containers');
    expect(await screen.findByText('12.5 %')).toBeInTheDocument();

    cpu = 80;
    await act(async () => {
      jest.advanceTimersByTime(CONTAINERS_REFRESH_MS);
    });

    expect(await screen.findByText('80.0 %')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('says when the collector knows no containers', async () => {
    mockCollector({ '/containers': { containers: [] } });
    renderAt(<ContainersPage />, '/containers');

    expect(await screen.findByText('The collector knows no containers yet')).toBeInTheDocument();
  });

  it('shows what failed', async () => {
    mockCollector({
      '/containers': httpError(401, { error: 'missing bearer token: send Authorization: Bearer <api.token>' }),
    });
    renderAt(<ContainersPage />, '/containers');

    expect(await screen.findByText('Could not load containers')).toBeInTheDocument();
    expect(
      screen.getByText(
        'GET /containers failed (HTTP 401): missing bearer token: send Authorization: Bearer <api.token>'
      )
    ).toBeInTheDocument();
  });
});
