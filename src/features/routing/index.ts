import { lazy } from 'react';
import type { AppRoute } from '../../app/AppRoute';

export const routingRoute: AppRoute = { path: 'routing', component: lazy(() => import('./RoutingPage')) };
