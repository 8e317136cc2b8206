// @grafana/runtime's setPluginPage: Grafana calls it at startup, and the package does not export it
// from its entry point. build-harness.ts maps this name to the runtime's own module, so the setter
// changes the same PluginPage the plugin imports.
declare module 'harness:runtime-plugin-page' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}
