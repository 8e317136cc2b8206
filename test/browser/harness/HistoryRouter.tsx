import { type ReactNode, useLayoutEffect, useMemo, useState } from 'react';
import { type Navigator, Router } from 'react-router-dom';
import { locationService } from '@grafana/runtime';

/**
 * React Router 6 driven by @grafana/runtime's locationService, as in Grafana: the service wraps a
 * `history` 4 object, whose listen/createHref signatures differ from what Router 6 expects, so
 * this adapts them (Grafana does the same in its app shell, which plugins cannot import).
 */
export function HistoryRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((next: typeof history.location) => setLocation(next)), [history]);
  const navigator = useMemo<Navigator>(
    () => ({
      createHref: (to) => (typeof to === 'string' ? to : history.createHref({ pathname: to.pathname ?? '', search: to.search ?? '', hash: to.hash ?? '' })),
      push: (to, state) => history.push(typeof to === 'string' ? to : { pathname: to.pathname, search: to.search, hash: to.hash }, state),
      replace: (to, state) => history.replace(typeof to === 'string' ? to : { pathname: to.pathname, search: to.search, hash: to.hash }, state),
      go: (delta) => history.go(delta),
    }),
    [history]
  );
  return (
    <Router location={location} navigator={navigator}>
      {children}
    </Router>
  );
}
