import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';
import { makeLowRule } from '../../test/fixtures';
import { httpError, mockCollector } from '../../test/backendSrv';
import { renderAt } from '../../test/render';
import { detailsTestIds } from './RuleDetails';
import { filterTestIds } from './RuleFilters';
import RulesPage from './RulesPage';
import { tableTestIds } from './RulesTable';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());
jest.mock('@grafana/ui', () => jest.requireActual('./testing/codeEditorMock').uiWithTextareaEditor());

// Grafana's Drawer watches its title and scroll area with observers jsdom lacks.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
beforeAll(() => {
  Object.assign(global, { ResizeObserver: NoopObserver, IntersectionObserver: NoopObserver });
});

const rule = makeLowRule;

const rules = [
  rule({}),
  rule({
    id: 100101,
    parent: 100100,
    level: 8,
    description: 'shell in {container.name}',
    groups: ['container_exec', 'shell'],
    mitre: ['T1059.004'],
  }),
  rule({
    id: 200000,
    level: 5,
    description: 'my rule',
    groups: ['custom'],
    source: 'local',
    file: '/data/rules/mine.yaml',
    line: 2,
  }),
];

const issues = [
  {
    file: '/data/rules/broken.yaml',
    line: 4,
    column: 16,
    message: 'unknown operator ~=',
    ruleId: 200009,
    severity: 'error',
  },
];
const mine = { name: 'mine.yaml', yaml: 'rules:\n  - id: 200000\n    level: 5\n' };

const requests = (fetch: jest.Mock) => fetch.mock.calls.map(([r]) => r as BackendSrvRequest);

