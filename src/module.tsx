import { lazy, Suspense } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import type { AppConfigProps } from './features/config/AppConfig';
import type { ShipwatchSettings } from './features/config/settings';

// Pages load on first use: Grafana loads module.js for every app at startup.
const LazyApp = lazy(() => import('./app/App'));
const LazyAppConfig = lazy(() => import('./features/config/AppConfig'));

const App = (props: AppRootProps<ShipwatchSettings>) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

const AppConfig = (props: AppConfigProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyAppConfig {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<ShipwatchSettings>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
