import type { BadgeColor } from '@grafana/ui';
import { SEVERITIES, type Container, type Severity } from '../../api/types';

export type StateFilter = 'all' | 'running' | 'stopped';

export function containerName(c: Container): string {
  return c.name ?? c.id.slice(0, 12);
}

/** Containers in the chosen state whose name, image, id or compose service contains `search`. */
export function filterContainers(list: Container[], state: StateFilter, search: string): Container[] {
  const needle = search.trim().toLowerCase();
  return list.filter((c) => {
    if (state === 'running' && c.state !== 'running') {
      return false;
    }
    if (state === 'stopped' && c.state === 'running') {
      return false;
    }
    if (!needle) {
      return true;
    }
    return [c.name, c.image, c.id, c.compose.service, c.compose.project].some((v) => v?.toLowerCase().includes(needle));
  });
}

export function stateLabel(c: Container): { text: string; color: BadgeColor } {
  switch (c.state) {
    case 'running':
      return { text: 'running', color: 'green' };
    case 'paused':
      return { text: 'paused', color: 'orange' };
    case 'exited':
      return c.exit_code ? { text: `exited (${c.exit_code})`, color: 'red' } : { text: 'exited', color: 'darkgrey' };
    case 'created':
      return { text: 'created', color: 'blue' };
    default:
      return { text: c.state, color: 'darkgrey' };
  }
}

/** The worst posture finding's severity, or undefined when there is none. */
export function worstFinding(c: Container): Severity | undefined {
  let worst = -1;
  for (const f of c.posture) {
    worst = Math.max(worst, SEVERITIES.indexOf(f.severity));
  }
  return worst >= 0 ? SEVERITIES[worst] : undefined;
}
