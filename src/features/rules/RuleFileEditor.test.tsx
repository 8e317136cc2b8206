import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';
import { httpError, mockCollector } from '../../test/backendSrv';
import { editorTestIds, RuleFileEditor } from './RuleFileEditor';

jest.mock('@grafana/runtime', () => jest.requireActual('../../test/backendSrv').runtimeMock());
jest.mock('@grafana/ui', () => jest.requireActual('./testing/codeEditorMock').uiWithTextareaEditor());

const BAD = 'rules:\n  - id: 200000\n    level: 99\n    description: x\n    condition: event.source = docker\n';
const GOOD = BAD.replace('level: 99', 'level: 9');
const ok = { ok: true, errors: [], warnings: [] };

function validateAnswer(req: BackendSrvRequest) {
  const { yaml } = req.data as { yaml: string };
  return yaml.includes('level: 99')
    ? { ok: false, errors: [{ line: 3, column: 12, message: 'rule 200000: level must be 0 to 15' }], warnings: [] }
    : ok;
}

const editor = () => screen.getByRole('textbox', { name: 'Code editor' });

describe('RuleFileEditor', () => {
  it('validates as you type, shows errors at line and column, and saves once fixed', async () => {
    const fetch = mockCollector({ '/rules/validate': validateAnswer, '/rules/local/mine.yaml': ok });
    render(<RuleFileEditor initialYaml="" onClose={jest.fn()} />);

    await userEvent.type(screen.getByTestId(editorTestIds.name), 'mine');
    fireEvent.change(editor(), { target: { value: BAD } });

    expect(await screen.findByText(/rule 200000: level must be 0 to 15/)).toBeInTheDocument();
    expect(screen.getByText('Line 3, column 12')).toBeInTheDocument();
    expect(screen.getByText('1 error(s): the file would be refused')).toBeInTheDocument();
    expect(screen.getByTestId(editorTestIds.save)).toBeDisabled();
    expect(fetch).toHaveBeenLastCalledWith(
      expect.objectContaining({ method: 'POST', data: { yaml: BAD, name: 'mine.yaml' } })
    );

    fireEvent.change(editor(), { target: { value: GOOD } });
    expect(await screen.findByText('Valid: the collector would load this file.')).toBeInTheDocument();
    expect(screen.queryByText(/level must be 0 to 15/)).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId(editorTestIds.save));
    expect(await screen.findByText('Saved mine.yaml; the collector reloaded its rules.')).toBeInTheDocument();
    const put = fetch.mock.calls.map(([r]) => r as BackendSrvRequest).find((r) => r.method === 'PUT');
    expect(put).toMatchObject({ url: expect.stringMatching(/\/rules\/local\/mine\.yaml$/), data: { yaml: GOOD } });
    // Saved and unchanged: nothing left to save.
    expect(screen.getByTestId(editorTestIds.save)).toBeDisabled();
  });

  it('shows the errors of a save the collector refused', async () => {
    mockCollector({
      '/rules/validate': ok,
      '/rules/local/mine.yaml': httpError(422, {
        error: 'mine.yaml: 1 error(s); not saved',
        ok: false,
        errors: [{ line: 2, column: 9, message: 'rule 100100: duplicate id' }],
        warnings: [],
      }),
    });
    render(<RuleFileEditor name="mine.yaml" initialYaml={GOOD} onClose={jest.fn()} />);
    fireEvent.change(editor(), { target: { value: GOOD.replace('200000', '100100') } });
    await screen.findByText('Valid: the collector would load this file.');

    await userEvent.click(screen.getByTestId(editorTestIds.save));

    expect(
      await screen.findByText('PUT /rules/local/mine.yaml failed (HTTP 422): mine.yaml: 1 error(s); not saved')
    ).toBeInTheDocument();
    expect(screen.getByText(/rule 100100: duplicate id/)).toBeInTheDocument();
    expect(screen.getByText('Line 2, column 9')).toBeInTheDocument();
  });

  it('shows why validation itself failed', async () => {
    mockCollector({ '/rules/validate': httpError(403, { message: 'Permission denied' }) });
    render(<RuleFileEditor name="mine.yaml" initialYaml={GOOD} onClose={jest.fn()} />);
    expect(
      await screen.findByText('Validation failed: POST /rules/validate failed (HTTP 403): Permission denied')
    ).toBeInTheDocument();
  });

  it('deletes a saved file after confirmation', async () => {
    const onClose = jest.fn();
    const fetch = mockCollector({ '/rules/validate': ok, '/rules/local/mine.yaml': null });
    render(<RuleFileEditor name="mine.yaml" initialYaml={GOOD} onClose={onClose} />);

    await userEvent.click(screen.getByTestId(editorTestIds.delete));
    await userEvent.click(await screen.findByTestId('data-testid Confirm Modal Danger Button'));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({ method: 'DELETE', url: expect.stringMatching(/\/rules\/local\/mine\.yaml$/) })
    );
  });
});