describe('RulesPage', () => {
  it('lists the rules with load errors, and filters them', async () => {
    mockCollector({ '/rules': { rules, issues }, '/rules/local': { files: [mine] } });
    renderAt(<RulesPage />);

    expect(await screen.findByTestId(tableTestIds.row(100100))).toBeInTheDocument();
    expect(screen.getByTestId(tableTestIds.row(100101))).toHaveTextContent('child of 100100');
    expect(screen.getByTestId(tableTestIds.row(200000))).toHaveTextContent('mine.yaml:2 (local)');
    expect(screen.getByText('1 rule load error(s): the rules concerned do not run')).toBeInTheDocument();
    expect(screen.getByText('broken.yaml:4:16 (rule 200009): unknown operator ~=')).toBeInTheDocument();

    await userEvent.type(screen.getByTestId(filterTestIds.search), 'T1059');
    expect(screen.getByTestId(tableTestIds.row(100101))).toBeInTheDocument();
    expect(screen.queryByTestId(tableTestIds.row(100100))).not.toBeInTheDocument();

    await userEvent.clear(screen.getByTestId(filterTestIds.search));
    await userEvent.click(screen.getByRole('radio', { name: 'Local' }));
    expect(screen.getByTestId(tableTestIds.row(200000))).toBeInTheDocument();
    expect(screen.queryByTestId(tableTestIds.row(100101))).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('radio', { name: 'Disabled' }));
    expect(screen.getByText('No rule matches the filters (3 rules loaded)')).toBeInTheDocument();
  });

  it('opens the rule an alert links to (?rule=<id>), with the YAML it was written as', async () => {
    const yaml = 'id: 100100\nlevel: 3\ncondition: event.action = exec_start';
    mockCollector({
      '/rules': { rules: rules.map((r) => (r.id === 100100 ? { ...r, yaml } : r)), issues: [] },
      '/rules/local': { files: [mine] },
    });
    renderAt(<RulesPage />, '/?rule=100100');

    // The rule's drawer: its level override field holds the rule's level, its text is shown.
    expect(await screen.findByTestId(detailsTestIds.level)).toHaveValue(rules[0]!.level);
    expect(screen.getByRole('textbox', { name: 'Code editor' })).toHaveValue(yaml);
  });

  it('says so when the collector has no rules', async () => {
    mockCollector({ '/rules': { rules: [], issues: [] }, '/rules/local': { files: [] } });
    renderAt(<RulesPage />);
    expect(await screen.findByText('The collector has no rules loaded')).toBeInTheDocument();
  });

  it('shows what failed when the rules cannot be loaded', async () => {
    mockCollector({ '/rules': httpError(502, {}), '/rules/local': { files: [] } });
    renderAt(<RulesPage />);
    expect(await screen.findByText('Could not load rules')).toBeInTheDocument();
    expect(
      screen.getByText(
        'GET /rules failed (HTTP 502): the collector did not answer; check the collector URL in the app configuration'
      )
    ).toBeInTheDocument();
  });

  it('disables a shipped rule through the override file', async () => {
    const fetch = mockCollector({
      '/rules': { rules, issues: [] },
      '/rules/local': { files: [mine] },
      '/rules/local/zz-rules-page-overrides.yaml': { ok: true, errors: [], warnings: [] },
    });
    renderAt(<RulesPage />);

    await userEvent.click(await screen.findByTestId(tableTestIds.toggle(100100)));

    await waitFor(() => expect(requests(fetch).some((r) => r.method === 'PUT')).toBe(true));
    const put = requests(fetch).find((r) => r.method === 'PUT')!;
    const yaml = (put.data as { yaml: string }).yaml;
    expect(JSON.parse(yaml.replace(/^#.*$/gm, ''))).toEqual({ overrides: { rules: [{ id: 100100, enabled: false }] } });
    // The list is loaded again to show the rule as the collector now runs it.
    await waitFor(() => expect(requests(fetch).filter((r) => r.url.endsWith('/rules')).length).toBe(2));
  });

  it('overrides the level in the rule view, keeping other overrides, and shows a refused write', async () => {
    const existing = {
      name: 'zz-rules-page-overrides.yaml',
      yaml: '# Written by the Rules page\n{"overrides": {"rules": [{"id": 100100, "enabled": false}]}}\n',
    };
    const fetch = mockCollector({
      '/rules': {
        rules: rules.map((r) => (r.id === 100100 ? { ...r, enabled: false, overridden: true } : r)),
        issues: [],
      },
      '/rules/local': { files: [mine, existing] },
      '/rules/local/zz-rules-page-overrides.yaml': httpError(403, { message: 'Permission denied' }),
    });
    renderAt(<RulesPage />);

    await userEvent.click(
      within(await screen.findByTestId(tableTestIds.row(100101))).getByRole('button', { name: 'View' })
    );
    const level = await screen.findByTestId(detailsTestIds.level);
    await userEvent.clear(level);
    await userEvent.type(level, '12');
    await userEvent.click(screen.getByTestId(detailsTestIds.applyLevel));

    expect(
      await screen.findByText(
        'Rule 100101 was not changed: PUT /rules/local/zz-rules-page-overrides.yaml failed (HTTP 403): Permission denied'
      )
    ).toBeInTheDocument();
    const put = requests(fetch).find((r) => r.method === 'PUT')!;
    expect(JSON.parse((put.data as { yaml: string }).yaml.replace(/^#.*$/gm, '')).overrides.rules).toEqual([
      { id: 100100, enabled: false },
      { id: 100101, level: 12 },
    ]);
  });

  it('opens a local rule file in the editor from its rule', async () => {
    mockCollector({
      '/rules': { rules, issues: [] },
      '/rules/local': { files: [mine] },
      '/rules/validate': { ok: true, errors: [], warnings: [] },
    });
    renderAt(<RulesPage />);

    await userEvent.click(
      within(await screen.findByTestId(tableTestIds.row(200000))).getByRole('button', { name: 'View' })
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Edit file' }));

    expect(await screen.findByDisplayValue('mine.yaml')).toBeDisabled();
    expect(screen.getByRole('textbox', { name: 'Code editor' })).toHaveValue(mine.yaml);
  });
});
