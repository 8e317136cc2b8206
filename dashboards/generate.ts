// Writes dashboards/<name>.json from dashboards/src/ and keeps dashboards/revisions.lock, bumping a
// dashboard's `revision` when its content changed. The lock is JSON but not named *.json: Grafana's
// file provider (provisioning/dashboards) loads every *.json below this folder as a dashboard.
//
//   node --import tsx dashboards/generate.ts           write the JSON files
//   node --import tsx dashboards/generate.ts --check   exit 1 when a committed file is not what the code builds
//
// Why generated: five dashboards share one selector per data source, the same variables and the same
// panel defaults; in code a metric or label rename is one edit, checked by the type checker, and the
// tests can walk every query without parsing Grafana's panel model back out of JSON.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './src/index.js';
import { assignRevision, type Revisions } from './src/revisions.js';

export const DASHBOARD_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REVISIONS_FILE = path.join(DASHBOARD_DIR, 'revisions.lock');

/** File name → text, revisions.lock included: what the directory should hold. */
export function render(previous: Revisions): Map<string, string> {
  const out = new Map<string, string>();
  const next: Revisions = {};
  for (const { name, build } of DASHBOARDS) {
    const { dashboard, entry } = assignRevision(build(), previous[name]);
    next[name] = entry;
    out.set(`${name}.json`, `${JSON.stringify(dashboard, null, 2)}\n`);
  }
  out.set('revisions.lock', `${JSON.stringify(next, null, 2)}\n`);
  return out;
}

export function readRevisions(file = REVISIONS_FILE): Revisions {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Revisions) : {};
}

/** Files whose text differs from what the generator renders. */
export function stale(dir = DASHBOARD_DIR): string[] {
  const files = render(readRevisions(path.join(dir, 'revisions.lock')));
  return [...files].filter(([name, text]) => !fs.existsSync(path.join(dir, name)) || fs.readFileSync(path.join(dir, name), 'utf8') !== text).map(([name]) => name);
}

function main(): void {
  if (process.argv.includes('--check')) {
    const bad = stale();
    if (bad.length > 0) {
      console.error(`out of date: ${bad.join(', ')}; run: node --import tsx dashboards/generate.ts`);
      process.exit(1);
    }
    return;
  }
  for (const [name, text] of render(readRevisions())) fs.writeFileSync(path.join(DASHBOARD_DIR, name), text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
