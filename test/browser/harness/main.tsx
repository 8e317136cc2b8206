import { createRoot } from 'react-dom/client';
import { Route, Routes, useLocation } from 'react-router-dom';
import type { AppPluginMeta, DataSourceInstanceSettings } from '@grafana/data';
import { config, getBackendSrv, setBackendSrv, setDataSourceSrv } from '@grafana/runtime';
import { GlobalStyles, PortalContainer, ThemeContext } from '@grafana/ui';
import { setPluginPage } from 'harness:runtime-plugin-page';
import { PLUGIN_ID } from '../../../src/constants';
import { plugin } from '../../../src/module';
import { FetchBackendSrv } from './backendSrv';
import { BootDataSourceSrv } from './dataSourceSrv';
import { HarnessPluginPage } from './HarnessPluginPage';
import { HistoryRouter } from './HistoryRouter';

// The plugin as Grafana mounts it: its module's AppPlugin (root page and config page), with the
// real @grafana/ui, @grafana/data and @grafana/runtime. Grafana's app shell is not available
// outside Grafana, so its part is played here through the runtime's setters (all public but
// setPluginPage, see runtime-internal.d.ts), and boot data (window.grafanaBootData, set by the
// page before this bundle) configures `config` and the theme, as in Grafana.

function AppRootPage({ meta }: { meta: AppPluginMeta }) {
  const Root = plugin.root!;
  const { pathname, search } = useLocation();
  const basename = `/a/${meta.id}`;
  return <Root meta={meta} basename={basename} path={pathname} query={Object.fromEntries(new URLSearchParams(search))} onNavChanged={() => {}} />;
}

function ConfigPage() {
  const page = plugin.configPages?.[0];
  if (!page) {
    return <p>The plugin has no config page.</p>;
  }
  const Body = page.body;
  return <Body plugin={plugin} query={{}} />;
}

/**
 * Grafana's app shell tells Monaco (CodeEditor) where its web workers are: Grafana's build ships
 * them, plugins rely on that. build-harness.ts bundles Monaco's editor worker as an ES module.
 */
function provideMonacoWorkers() {
  Object.assign(self, {
    MonacoEnvironment: { getWorker: (_id: string, label: string) => new Worker('/harness/editor.worker.js', { type: 'module', name: label }) },
  });
}

async function start() {
  provideMonacoWorkers();
  setBackendSrv(new FetchBackendSrv());
  setPluginPage(HarnessPluginPage);
  // No setLocationService: the runtime refuses it outside tests, and its default locationService
  // already wraps the browser's history (basename config.appSubUrl), as in Grafana.
  setDataSourceSrv(new BootDataSourceSrv(config.datasources as Record<string, DataSourceInstanceSettings>));
  // Grafana reads the app's settings before mounting it, and hands them over as meta.
  const meta = await getBackendSrv().get<AppPluginMeta>(`/api/plugins/${PLUGIN_ID}/settings`);
  plugin.init(meta);
  plugin.meta = meta;
  const root = createRoot(document.getElementById('root')!);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <HistoryRouter>
        <main data-testid="harness-page">
          <Routes>
            <Route path="/a/:pluginId/*" element={<AppRootPage meta={meta} />} />
            <Route path="/plugins/:pluginId" element={<ConfigPage />} />
          </Routes>
        </main>
      </HistoryRouter>
      <PortalContainer />
    </ThemeContext.Provider>
  );
}

start().catch((err: unknown) => {
  // Surfaces as a page error in the browser test.
  throw err;
});
