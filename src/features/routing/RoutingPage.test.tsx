import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';
import { httpError, mockCollector, type Answer } from '../../test/backendSrv';
import { GRAFANA_PATHS } from './api';
import { contactTestIds } from './ContactPointsSection';
import { editorTestIds } from './ContactPointEditor';
import { policyTestIds } from './PolicySection';
import RoutingPage from './RoutingPage';
import { PAGERDUTY_SEVERITY_TEMPLATE, SLACK_COLOR_TEMPLATE } from './shipwatchLabels';
import { testSendTestIds } from './TestSendButton';
import type { ContactPoint, PolicyRoute } from './types';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

const slack: ContactPoint = {
  uid: 'uid-slack',
  name: 'sec-slack',
  type: 'slack',
  settings: { url: '[REDACTED]', title: 'Shipwatch' },
  disableResolveMessage: false,
  provenance: '',
};
const provisionedEmail: ContactPoint = {
  uid: 'shipwatch-email',
  name: 'shipwatch-email',
  type: 'email',
  settings: { addresses: 'sec@example.org', singleEmail: true },
  provenance: 'file',
};
const teamRoute: PolicyRoute = { receiver: 'team-db', object_matchers: [['team', '=', 'db']] };
const tree: PolicyRoute = {
  receiver: 'grafana-default-email',
  group_by: ['grafana_folder', 'alertname'],
  routes: [
    teamRoute,
    {
      receiver: 'sec-slack',
      object_matchers: [
        ['shipwatch', '=', 'true'],
        ['severity', '=~', 'high|critical'],
      ],
      group_by: ['alertname', 'severity'],
    },
  ],
};
const alertRules = [
  { uid: 'a', title: 'Shipwatch critical', labels: { shipwatch: 'true', severity: 'critical' } },
  { uid: 'b', title: 'Other', labels: { team: 'db' } },
];

function mockGrafana(overrides: Record<string, Answer> = {}) {
  return mockCollector({
    [GRAFANA_PATHS.contactPoints]: (req: BackendSrvRequest) =>
      req.method === 'POST' ? { ...(req.data as object), uid: 'new' } : [slack, provisionedEmail],
    [`${GRAFANA_PATHS.contactPoints}/uid-slack`]: {},
    [GRAFANA_PATHS.policies]: (req: BackendSrvRequest) =>
      req.method === 'PUT' ? { message: 'policies updated' } : tree,
    [GRAFANA_PATHS.alertRules]: alertRules,
    ...overrides,
  });
}

const calls = (fetch: jest.Mock, method: string, url: string) =>
  fetch.mock.calls.map(([r]) => r as BackendSrvRequest).filter((r) => r.method === method && r.url === url);

