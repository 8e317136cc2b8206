import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An endpoint that the API server hands requests to before express: it does its own
 * authentication, body reading and answers, for every method, at exactly `path` (a trailing slash
 * and a query string allowed). For hot endpoints that express's per-request work would slow.
 */
export interface PublicRoute {
  path: string;
  serve(req: IncomingMessage, res: ServerResponse): void;
}

/** The route a request is for, if any. */
export function publicRouteFor(routes: readonly PublicRoute[], url: string | undefined): PublicRoute | undefined {
  if (routes.length === 0 || url === undefined) return undefined;
  const q = url.indexOf('?');
  let p = q < 0 ? url : url.slice(0, q);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return routes.find((r) => r.path === p);
}
