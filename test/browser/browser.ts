import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core, and what a page reports to the console.

export const CHROMIUM = '/usr/bin/chromium';

export interface PageProblems {
  /** console.error messages and uncaught exceptions, with where they came from. */
  errors: string[];
  /** Messages the allow-list let through, kept for the report. */
  allowed: string[];
  /** console.warn messages: reported, not failed on (React and Grafana UI warn in development builds). */
  warnings: string[];
}

/**
 * Messages the harness itself causes, never the plugin: each with why it is not the page's fault.
 * Empty is the goal; an entry needs a reason a reviewer can check.
 */
export const HARNESS_ALLOW_LIST: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /^console\.error: Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http:\/\/127\.0\.0\.1:\d+\/public\/fonts\/[\w/-]+\.woff2:/,
    reason:
      "@grafana/ui's GlobalStyles loads the Inter web fonts from Grafana's server (public/fonts/); they ship with Grafana, not with any npm package, so the test server has none to serve",
  },
  {
    // Only this icon: a 404 for any other icon means a page asks for an icon that does not exist.
    pattern: /^console\.error: Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http:\/\/127\.0\.0\.1:\d+\/public\/build\/img\/icons\/unicons\/spinner\.svg:/,
    reason:
      "Grafana serves @grafana/ui's icons from public/build/img/icons, and the test server from the copy in @grafana/ui's npm package (dist/public/img), which lacks spinner.svg: Grafana adds that one in its own repository",
  },
];

export interface RunningBrowser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launchChromium(): Promise<RunningBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/test-deps.sh does)`);
  }
  // A fresh profile: no cache, service workers or settings from another run.
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'swchrome-'));
  // playwright refuses --user-data-dir in args: a persistent context is how it takes a profile dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
    colorScheme: 'dark',
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Starts collecting a page's console errors and uncaught exceptions; call before navigating. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], allowed: [], warnings: [] };
  const record = (text: string) => {
    const allowed = HARNESS_ALLOW_LIST.find((a) => a.pattern.test(text));
    (allowed ? problems.allowed : problems.errors).push(text);
  };
  page.on('console', (msg) => {
    if (msg.type() === 'warning') {
      problems.warnings.push(msg.text());
    }
    if (msg.type() === 'error') {
      const at = msg.location();
      record(`console.error: ${msg.text()}${at.url ? ` (${at.url}:${at.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => record(`uncaught: ${err.stack ?? err.message}`));
  return problems;
}
