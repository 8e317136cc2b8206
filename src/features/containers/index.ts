import { lazy } from 'react';
import type { AppRoute } from '../../app/AppRoute';

export const containersRoute: AppRoute = { path: 'containers', component: lazy(() => import('./ContainersPage')) };
