import { useSearchParams } from 'react-router-dom';
import { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Stack, Tab, TabContent, TabsBar } from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { LoadIssue, LocalRuleFile, Rule } from '../../api/types';
import { DataState } from '../../shared/DataState';
import { useCollectorData } from '../../shared/useCollectorData';
import { LocalFilesList } from './LocalFilesList';
import { newRuleFileTemplate } from './localFileName';
import {
  applyOverride,
  findOverride,
  OVERRIDES_FILE,
  type OverrideChange,
  readOverrides,
  renderOverrides,
  type RuleOverride,
} from './overrideFile';
import { RuleDetails } from './RuleDetails';
import { RuleFileEditor } from './RuleFileEditor';
import { RuleFilters } from './RuleFilters';
import { fileBaseName, filterRules, nextLocalRuleId, NO_FILTER, ruleGroups, type RuleFilter } from './filterRules';
import { RulesTable } from './RulesTable';
import { RuleTestPanel } from './RuleTestPanel';

interface RulesData {
  rules: Rule[];
  issues: LoadIssue[];
  files: LocalRuleFile[];
}

type TabId = 'rules' | 'files' | 'test';

type Editing = { name?: string; yaml: string } | undefined;

async function loadRules(): Promise<RulesData> {
  const [rules, local] = await Promise.all([collectorApi.rules(), collectorApi.localRules()]);
  return { rules: rules.rules, issues: rules.issues, files: local.files };
}

/** This page's overrides, or why they cannot be read (the file was edited by hand). */
function pageOverrides(files: LocalRuleFile[]): { list: RuleOverride[]; problem?: string } {
  try {
    return { list: readOverrides(files.find((f) => f.name === OVERRIDES_FILE)) };
  } catch (err) {
    return { list: [], problem: errorMessage(err) };
  }
}

function LoadIssues({ issues }: { issues: LoadIssue[] }) {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) {
    return null;
  }
  return (
    <Alert severity="warning" title={`${errors.length} rule load error(s): the rules concerned do not run`}>
      <ul>
        {errors.map((i, n) => (
          <li key={n}>
            {fileBaseName(i.file)}:{i.line}:{i.column}
            {i.ruleId !== undefined ? ` (rule ${i.ruleId})` : ''}: {i.message}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

function RulesPage() {
  // A module-level loader is stable, as useCollectorData requires.
  const state = useCollectorData(loadRules);
  const [tab, setTab] = useState<TabId>('rules');
  const [filter, setFilter] = useState<RuleFilter>(NO_FILTER);
  const [selected, setSelected] = useState<Rule | undefined>();
  // `?rule=<id>` (the Alerts page links here) opens that rule until the drawer is closed.
  const [params, setParams] = useSearchParams();
  const linkedId = Number(params.get('rule') ?? NaN);
  const [editing, setEditing] = useState<Editing>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();

  const data = state.data;
  const overrides = useMemo(() => pageOverrides(data?.files ?? []), [data]);
  // The drawer follows the reloaded list, so an override shows its effect at once.
  const shown =
    selected && data
      ? (data.rules.find((r) => r.id === selected.id && r.file === selected.file) ?? selected)
      : data?.rules.find((r) => r.id === linkedId);
  const closeRule = () => {
    setSelected(undefined);
    if (params.has('rule')) {
      params.delete('rule');
      setParams(params, { replace: true });
    }
  };

  const changeOverride = async (rule: Rule, change: OverrideChange) => {
    if (overrides.problem) {
      setActionError(overrides.problem);
      return;
    }
    setBusy(true);
    setActionError(undefined);
    try {
      const list = applyOverride(overrides.list, rule.id, change);
      const exists = data?.files.some((f) => f.name === OVERRIDES_FILE);
      if (list.length > 0) {
        await collectorApi.saveLocalRules(OVERRIDES_FILE, renderOverrides(list));
      } else if (exists) {
        await collectorApi.deleteLocalRules(OVERRIDES_FILE);
      }
      state.reload();
    } catch (err) {
      setActionError(`Rule ${rule.id} was not changed: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const closeEditor = () => {
    setEditing(undefined);
    state.reload();
  };

  if (editing) {
    return (
      <PluginPage>
        <RuleFileEditor name={editing.name} initialYaml={editing.yaml} onClose={closeEditor} />
      </PluginPage>
    );
  }

  const newFile = () => setEditing({ yaml: newRuleFileTemplate(nextLocalRuleId(data?.rules ?? [])) });
  const editFile = (file: LocalRuleFile) => {
    setSelected(undefined);
    setEditing({ name: file.name, yaml: file.yaml });
  };

  return (
    <PluginPage
      actions={
        <Button icon="plus" onClick={newFile}>
          New rule file
        </Button>
      }
    >
      <TabsBar>
        <Tab label="Rules" active={tab === 'rules'} onChangeTab={() => setTab('rules')} counter={data?.rules.length} />
        <Tab
          label="Local files"
          active={tab === 'files'}
          onChangeTab={() => setTab('files')}
          counter={data?.files.length}
        />
        <Tab label="Test rules" active={tab === 'test'} onChangeTab={() => setTab('test')} />
      </TabsBar>
      <TabContent>
        {actionError && (
          <Alert severity="error" title="Change not saved" onRemove={() => setActionError(undefined)}>
            {actionError}
          </Alert>
        )}
        {tab === 'test' ? (
          <RuleTestPanel title="Test the running rules" />
        ) : (
          <DataState
            state={state}
            what="rules"
            isEmpty={(d) => (tab === 'rules' ? d.rules.length === 0 : d.files.length === 0)}
            emptyMessage={tab === 'rules' ? 'The collector has no rules loaded' : 'No local rule files yet'}
            emptyHint={
              tab === 'rules'
                ? 'Check rules.local_dir and the shipped rules directory of the collector, or write a rule file.'
                : 'Your own rules and overrides of shipped rules live here. Create one with "New rule file".'
            }
          >
            {(d) =>
              tab === 'rules' ? (
                <Stack direction="column" gap={2}>
                  <LoadIssues issues={d.issues} />
                  <RuleFilters filter={filter} groups={ruleGroups(d.rules)} onChange={setFilter} />
                  <RulesList
                    rules={d.rules}
                    filter={filter}
                    busy={busy}
                    onView={setSelected}
                    onToggle={(r, enabled) => changeOverride(r, { enabled })}
                  />
                </Stack>
              ) : (
                <LocalFilesList files={d.files} onEdit={editFile} />
              )
            }
          </DataState>
        )}
      </TabContent>
      {shown && data && (
        <RuleDetails
          rule={shown}
          localFile={shown.source === 'local' ? data.files.find((f) => f.name === fileBaseName(shown.file)) : undefined}
          override={findOverride(overrides.list, shown.id)}
          overridesBlocked={overrides.problem}
          busy={busy}
          onOverride={(change) => changeOverride(shown, change)}
          onEditFile={editFile}
          onClose={closeRule}
        />
      )}
    </PluginPage>
  );
}

function RulesList({
  rules,
  filter,
  ...rest
}: { rules: Rule[]; filter: RuleFilter } & Omit<Parameters<typeof RulesTable>[0], 'rules'>) {
  const matching = filterRules(rules, filter);
  if (matching.length === 0) {
    return <Alert severity="info" title={`No rule matches the filters (${rules.length} rules loaded)`} />;
  }
  return <RulesTable rules={matching} {...rest} />;
}

export default RulesPage;
