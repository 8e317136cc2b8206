import { lazy } from 'react';
import type { AppRoute } from '../../app/AppRoute';

export const rulesRoute: AppRoute = { path: 'rules', component: lazy(() => import('./RulesPage')) };
