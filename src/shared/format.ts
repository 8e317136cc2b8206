import { dateTimeFormat } from '@grafana/data';

/** An RFC 3339 time from the collector in the user's time zone; the raw text if it does not parse. */
export function formatTime(rfc3339: string | null | undefined): string {
  if (!rfc3339) {
    return '—';
  }
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? rfc3339 : dateTimeFormat(ms);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) {
    return '—';
  }
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatPercent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(1)} %`;
}

/**
 * A rule's description template as a title: `{container.name}`-style fields (filled in per alert)
 * become `…`, so a list of rules reads "container … crashed" rather than showing the template.
 */
export function ruleTitle(template: string): string {
  return template.replace(/\{[A-Za-z_][\w.]*\}/g, '…');
}
