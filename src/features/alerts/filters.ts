import type { SelectableValue } from '@grafana/data';
import { SEVERITIES, type AlertQuery, type Severity } from '../../api/types';
import { DEFAULT_SINCE } from '../../shared/timePresets';

/** The Alerts page's filters, kept in the URL so that links (from the Overview) can set them. */
export interface AlertFilters {
  since: string;
  /** Lowest severity shown; '' for all. */
  minSeverity: Severity | '';
  ruleId: string;
  group: string;
  container: string;
}

export const MIN_SEVERITY_OPTIONS: Array<SelectableValue<Severity | ''>> = [
  { label: 'All', value: '' },
  { label: 'Medium+', value: 'medium' },
  { label: 'High+', value: 'high' },
  { label: 'Critical', value: 'critical' },
];

function isSeverity(value: string | null): value is Severity {
  return value !== null && (SEVERITIES as readonly string[]).includes(value);
}

export function filtersFromSearch(params: URLSearchParams): AlertFilters {
  const min = params.get('min_severity');
  return {
    since: params.get('since') || DEFAULT_SINCE,
    minSeverity: isSeverity(min) ? min : '',
    ruleId: params.get('rule_id') ?? '',
    group: params.get('group') ?? '',
    container: params.get('container') ?? '',
  };
}

/** The URL query for the filters; defaults are left out. */
export function filtersToSearch(f: AlertFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.since !== DEFAULT_SINCE) {
    out.since = f.since;
  }
  if (f.minSeverity) {
    out.min_severity = f.minSeverity;
  }
  if (f.ruleId) {
    out.rule_id = f.ruleId;
  }
  if (f.group) {
    out.group = f.group;
  }
  if (f.container) {
    out.container = f.container;
  }
  return out;
}

/** The collector's query: a minimum severity becomes the list of severities from it up. */
export function filtersToQuery(f: AlertFilters, limit: number): AlertQuery {
  const ruleId = Number(f.ruleId);
  return {
    since: f.since,
    severity: f.minSeverity ? SEVERITIES.slice(SEVERITIES.indexOf(f.minSeverity)) : undefined,
    rule_id: f.ruleId && Number.isInteger(ruleId) ? ruleId : undefined,
    group: f.group || undefined,
    container: f.container || undefined,
    limit,
  };
}
