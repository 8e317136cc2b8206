import { getPluginJson, hasReadme } from './utils.ts';

const pluginJson = getPluginJson();
const logoPaths: string[] = Array.from(new Set([pluginJson.info?.logos?.large, pluginJson.info?.logos?.small])).filter(
  Boolean
);
const dashboardPaths: string[] = (pluginJson.includes ?? [])
  .filter((i: { type: string; path?: string }) => i.type === 'dashboard' && i.path)
  .map((i: { path: string }) => i.path);
const screenshotPaths: string[] = pluginJson.info?.screenshots?.map((s: { path: string }) => s.path) || [];

export const copyFilePatterns = [
  // If src/README.md exists use it; otherwise the root README
  // To `compiler.options.output`
  { from: hasReadme() ? 'README.md' : '../README.md', to: '.', force: true },
  { from: 'plugin.json', to: '.' },
  { from: '../LICENSE', to: '.', noErrorOnMissing: true },
  { from: '../CHANGELOG.md', to: '.', force: true, noErrorOnMissing: true },
  // The dashboards plugin.json includes live at the repository root (provisioning uses them too);
  // the plugin ships a copy of each. Missing ones are tolerated while they are being written.
  ...dashboardPaths.map((dashboardPath) => ({ from: `../${dashboardPath}`, to: dashboardPath, noErrorOnMissing: true })),
  { from: '**/*.json', to: '.' },
  { from: '**/query_help.md', to: '.', noErrorOnMissing: true },
  ...logoPaths.map((logoPath) => ({ from: logoPath, to: logoPath })),
  ...screenshotPaths.map((screenshotPath) => ({
    from: screenshotPath,
    to: screenshotPath,
  })),
];
