import { useCallback, useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Button,
  CodeEditor,
  ConfirmModal,
  Field,
  Input,
  Stack,
  type Monaco,
  type MonacoEditor,
  useStyles2,
} from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { CollectorError, errorMessage } from '../../api/errors';
import type { RuleRejection, ValidationMessage } from '../../api/types';
import { toMarkers } from './editorMarkers';
import { localFileName, localFileNameProblem } from './localFileName';
import { RuleTestPanel } from './RuleTestPanel';
import { useDebouncedValidation } from './useDebouncedValidation';
import { ValidationMessages } from './ValidationMessages';

interface Props {
  /** The saved file, or a new file's starting text (name undefined). */
  name?: string;
  initialYaml: string;
  onClose: () => void;
}

export const editorTestIds = {
  name: 'data-testid rule-file-name',
  save: 'data-testid rule-file-save',
  delete: 'data-testid rule-file-delete',
  status: 'data-testid rule-file-status',
};

const NONE: ValidationMessage[] = [];

interface Mounted {
  editor: MonacoEditor;
  monaco: Monaco;
}

interface SaveOutcome {
  ok: boolean;
  message: string;
  errors?: ValidationMessage[];
}

/** The errors the collector sent with a refused save (its 422 body carries the validation). */
function rejectionErrors(err: unknown): ValidationMessage[] | undefined {
  if (err instanceof CollectorError && err.body && typeof err.body === 'object') {
    return (err.body as RuleRejection).errors;
  }
  return undefined;
}

export function RuleFileEditor({ name: savedName, initialYaml, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const isNew = savedName === undefined;
  const [name, setName] = useState(savedName ?? '');
  const [yaml, setYaml] = useState(initialYaml);
  const [savedYaml, setSavedYaml] = useState(isNew ? undefined : initialYaml);
  const [storedName, setStoredName] = useState(savedName);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [mounted, setMounted] = useState<Mounted | undefined>();

  const nameProblem = localFileNameProblem(name);
  const fileName = localFileName(name);
  const validation = useDebouncedValidation(yaml, nameProblem ? 'new.yaml' : fileName);
  const errors = validation.result?.errors ?? NONE;
  const warnings = validation.result?.warnings ?? NONE;
  const dirty = yaml !== savedYaml || fileName !== storedName;
  const canSave = !busy && !nameProblem && yaml.trim() !== '' && errors.length === 0 && dirty;

  useEffect(() => {
    const model = mounted?.editor.getModel();
    if (!mounted || !model) {
      return;
    }
    const wordEnd = (line: number, column: number) =>
      line <= model.getLineCount() ? model.getWordAtPosition({ lineNumber: line, column })?.endColumn : undefined;
    mounted.monaco.editor.setModelMarkers(model, 'shipwatch-rules', toMarkers(errors, warnings, wordEnd));
  }, [mounted, errors, warnings]);

  const jump = useCallback(
    (line: number, column: number) => {
      mounted?.editor.setPosition({ lineNumber: line, column });
      mounted?.editor.revealLineInCenter(line);
      mounted?.editor.focus();
    },
    [mounted]
  );

  const save = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await collectorApi.saveLocalRules(fileName, yaml);
      setSavedYaml(yaml);
      setStoredName(fileName);
      const note = result.warnings.length > 0 ? ` with ${result.warnings.length} warning(s)` : '';
      setOutcome({ ok: true, message: `Saved ${fileName}${note}; the collector reloaded its rules.` });
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err), errors: rejectionErrors(err) });
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setConfirmDelete(false);
    if (storedName === undefined) {
      return;
    }
    setBusy(true);
    try {
      await collectorApi.deleteLocalRules(storedName);
      onClose();
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err) });
      setBusy(false);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" alignItems="flex-end" gap={1} wrap="wrap">
        <Field
          label="File name"
          invalid={isNew && nameProblem !== undefined && name !== ''}
          error={nameProblem}
          noMargin
        >
          <Input
            width={40}
            value={name}
            disabled={!isNew}
            placeholder="my-rules.yaml"
            data-testid={editorTestIds.name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Button data-testid={editorTestIds.save} icon={busy ? 'spinner' : 'save'} disabled={!canSave} onClick={save}>
          Save
        </Button>
        {storedName !== undefined && (
          <Button
            data-testid={editorTestIds.delete}
            variant="destructive"
            icon="trash-alt"
            disabled={busy}
            onClick={() => setConfirmDelete(true)}
          >
            Delete
          </Button>
        )}
        <Button variant="secondary" onClick={onClose}>
          Back to rules
        </Button>
      </Stack>

      <div className={styles.status} data-testid={editorTestIds.status}>
        {validation.pending
          ? 'Validating…'
          : validation.error
            ? `Validation failed: ${validation.error}`
            : validation.result?.ok
              ? 'Valid: the collector would load this file.'
              : ''}
      </div>

      <CodeEditor
        language="yaml"
        value={yaml}
        height={420}
        showLineNumbers
        showMiniMap={false}
        onChange={setYaml}
        onBlur={setYaml}
        onEditorDidMount={(editor, monaco) => setMounted({ editor, monaco })}
      />

      <ValidationMessages errors={errors} warnings={warnings} onJump={mounted ? jump : undefined} />

      {outcome &&
        (outcome.ok ? (
          <Alert severity="success" title={outcome.message} />
        ) : (
          <Alert severity="error" title="Not saved">
            <div>{outcome.message}</div>
            {outcome.errors && (
              <ValidationMessages errors={outcome.errors} warnings={[]} onJump={mounted ? jump : undefined} />
            )}
          </Alert>
        ))}

      <RuleTestPanel
        title="Test this file"
        // A saved, unchanged file is already running: test it as it runs. Edits of a saved file
        // replace its saved copy in the test instead of loading its rule ids twice.
        yaml={yaml === savedYaml && fileName === storedName ? undefined : yaml}
        fileName={storedName}
      />

      <ConfirmModal
        isOpen={confirmDelete}
        title={`Delete ${storedName ?? ''}`}
        body="The collector removes the file and reloads its rules; its rules stop running."
        confirmText="Delete"
        onConfirm={remove}
        onDismiss={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  status: css({ minHeight: theme.spacing(2.5), color: theme.colors.text.secondary }),
});
