import { Combobox, Field, Icon, Input, Label, RadioButtonGroup, Stack } from '@grafana/ui';
import type { LevelBucket, RuleFilter, Tristate } from './filterRules';

interface Props {
  filter: RuleFilter;
  groups: string[];
  onChange: (filter: RuleFilter) => void;
}

export const filterTestIds = { search: 'data-testid rules-search' };

const ALL = 'all' as const;

const LEVEL_OPTIONS: Array<{ label: string; value: LevelBucket | typeof ALL; description?: string }> = [
  { label: 'All', value: ALL },
  { label: 'Silent', value: 'silent', description: 'Level 0: groups or silences events, never alerts' },
  { label: 'Low', value: 'low', description: 'Levels 1–3' },
  { label: 'Medium', value: 'medium', description: 'Levels 4–7' },
  { label: 'High', value: 'high', description: 'Levels 8–11' },
  { label: 'Critical', value: 'critical', description: 'Levels 12–15' },
];

const tristate = (yes: string, no: string): Array<{ label: string; value: Tristate }> => [
  { label: 'All', value: 'all' },
  { label: yes, value: 'yes' },
  { label: no, value: 'no' },
];

export function RuleFilters({ filter, groups, onChange }: Props) {
  const set = (patch: Partial<RuleFilter>) => onChange({ ...filter, ...patch });
  return (
    <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
      <Field label="Search" noMargin>
        <Input
          width={32}
          prefix={<Icon name="search" />}
          placeholder="id, text, group, MITRE id, file"
          value={filter.search}
          data-testid={filterTestIds.search}
          onChange={(e) => set({ search: e.currentTarget.value })}
        />
      </Field>
      {/* Field would hand Combobox an `invalid` prop that reaches the DOM. */}
      <Stack direction="column" gap={0.5}>
        <Label htmlFor="rules-group-filter">Group</Label>
        <Combobox
          id="rules-group-filter"
          width={24}
          isClearable
          placeholder="All groups"
          value={filter.group ?? null}
          options={groups.map((g) => ({ label: g, value: g }))}
          onChange={(option) => set({ group: option?.value })}
        />
      </Stack>
      <Field label="Level" noMargin>
        <RadioButtonGroup<LevelBucket | typeof ALL>
          value={filter.level ?? ALL}
          options={LEVEL_OPTIONS}
          onChange={(v) => set({ level: v === ALL ? undefined : v })}
        />
      </Field>
      <Field label="Enabled" noMargin>
        <RadioButtonGroup
          value={filter.enabled}
          options={tristate('Enabled', 'Disabled')}
          onChange={(enabled) => set({ enabled })}
        />
      </Field>
      <Field label="Overridden" noMargin>
        <RadioButtonGroup
          value={filter.overridden}
          options={tristate('Overridden', 'As shipped')}
          onChange={(overridden) => set({ overridden })}
        />
      </Field>
      <Field label="Source" noMargin>
        <RadioButtonGroup<RuleFilter['source']>
          value={filter.source}
          options={[
            { label: 'All', value: 'all' },
            { label: 'Shipped', value: 'shipped' },
            { label: 'Local', value: 'local' },
          ]}
          onChange={(source) => set({ source })}
        />
      </Field>
    </Stack>
  );
}
