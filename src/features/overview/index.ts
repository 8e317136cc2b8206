import { lazy } from 'react';
import type { AppRoute } from '../../app/AppRoute';

export const overviewRoute: AppRoute = { path: 'overview', component: lazy(() => import('./OverviewPage')) };
