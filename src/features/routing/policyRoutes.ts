import { SEVERITIES, type Severity } from '../../api/types';
import { SEVERITY_LABEL, SHIPWATCH_LABEL } from './shipwatchLabels';
import type { ObjectMatcher, PolicyRoute } from './types';

/** One Shipwatch route: alerts of these severities go to this contact point. */
export interface ShipwatchRoute {
  receiver: string;
  severities: Severity[];
  /** The route as read, so its timings and mute intervals survive a save. */
  original?: PolicyRoute;
}

/** Grouping that keeps one severity per notification, so the severity templates can read it. */
export const DEFAULT_GROUP_BY = ['alertname', SEVERITY_LABEL, 'container'];

const isShipwatchMatcher = (m: ObjectMatcher) =>
  m[0] === SHIPWATCH_LABEL.name && m[1] === '=' && m[2] === SHIPWATCH_LABEL.value;

/** A route directly under the root that selects Shipwatch alerts by their label. */
export function isShipwatchRoute(route: PolicyRoute): boolean {
  return (route.object_matchers ?? []).some(isShipwatchMatcher);
}

function severitiesOf(route: PolicyRoute): Severity[] {
  const m = (route.object_matchers ?? []).find((x) => x[0] === SEVERITY_LABEL);
  if (!m) {
    return [...SEVERITIES];
  }
  const [, op, value] = m;
  if (op === '=') {
    return SEVERITIES.filter((s) => s === value);
  }
  if (op === '=~') {
    const listed = value.split('|');
    return SEVERITIES.filter((s) => listed.includes(s));
  }
  // Negative or unusual matchers are kept as written only in `original`; show what they let through.
  if (op === '!=') {
    return SEVERITIES.filter((s) => s !== value);
  }
  return [...SEVERITIES];
}

export function readShipwatchRoutes(tree: PolicyRoute): ShipwatchRoute[] {
  return (tree.routes ?? [])
    .filter(isShipwatchRoute)
    .map((r) => ({ receiver: r.receiver ?? '', severities: severitiesOf(r), original: r }));
}

function matchersFor(severities: Severity[], original?: PolicyRoute): ObjectMatcher[] {
  // Matchers on other labels (a team, a namespace) that the user added are kept.
  const others = (original?.object_matchers ?? []).filter((m) => !isShipwatchMatcher(m) && m[0] !== SEVERITY_LABEL);
  const ordered = SEVERITIES.filter((s) => severities.includes(s));
  const severity: ObjectMatcher[] =
    ordered.length === SEVERITIES.length ? [] : [[SEVERITY_LABEL, '=~', ordered.join('|')]];
  return [[SHIPWATCH_LABEL.name, '=', SHIPWATCH_LABEL.value], ...severity, ...others];
}

/**
 * The tree with its Shipwatch routes replaced by `routes`, in place of the first one (or first
 * under the root when there were none). The root and every other route are kept as they were.
 * Each Shipwatch route but the last continues, so one alert can reach several contact points.
 */
export function mergeShipwatchRoutes(tree: PolicyRoute, routes: ShipwatchRoute[]): PolicyRoute {
  const existing = tree.routes ?? [];
  const firstIndex = existing.findIndex(isShipwatchRoute);
  const at = firstIndex === -1 ? 0 : firstIndex;
  const before = existing.slice(0, at).filter((r) => !isShipwatchRoute(r));
  const after = existing.slice(at).filter((r) => !isShipwatchRoute(r));
  const ours = routes
    .filter((r) => r.severities.length > 0 && r.receiver !== '')
    .map((r, i, all): PolicyRoute => {
      const { provenance: _p, ...kept } = r.original ?? {};
      return {
        ...kept,
        receiver: r.receiver,
        object_matchers: matchersFor(r.severities, r.original),
        group_by: r.original?.group_by ?? DEFAULT_GROUP_BY,
        continue: i < all.length - 1,
      };
    });
  return { ...tree, routes: [...before, ...ours, ...after] };
}
