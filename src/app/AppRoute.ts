import type { ComponentType } from 'react';

/** One page of the app, mounted under /a/<plugin id>/<path>. */
export interface AppRoute {
  /** Relative to the app root, without slashes: `alerts`, `rules`. Must match a page path in plugin.json. */
  path: string;
  /** Usually a `React.lazy` import, so each page is its own chunk. */
  component: ComponentType;
}
