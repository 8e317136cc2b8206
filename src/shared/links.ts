import { locationUtil, urlUtil } from '@grafana/data';
import { PLUGIN_BASE_URL } from '../constants';

/** A page of this app with query parameters (empty ones left out). */
export function appPageUrl(page: string, params: Record<string, string | number | undefined> = {}): string {
  const query = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  const search = query.length ? `?${urlUtil.toUrlParams(Object.fromEntries(query))}` : '';
  return `${PLUGIN_BASE_URL}/${page}${search}`;
}

/** A dashboard by UID, filtered to one container when given (the dashboards' `container` variable). */
export function dashboardUrl(uid: string, container?: string | null): string {
  const search = container ? `?${urlUtil.toUrlParams({ 'var-container': container })}` : '';
  return locationUtil.assureBaseUrl(`/d/${uid}${search}`);
}

/**
 * MITRE ATT&CK page of a technique (`T1611`), sub-technique (`T1110.001`), tactic (`TA0004`),
 * or undefined for anything else.
 */
export function mitreUrl(id: string): string | undefined {
  const technique = /^T(\d{4})(?:\.(\d{3}))?$/.exec(id);
  if (technique) {
    return `https://attack.mitre.org/techniques/T${technique[1]}/${technique[2] ? `${technique[2]}/` : ''}`;
  }
  if (/^TA\d{4}$/.test(id)) {
    return `https://attack.mitre.org/tactics/${id}/`;
  }
  return undefined;
}
