// Monaco cannot load in jsdom: tests replace @grafana/ui's CodeEditor with a textarea that calls
// the same onChange. Use from a jest.mock factory:
//
//   jest.mock('@grafana/ui', () => jest.requireActual('./testing/codeEditorMock').uiWithTextareaEditor());
interface EditorProps {
  value: string;
  readOnly?: boolean;
  onChange?: (value: string) => void;
}

export function uiWithTextareaEditor() {
  return {
    ...jest.requireActual('@grafana/ui'),
    CodeEditor: ({ value, onChange, readOnly }: EditorProps) => (
      <textarea
        aria-label="Code editor"
        value={value}
        readOnly={readOnly}
        onChange={(e) => onChange?.(e.currentTarget.value)}
      />
    ),
  };
}
