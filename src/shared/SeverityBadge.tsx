import { Badge, type BadgeColor } from '@grafana/ui';
import type { IconName } from '@grafana/data';
import type { Severity } from '../api/types';

const LOOK: Record<Severity, { color: BadgeColor; icon: IconName }> = {
  low: { color: 'blue', icon: 'info-circle' },
  medium: { color: 'orange', icon: 'exclamation-circle' },
  high: { color: 'red', icon: 'exclamation-triangle' },
  critical: { color: 'purple', icon: 'fire' },
};

/** A severity of DESIGN §4, optionally with the rule level (0–15) it came from. */
export function SeverityBadge({ severity, level }: { severity: Severity; level?: number }) {
  const look = LOOK[severity] ?? LOOK.low;
  return <Badge color={look.color} icon={look.icon} text={level === undefined ? severity : `${severity} (${level})`} />;
}
