import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasourcesFile, PROVISIONING, readYaml } from '../provisioning/load.js';
import type { HarnessBundle } from './build-harness.js';
import { GrafanaAlerting } from './grafana-alerting.js';

// A loopback server in Grafana's place for the browser test: it serves the harness page and
// bundle, and the parts of Grafana's HTTP API the app uses: the app's settings, the plugin proxy
// (routes of src/plugin.json, which add the collector token), and alerting provisioning. The app's
// settings start from provisioning/plugins/, as Grafana's would.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLUGIN_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8')) as {
  id: string; name: string; info: Record<string, unknown>; includes: unknown[];
  routes: Array<{ path: string; method: string; url: string; headers?: Array<{ name: string; content: string }> }>;
};
export const PLUGIN_ID = PLUGIN_JSON.id;
const UI_IMAGES = path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.ttf': 'font/ttf', '.woff': 'font/woff', '.woff2': 'font/woff2', '.png': 'image/png' };

export interface FakeGrafana {
  url: string;
  /** API requests nothing here answers (each would be a 404 in the page). */
  unhandled: string[];
  /** Requests forwarded to the collector: `METHOD path -> status`. */
  proxied: string[];
  close: () => Promise<void>;
}

interface AppSettings { enabled: boolean; pinned: boolean; jsonData: Record<string, unknown>; secureJsonData: Record<string, string> }

/** `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` of a plugin.json route, as Grafana fills them in. */
function fillRouteTemplate(template: string, s: AppSettings): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_m, where: string, key: string) =>
    String((where === 'JsonData' ? s.jsonData[key] : s.secureJsonData[key]) ?? '')
  );
}

function bootData(origin: string) {
  const datasources = Object.fromEntries(
    datasourcesFile().datasources.map((ds, i) => [
      ds.name,
      { id: i + 1, uid: ds.uid, name: ds.name, type: ds.type, url: ds.url, access: ds.access, isDefault: Boolean(ds.isDefault), jsonData: ds.jsonData ?? {}, readOnly: true, meta: { id: ds.type, name: ds.type, type: 'datasource', info: { logos: {} } } },
    ])
  );
  return {
    settings: {
      appUrl: `${origin}/`, appSubUrl: '', datasources, unifiedAlertingEnabled: true, featureToggles: {},
      apps: { [PLUGIN_ID]: { id: PLUGIN_ID, path: `public/plugins/${PLUGIN_ID}/module.js`, version: 'harness', preload: false } },
      buildInfo: { version: '12.4.10', commit: 'harness', env: 'production', edition: 'Open Source' },
    },
    user: { id: 1, login: 'admin', orgId: 1, orgRole: 'Admin', isGrafanaAdmin: true, isSignedIn: true, theme: 'dark', timezone: 'browser', regionalFormat: 'en-US', language: 'en-US' },
    navTree: [],
    assets: { dark: '', light: '' },
  };
}