describe('RoutingPage', () => {
  it('reads contact points, the Shipwatch routes and the alert rules carrying the label', async () => {
    mockGrafana();
    render(<RoutingPage />);

    const slackCard = await screen.findByTestId(contactTestIds.card('sec-slack'));
    expect(slackCard).toHaveTextContent('webhook (stored secret)');
    expect(within(slackCard).getByRole('button', { name: 'Edit' })).toBeInTheDocument();
    const emailCard = screen.getByTestId(contactTestIds.card('shipwatch-email'));
    expect(emailCard).toHaveTextContent('provisioned (file)');
    expect(within(emailCard).queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();

    const row = await screen.findByTestId(policyTestIds.row(0));
    expect(within(row).getByDisplayValue('sec-slack')).toBeInTheDocument();
    expect(screen.getByTestId(policyTestIds.severity(0, 'high'))).toBeChecked();
    expect(screen.getByTestId(policyTestIds.severity(0, 'low'))).not.toBeChecked();
    expect(screen.getByText(/1 other route\(s\) of the policy tree are kept/)).toBeInTheDocument();
    expect(
      await screen.findByText('1 Grafana alert rule(s) carry shipwatch="true" (severities: critical).')
    ).toBeInTheDocument();
  });

  it('creates a PagerDuty contact point with the templated severity and the provenance header', async () => {
    const fetch = mockGrafana();
    render(<RoutingPage />);

    await userEvent.click(await screen.findByTestId(contactTestIds.add('pagerduty')));
    await userEvent.click(screen.getByTestId(editorTestIds.save));
    expect(screen.getByText('Give the contact point a name')).toBeInTheDocument();
    expect(calls(fetch, 'POST', GRAFANA_PATHS.contactPoints)).toHaveLength(0);

    await userEvent.type(screen.getByTestId(editorTestIds.name), 'sec-pagerduty');
    await userEvent.type(screen.getByTestId(editorTestIds.integrationKey), 'abc123');
    await userEvent.click(screen.getByTestId(editorTestIds.save));

    await waitFor(() => expect(calls(fetch, 'POST', GRAFANA_PATHS.contactPoints)).toHaveLength(1));
    const [post] = calls(fetch, 'POST', GRAFANA_PATHS.contactPoints);
    expect(post.data).toEqual({
      name: 'sec-pagerduty',
      type: 'pagerduty',
      settings: { integrationKey: 'abc123', severity: PAGERDUTY_SEVERITY_TEMPLATE },
      disableResolveMessage: false,
    });
    expect(post.headers).toMatchObject({ 'X-Disable-Provenance': 'true' });
    // Back to the list, read again.
    expect(await screen.findByTestId(contactTestIds.add('slack'))).toBeInTheDocument();
    expect(calls(fetch, 'GET', GRAFANA_PATHS.contactPoints)).toHaveLength(2);
  });

  it('updates a Slack contact point by uid, keeping its stored webhook and other settings', async () => {
    const fetch = mockGrafana();
    render(<RoutingPage />);

    await userEvent.click(
      within(await screen.findByTestId(contactTestIds.card('sec-slack'))).getByRole('button', { name: 'Edit' })
    );
    await userEvent.click(screen.getByLabelText('Do not send a message when the alert resolves'));
    await userEvent.click(screen.getByTestId(editorTestIds.save));

    const url = `${GRAFANA_PATHS.contactPoints}/uid-slack`;
    await waitFor(() => expect(calls(fetch, 'PUT', url)).toHaveLength(1));
    const [put] = calls(fetch, 'PUT', url);
    expect(put.data).toEqual({
      uid: 'uid-slack',
      name: 'sec-slack',
      type: 'slack',
      settings: { title: 'Shipwatch', url: '[REDACTED]', color: SLACK_COLOR_TEMPLATE },
      disableResolveMessage: true,
    });
    expect(put.headers).toMatchObject({ 'X-Disable-Provenance': 'true' });
  });

  it('shows what failed when Grafana refuses a contact point', async () => {
    mockGrafana({
      [`${GRAFANA_PATHS.contactPoints}/uid-slack`]: httpError(400, { message: 'invalid url: must be https' }),
    });
    render(<RoutingPage />);

    await userEvent.click(
      within(await screen.findByTestId(contactTestIds.card('sec-slack'))).getByRole('button', { name: 'Edit' })
    );
    await userEvent.click(screen.getByTestId(editorTestIds.save));

    expect(await screen.findByText('Contact point not saved')).toBeInTheDocument();
    expect(
      screen.getByText(
        'PUT /api/v1/provisioning/contact-points/uid-slack failed (HTTP 400): invalid url: must be https'
      )
    ).toBeInTheDocument();
  });

  it('merges the Shipwatch routes into the policy tree without dropping other routes', async () => {
    const fetch = mockGrafana();
    render(<RoutingPage />);

    await userEvent.click(await screen.findByTestId(policyTestIds.severity(0, 'medium')));
    await userEvent.click(screen.getByTestId(policyTestIds.save));

    expect(await screen.findByText('Notification policy saved')).toBeInTheDocument();
    const [put] = calls(fetch, 'PUT', GRAFANA_PATHS.policies);
    expect(put.headers).toMatchObject({ 'X-Disable-Provenance': 'true' });
    expect(put.data).toEqual({
      receiver: 'grafana-default-email',
      group_by: ['grafana_folder', 'alertname'],
      routes: [
        teamRoute,
        {
          receiver: 'sec-slack',
          object_matchers: [
            ['shipwatch', '=', 'true'],
            ['severity', '=~', 'medium|high|critical'],
          ],
          group_by: ['alertname', 'severity'],
          continue: false,
        },
      ],
    });
  });

  it('keeps a provisioned policy read-only and shows a refused save', async () => {
    mockGrafana({ [GRAFANA_PATHS.policies]: { ...tree, provenance: 'file' } });
    const { unmount } = render(<RoutingPage />);
    expect(await screen.findByText('The notification policy is provisioned (file)')).toBeInTheDocument();
    expect(screen.getByTestId(policyTestIds.save)).toBeDisabled();
    unmount();

    mockGrafana({
      [GRAFANA_PATHS.policies]: (req: BackendSrvRequest) =>
        req.method === 'PUT' ? httpError(409, { message: 'policy tree was modified concurrently' }) : tree,
    });
    render(<RoutingPage />);
    await userEvent.click(await screen.findByTestId(policyTestIds.save));
    expect(await screen.findByText('Notification policy not saved')).toBeInTheDocument();
    expect(
      screen.getByText('PUT /api/v1/provisioning/policies failed (HTTP 409): policy tree was modified concurrently')
    ).toBeInTheDocument();
  });

  it('shows load errors of each part with the request that failed', async () => {
    mockGrafana({
      [GRAFANA_PATHS.contactPoints]: httpError(403, { message: 'You do not have permission' }),
      [GRAFANA_PATHS.alertRules]: httpError(500, { message: 'database is locked' }),
    });
    render(<RoutingPage />);
    expect(await screen.findByText('Could not load contact points')).toBeInTheDocument();
    expect(
      screen.getByText('GET /api/v1/provisioning/contact-points failed (HTTP 403): You do not have permission')
    ).toBeInTheDocument();
    expect(
      await screen.findByText('GET /api/v1/provisioning/alert-rules failed (HTTP 500): database is locked')
    ).toBeInTheDocument();
  });

  it('test-sends through Grafana and reports a failed integration', async () => {
    const fetch = mockGrafana({
      [GRAFANA_PATHS.receiverTest]: {
        receivers: [
          {
            name: 'sec-slack',
            grafana_managed_receiver_configs: [
              { name: 'sec-slack', uid: 'uid-slack', status: 'failed', error: 'channel_not_found' },
            ],
          },
        ],
      },
    });
    render(<RoutingPage />);

    const card = await screen.findByTestId(contactTestIds.card('sec-slack'));
    await userEvent.click(within(card).getByRole('radio', { name: 'critical' }));
    await userEvent.click(screen.getByTestId(testSendTestIds.send('sec-slack')));

    expect(await screen.findByText('Test notification to sec-slack failed')).toBeInTheDocument();
    expect(screen.getByText('sec-slack: channel_not_found')).toBeInTheDocument();
    const [post] = calls(fetch, 'POST', GRAFANA_PATHS.receiverTest);
    expect(post.data).toEqual({
      receivers: [
        {
          name: 'sec-slack',
          // The redacted webhook is left out: Grafana uses the stored one of this uid.
          grafana_managed_receiver_configs: [
            {
              uid: 'uid-slack',
              name: 'sec-slack',
              type: 'slack',
              settings: { title: 'Shipwatch' },
              disableResolveMessage: false,
            },
          ],
        },
      ],
      alert: {
        labels: { alertname: 'Shipwatch test notification', shipwatch: 'true', severity: 'critical' },
        annotations: {
          summary: "Test notification from Shipwatch's Alert routing page (severity critical)",
          description: 'A critical Shipwatch alert reaches PagerDuty as critical.',
        },
      },
    });
  });
});
