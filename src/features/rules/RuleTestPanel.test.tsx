import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';
import { httpError, lastParams, mockCollector } from '../../test/backendSrv';
import { RuleTestPanel, testPanelTestIds } from './RuleTestPanel';
import { traceTestIds } from './RuleTraceView';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());

const shellExec = {
  event: { id: 'e1', time: '2026-01-02T03:04:05.000000000Z', source: 'docker', action: 'exec_start' },
  container: { name: 'web' },
  docker: { exec: { command: 'bash -i' } },
};

const answer = {
  results: [
    {
      alerts: [
        {
          id: 'a1',
          time: shellExec.event.time,
          rule: { id: 200001, level: 8, description: 'shell started in web (bash -i)', groups: ['shell'], mitre: [] },
          severity: 'high',
          count: 1,
          event: shellExec,
        },
      ],
      trace: [
        {
          ruleId: 200001,
          level: 8,
          conditionMatched: true,
          matched: true,
          outcome: 'alert',
          clauses: [
            {
              clause: 'event.source = docker',
              field: 'event.source',
              op: '=',
              value: 'docker',
              result: true,
              macro: 'docker_exec',
            },
            {
              clause: 'docker.exec.command startswith (bash, sh)',
              field: 'docker.exec.command',
              op: 'startswith',
              value: 'bash -i',
              result: true,
            },
          ],
        },
        {
          ruleId: 200002,
          level: 3,
          conditionMatched: false,
          matched: false,
          clauses: [
            { clause: 'container.user = root', field: 'container.user', op: '=', missing: true, result: false },
          ],
        },
      ],
    },
  ],
};

const YAML = 'rules:\n  - id: 200001\n';

describe('RuleTestPanel', () => {
  it('tests pasted JSON lines with the given YAML and shows each condition of the trace', async () => {
    const fetch = mockCollector({ '/rules/test': answer });
    render(<RuleTestPanel title="Test" yaml={YAML} />);

    fireEvent.change(screen.getByTestId(testPanelTestIds.events), {
      target: { value: `${JSON.stringify(shellExec)}\n` },
    });
    await userEvent.click(screen.getByTestId(testPanelTestIds.run));

    expect(await screen.findByText('1 event(s) tested, 1 alert(s).')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({ method: 'POST', data: { events: [shellExec], yaml: YAML } })
    );
    const result = screen.getByTestId(testPanelTestIds.result(0));
    expect(within(result).getByText(/docker exec_start · web — 1 alert\(s\)/)).toBeInTheDocument();
    expect(within(result).getByText('Rule 200001: shell started in web (bash -i)')).toBeInTheDocument();

    const matched = screen.getByTestId(traceTestIds.rule(200001));
    expect(within(matched).getByText('docker.exec.command startswith (bash, sh)')).toBeInTheDocument();
    expect(within(matched).getByText('"bash -i"')).toBeInTheDocument();
    expect(within(matched).getByText('from macro docker_exec')).toBeInTheDocument();
    expect(within(matched).getByText('alert')).toBeInTheDocument();

    const missed = screen.getByTestId(traceTestIds.rule(200002));
    expect(within(missed).getByText('condition false')).toBeInTheDocument();
    expect(within(missed).getByText('missing')).toBeInTheDocument();
    expect(within(missed).getByText('no match')).toBeInTheDocument();
  });

  it('tests edits of a saved file in place of its saved copy', async () => {
    const fetch = mockCollector({ '/rules/test': answer });
    render(<RuleTestPanel title="Test" yaml={YAML} fileName="mine.yaml" />);

    fireEvent.change(screen.getByTestId(testPanelTestIds.events), { target: { value: JSON.stringify(shellExec) } });
    await userEvent.click(screen.getByTestId(testPanelTestIds.run));

    expect(await screen.findByText('1 event(s) tested, 1 alert(s).')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({ method: 'POST', data: { events: [shellExec], yaml: YAML, name: 'mine.yaml' } })
    );
  });

  it('tests the last N events of a source in the order they happened', async () => {
    const older = { ...shellExec, event: { ...shellExec.event, id: 'e0' } };
    const fetch = mockCollector({
      '/events': { events: [shellExec, older], next_cursor: null },
      '/rules/test': (req: BackendSrvRequest) => ({
        results: (req.data as { events: unknown[] }).events.map(() => ({ alerts: [], trace: [] })),
      }),
    });
    render(<RuleTestPanel title="Test" />);

    await userEvent.click(screen.getByText('Recent events of a source'));
    await userEvent.click(screen.getByText('k8s_audit'));
    await userEvent.clear(screen.getByTestId(testPanelTestIds.limit));
    await userEvent.type(screen.getByTestId(testPanelTestIds.limit), '5');
    await userEvent.click(screen.getByTestId(testPanelTestIds.run));

    expect(await screen.findByText('2 event(s) tested, 0 alert(s).')).toBeInTheDocument();
    expect(lastParams(fetch, '/events')).toEqual({ source: 'k8s_audit', limit: '5' });
    const testCall = fetch.mock.calls.map(([r]) => r as BackendSrvRequest).find((r) => r.url.endsWith('/rules/test'));
    // No YAML: the running rules alone.
    expect(testCall?.data).toEqual({ events: [older, shellExec] });
  });

  it('says why a test did not run: bad input, or YAML that does not load', async () => {
    const fetch = mockCollector({
      '/rules/test': httpError(422, {
        error: 'the yaml given with the test does not load',
        ok: false,
        errors: [{ line: 2, column: 7, message: 'rule 200001: duplicate id' }],
        warnings: [],
      }),
    });
    render(<RuleTestPanel title="Test" yaml={YAML} />);

    fireEvent.change(screen.getByTestId(testPanelTestIds.events), { target: { value: '{"a":1}\n{"a":' } });
    await userEvent.click(screen.getByTestId(testPanelTestIds.run));
    expect(await screen.findByText(/^line 2 is not JSON/)).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId(testPanelTestIds.events), { target: { value: '{"a":1}' } });
    await userEvent.click(screen.getByTestId(testPanelTestIds.run));
    expect(
      await screen.findByText('POST /rules/test failed (HTTP 422): the yaml given with the test does not load')
    ).toBeInTheDocument();
    expect(screen.getByText(/rule 200001: duplicate id/)).toBeInTheDocument();
  });
});