function indexHtml(origin: string, bundle: HarnessBundle): string {
  const styles = bundle.styles.map((f) => `<link rel="stylesheet" href="/harness/${f}">`).join('\n    ');
  // JSON in a script: `<` escaped so no string in it can close the tag.
  const boot = JSON.stringify(bootData(origin)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Shipwatch (browser test harness)</title>
    <base href="/">
    <link rel="icon" href="data:,">
    ${styles}
    <script>window.grafanaBootData = ${boot};</script>
  </head>
  <body class="theme-dark">
    <div id="root"></div>
    <script type="module" src="/harness/${bundle.entry}"></script>
  </body>
</html>
`;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A file below `dir` (never outside it), or a 404. */
function sendFile(res: http.ServerResponse, dir: string, relative: string) {
  const file = path.join(dir, path.normalize(decodeURIComponent(relative)));
  if (!file.startsWith(`${dir}${path.sep}`) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
}

export async function startFakeGrafana(opts: { bundle: HarnessBundle; collectorUrl: string; collectorToken: string }): Promise<FakeGrafana> {
  const provisioned = readYaml<{ apps: Array<{ type: string; jsonData: Record<string, unknown>; secureJsonData: Record<string, string> }> }>(
    path.join(PROVISIONING, 'plugins/shipwatch.yaml')
  ).apps.find((a) => a.type === PLUGIN_ID)!;
  const env: Record<string, string> = { SHIPWATCH_COLLECTOR_URL: opts.collectorUrl, SHIPWATCH_API_TOKEN: opts.collectorToken };
  const fromEnv = (v: unknown) => (typeof v === 'string' ? v.replace(/\$\{(\w+)\}/g, (_m, n: string) => env[n] ?? '') : v);
  const settings: AppSettings = {
    enabled: true, pinned: true,
    jsonData: Object.fromEntries(Object.entries(provisioned.jsonData).map(([k, v]) => [k, fromEnv(v)])),
    secureJsonData: Object.fromEntries(Object.entries(provisioned.secureJsonData).map(([k, v]) => [k, String(fromEnv(v))])),
  };
  const alerting = new GrafanaAlerting({ SHIPWATCH_SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/services/x', SHIPWATCH_ALERT_EMAILS: 'security@example.invalid', SHIPWATCH_PAGERDUTY_INTEGRATION_KEY: 'pd-key' });
  const unhandled: string[] = [];
  const proxied: string[] = [];
  let origin = '';

  const meta = () => ({
    id: PLUGIN_ID, name: PLUGIN_JSON.name, type: 'app', info: PLUGIN_JSON.info, includes: PLUGIN_JSON.includes,
    enabled: settings.enabled, pinned: settings.pinned, jsonData: settings.jsonData,
    secureJsonFields: Object.fromEntries(Object.keys(settings.secureJsonData).map((k) => [k, true])),
    baseUrl: `public/plugins/${PLUGIN_ID}`, module: `public/plugins/${PLUGIN_ID}/module.js`,
  });

  const proxy = async (req: http.IncomingMessage, res: http.ServerResponse, rest: string, search: string) => {
    const route = PLUGIN_JSON.routes.find((r) => r.method === req.method && (rest === r.path || rest.startsWith(`${r.path}/`)));
    if (!route) {
      sendJson(res, 404, { message: 'plugin route not found' });
      return;
    }
    const target = `${fillRouteTemplate(route.url, settings)}${rest.slice(route.path.length)}${search}`;
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) {
      headers['Content-Type'] = req.headers['content-type'];
    }
    for (const h of route.headers ?? []) {
      headers[h.name] = fillRouteTemplate(h.content, settings);
    }
    const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : new Uint8Array(await readBody(req));
    try {
      const upstream = await fetch(target, { method: req.method, headers, body });
      const data = Buffer.from(await upstream.arrayBuffer());
      proxied.push(`${req.method} ${new URL(target).pathname} -> ${upstream.status}`);
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream' }).end(data);
    } catch (err) {
      // Grafana answers 502 when the route's target does not answer.
      sendJson(res, 502, { message: `Bad Gateway: ${String(err)}` });
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/harness/')) {
      sendFile(res, opts.bundle.dir, url.pathname.slice('/harness/'.length));
      return;
    }
    const proxyPrefix = `/api/plugin-proxy/${PLUGIN_ID}/`;
    if (url.pathname.startsWith(proxyPrefix)) {
      await proxy(req, res, url.pathname.slice(proxyPrefix.length), url.search);
      return;
    }
    if (url.pathname === `/api/plugins/${PLUGIN_ID}/settings`) {
      if (method === 'GET') {
        sendJson(res, 200, meta());
        return;
      }
      if (method === 'POST') {
        const update = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Partial<AppSettings>;
        settings.enabled = update.enabled ?? settings.enabled;
        settings.pinned = update.pinned ?? settings.pinned;
        settings.jsonData = update.jsonData ?? settings.jsonData;
        settings.secureJsonData = { ...settings.secureJsonData, ...(update.secureJsonData ?? {}) };
        sendJson(res, 200, { message: 'Plugin settings updated' });
        return;
      }
    }
    if (url.pathname.startsWith('/public/build/img/')) {
      // @grafana/ui's icons: Grafana serves the copy @grafana/ui ships in dist/public/img.
      sendFile(res, UI_IMAGES, url.pathname.slice('/public/build/img/'.length));
      return;
    }
    if (url.pathname.startsWith('/public/')) {
      // Grafana's other static files (the Inter web fonts GlobalStyles asks for) are in no npm package.
      res.writeHead(404).end();
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const raw = await readBody(req);
      const answer = alerting.handle(method, url.pathname, raw.length ? JSON.parse(raw.toString('utf8')) : undefined);
      if (answer) {
        sendJson(res, answer.status, answer.body);
        return;
      }
      unhandled.push(`${method} ${url.pathname}`);
      sendJson(res, 404, { message: 'Not found' });
      return;
    }
    // Every other path is a page of Grafana's single-page app.
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(indexHtml(origin, opts.bundle));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin, unhandled, proxied,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
