import { useCallback, useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Combobox, type ComboboxOption, Field, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { SINCE_PRESETS } from '../../shared/timePresets';
import { useCollectorData } from '../../shared/useCollectorData';
import { type AlertFilters, MIN_SEVERITY_OPTIONS } from './filters';

interface Props {
  filters: AlertFilters;
  onChange: (change: Partial<AlertFilters>) => void;
}

function option(value: string, label = value): ComboboxOption<string> {
  return { value, label };
}

type PickedFilter = 'ruleId' | 'group' | 'container';

/** One free-text filter with suggestions: any value may be typed, what the collector knows is offered. */
function PickerField({
  label,
  field,
  width,
  options,
  filters,
  onChange,
}: Props & { label: string; field: PickedFilter; width: number; options: Array<ComboboxOption<string>> }) {
  return (
    <Field label={label}>
      <Combobox
        id={`alerts-filter-${label.toLowerCase()}`}
        width={width}
        placeholder={`Any ${label.toLowerCase()}`}
        options={options}
        value={filters[field] || null}
        createCustomValue
        isClearable
        onChange={(o) => onChange({ [field]: o?.value ?? '' })}
      />
    </Field>
  );
}

/**
 * Time window, lowest severity, and rule / group / container. The pickers suggest what the
 * collector knows (rules, and the groups and containers with alerts in the window) and accept
 * any other value too.
 */
export function AlertFiltersBar({ filters, onChange }: Props) {
  const styles = useStyles2(getStyles);
  const rules = useCollectorData(useCallback(() => collectorApi.rules(), []));
  const stats = useCollectorData(useCallback(() => collectorApi.alertStats(filters.since), [filters.since]));

  const ruleOptions = useMemo(
    () => (rules.data?.rules ?? []).map((r) => option(String(r.id), `${r.id} ${r.description}`)),
    [rules.data]
  );
  const groupOptions = useMemo(() => {
    const groups = new Set([
      ...(stats.data?.by_group ?? []).map((g) => g.group),
      ...(rules.data?.rules ?? []).flatMap((r) => r.groups),
    ]);
    return [...groups].sort().map((g) => option(g));
  }, [stats.data, rules.data]);
  const containerOptions = useMemo(
    () => (stats.data?.by_container ?? []).map((c) => option(c.container)),
    [stats.data]
  );

  const suggestionErrors = [rules.error, stats.error].filter((e): e is Error => e !== undefined);
  const filtered = filters.minSeverity || filters.ruleId || filters.group || filters.container;

  return (
    <div>
      <div className={styles.bar}>
        <Field label="Time window">
          <RadioButtonGroup options={SINCE_PRESETS} value={filters.since} onChange={(since) => onChange({ since })} />
        </Field>
        <Field label="Severity">
          <RadioButtonGroup
            options={MIN_SEVERITY_OPTIONS}
            value={filters.minSeverity}
            onChange={(minSeverity) => onChange({ minSeverity })}
          />
        </Field>
        <PickerField
          label="Rule"
          field="ruleId"
          width={32}
          options={ruleOptions}
          filters={filters}
          onChange={onChange}
        />
        <PickerField
          label="Group"
          field="group"
          width={24}
          options={groupOptions}
          filters={filters}
          onChange={onChange}
        />
        <PickerField
          label="Container"
          field="container"
          width={24}
          options={containerOptions}
          filters={filters}
          onChange={onChange}
        />
        {filtered && (
          <Button
            variant="secondary"
            fill="text"
            icon="times"
            onClick={() => onChange({ minSeverity: '', ruleId: '', group: '', container: '' })}
          >
            Clear filters
          </Button>
        )}
      </div>
      {suggestionErrors.length > 0 && (
        <Alert severity="warning" title="Filter suggestions unavailable">
          {suggestionErrors.map((e) => (
            <div key={e.message}>{e.message}</div>
          ))}
        </Alert>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(0, 2),
  }),
});
