import type { AppRoute } from './AppRoute';
import { alertsRoute } from '../features/alerts';
import { containersRoute } from '../features/containers';
import { overviewRoute } from '../features/overview';
import { routingRoute } from '../features/routing';
import { rulesRoute } from '../features/rules';

/**
 * Every page of the app. Each feature folder's index.ts exports its route; the nav entries
 * (names, order, roles) are the `includes` of plugin.json and must use the same paths.
 */
export const appRoutes: AppRoute[] = [
  // -- pages of features/overview, features/alerts, features/containers --
  overviewRoute,
  alertsRoute,
  containersRoute,
  // -- pages of features/rules (path 'rules') and features/routing (path 'routing') --
  rulesRoute,
  routingRoute,
];

/** Where the app root and unknown paths lead. */
export const DEFAULT_ROUTE = 'overview';
