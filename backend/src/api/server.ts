import { createServer, type RequestListener, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { CollectorMetrics } from '../metrics/registry.js';
import type { Store } from '../sinks/store/store.js';
import type { Logger } from '../util/log.js';
import { bearerAuth } from './auth.js';
import { BadRequest } from './params.js';
import { publicRouteFor, type PublicRoute } from './public-route.js';
import { alertRoutes } from './routes/alerts.js';
import { containerRoutes, type MetricsLookup } from './routes/containers.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';

export interface CollectorStatus {
  status: 'ok' | 'degraded' | 'stopping';
  version: string;
  sources: Record<string, unknown>;
  sinks: Record<string, unknown>;
  rules?: unknown;
}

export interface ApiDeps {
  token: string;
  bodyLimit: number;
  store: Store;
  metrics: CollectorMetrics;
  log: Logger;
  status: () => CollectorStatus;
  containerMetrics?: MetricsLookup;
  /** Extra routers mounted under /api/v1 behind the token (rules, ...). */
  routers?: express.Router[];
  /** Endpoints with their own authentication, served ahead of express (the audit webhook). */
  publicRoutes?: PublicRoute[];
}

/** The API server's request listener: the public routes, then the express app for the rest. */
export function createApi(d: ApiDeps): RequestListener {
  const app = expressApp(d);
  const routes = d.publicRoutes ?? [];
  return (req, res) => {
    const route = publicRouteFor(routes, req.url);
    if (route) route.serve(req, res);
    else app(req, res);
  };
}

function expressApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.use(express.json({ limit: d.bodyLimit }));

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', d.metrics.registry.contentType);
    res.send(await d.metrics.registry.metrics());
  });
  app.use('/api/v1', healthRoutes(d.status));
  const auth = bearerAuth(d.token);
  app.use('/api/v1', auth, eventRoutes(d.store), alertRoutes(d.store), containerRoutes(d.store, d.containerMetrics));
  for (const r of d.routers ?? []) app.use('/api/v1', auth, r);

  app.use((req, res) => {
    res.status(404).json({ error: `no such endpoint: ${req.method} ${req.path}` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string; message?: string };
    if (err instanceof BadRequest || err instanceof RangeError) {
      res.status(400).json({ error: err.message });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: `request body larger than ${d.bodyLimit} bytes` });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `request body is not valid JSON: ${e.message}` });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? 'bad request' });
      return;
    }
    d.log.error({ err: String(err), path: req.path }, 'API request failed');
    res.status(500).json({ error: 'internal error; see the collector log' });
  });
  return app;
}

/** Listens on `host:port` (port 0 picks a free one); resolves with the bound address. */
export function listen(listener: RequestListener, hostPort: string): Promise<{ server: Server; address: string }> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve, reject) => {
    const server = createServer(listener).listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const a = server.address();
      const address = typeof a === 'object' && a ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : hostPort;
      resolve({ server, address });
    });
  });
}
