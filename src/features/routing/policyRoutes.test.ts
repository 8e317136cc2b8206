import { mergeShipwatchRoutes, readShipwatchRoutes } from './policyRoutes';
import type { PolicyRoute } from './types';

const teamRoute: PolicyRoute = { receiver: 'team-db', object_matchers: [['team', '=', 'db']], group_wait: '5m' };
const catchAll: PolicyRoute = { receiver: 'oncall', object_matchers: [['severity', '=', 'page']] };

const tree: PolicyRoute = {
  receiver: 'grafana-default-email',
  group_by: ['grafana_folder', 'alertname'],
  routes: [
    teamRoute,
    {
      receiver: 'shipwatch-pagerduty',
      object_matchers: [
        ['shipwatch', '=', 'true'],
        ['severity', '=~', 'high|critical'],
      ],
      group_by: ['alertname', 'severity'],
      repeat_interval: '1h',
      continue: true,
    },
    { receiver: 'shipwatch-email', object_matchers: [['shipwatch', '=', 'true']] },
    catchAll,
  ],
};

describe('Shipwatch routes in the policy tree', () => {
  it('reads the routes that match shipwatch="true", with their severities', () => {
    expect(readShipwatchRoutes(tree).map(({ receiver, severities }) => ({ receiver, severities }))).toEqual([
      { receiver: 'shipwatch-pagerduty', severities: ['high', 'critical'] },
      { receiver: 'shipwatch-email', severities: ['low', 'medium', 'high', 'critical'] },
    ]);
  });

  it('replaces them in place, keeping the root, other routes and per-route settings', () => {
    const [pd, email] = readShipwatchRoutes(tree);
    const merged = mergeShipwatchRoutes(tree, [
      { ...pd, severities: ['critical'] },
      { receiver: 'shipwatch-slack', severities: ['medium', 'high', 'critical'] },
      email,
    ]);
    expect(merged.receiver).toBe('grafana-default-email');
    expect(merged.group_by).toEqual(['grafana_folder', 'alertname']);
    expect(merged.routes).toEqual([
      teamRoute,
      {
        receiver: 'shipwatch-pagerduty',
        object_matchers: [
          ['shipwatch', '=', 'true'],
          ['severity', '=~', 'critical'],
        ],
        group_by: ['alertname', 'severity'],
        repeat_interval: '1h',
        continue: true,
      },
      {
        receiver: 'shipwatch-slack',
        object_matchers: [
          ['shipwatch', '=', 'true'],
          ['severity', '=~', 'medium|high|critical'],
        ],
        group_by: ['alertname', 'severity', 'container'],
        continue: true,
      },
      {
        receiver: 'shipwatch-email',
        object_matchers: [['shipwatch', '=', 'true']],
        group_by: ['alertname', 'severity', 'container'],
        continue: false,
      },
      catchAll,
    ]);
  });

  it('adds the routes first under a root that had none, and leaves out empty rows', () => {
    const plain: PolicyRoute = { receiver: 'default', routes: [catchAll] };
    const merged = mergeShipwatchRoutes(plain, [
      { receiver: 'shipwatch-pagerduty', severities: ['high'] },
      { receiver: 'shipwatch-slack', severities: [] },
      { receiver: '', severities: ['low'] },
    ]);
    expect(merged.routes).toEqual([
      {
        receiver: 'shipwatch-pagerduty',
        object_matchers: [
          ['shipwatch', '=', 'true'],
          ['severity', '=~', 'high'],
        ],
        group_by: ['alertname', 'severity', 'container'],
        continue: false,
      },
      catchAll,
    ]);
  });

  it('keeps matchers on other labels the user added to a Shipwatch route', () => {
    const custom: PolicyRoute = {
      receiver: 'r',
      routes: [
        {
          receiver: 'team',
          object_matchers: [
            ['shipwatch', '=', 'true'],
            ['namespace', '=', 'payments'],
            ['severity', '=', 'low'],
          ],
        },
      ],
    };
    const [route] = readShipwatchRoutes(custom);
    expect(route.severities).toEqual(['low']);
    expect(
      mergeShipwatchRoutes(custom, [{ ...route, severities: ['low', 'medium'] }]).routes?.[0].object_matchers
    ).toEqual([
      ['shipwatch', '=', 'true'],
      ['severity', '=~', 'low|medium'],
      ['namespace', '=', 'payments'],
    ]);
  });
});
