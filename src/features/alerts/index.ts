import { lazy } from 'react';
import type { AppRoute } from '../../app/AppRoute';

export const alertsRoute: AppRoute = { path: 'alerts', component: lazy(() => import('./AlertsPage')) };
