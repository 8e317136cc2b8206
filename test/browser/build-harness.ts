import { build, type Plugin } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Bundles the harness (and with it the plugin's src/ and the real @grafana/* packages) into a
// temp dir at test time. esbuild rather than the plugin's webpack config: that config leaves
// react, @grafana/* and rxjs external (Grafana provides them), and bundling them with webpack
// takes minutes on two cores, where esbuild takes seconds. Lazy pages stay separate chunks.

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

/**
 * esbuild matches file names case-insensitively when it adds an extension, so `./ruleFilters`
 * resolved to `RuleFilters.tsx` next to `ruleFilters.ts`. Webpack and tsc on Linux match exactly;
 * this resolves relative imports of our own sources the same way.
 */
const exactCase: Plugin = {
  name: 'exact-case',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer.includes('node_modules')) {
        return undefined;
      }
      const base = path.resolve(args.resolveDir, args.path);
      for (const candidate of [base, `${base}.tsx`, `${base}.ts`, path.join(base, 'index.tsx'), path.join(base, 'index.ts')]) {
        const dirEntries = fs.existsSync(path.dirname(candidate)) ? fs.readdirSync(path.dirname(candidate)) : [];
        if (dirEntries.includes(path.basename(candidate)) && fs.statSync(candidate).isFile()) {
          return { path: candidate };
        }
      }
      return undefined;
    });
  },
};

/** `harness:runtime-plugin-page`: @grafana/runtime's PluginPage module, which holds setPluginPage (see harness/runtime-internal.d.ts). */
const runtimeInternals: Plugin = {
  name: 'runtime-internals',
  setup(b) {
    b.onResolve({ filter: /^harness:runtime-plugin-page$/ }, () => ({
      path: path.join(ROOT, 'node_modules/@grafana/runtime/dist/esm/components/PluginPage.mjs'),
    }));
  },
};

export interface HarnessBundle {
  dir: string;
  /** Entry script, relative to dir. */
  entry: string;
  /** Stylesheets esbuild split out (CSS imported by dependencies), relative to dir. */
  styles: string[];
  remove: () => void;
}

export async function buildHarness(): Promise<HarnessBundle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swharness-'));
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { main: path.join(HERE, 'harness/main.tsx'), 'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js' },
      outdir: dir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      jsx: 'automatic',
      tsconfig: path.join(HERE, 'harness/tsconfig.json'),
      define: { 'process.env.NODE_ENV': '"development"', global: 'globalThis' },
      loader: { '.svg': 'file', '.png': 'file', '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
      sourcemap: 'linked',
      metafile: true,
      plugins: [exactCase, runtimeInternals],
      logLevel: 'silent',
    });
    const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(dir, path.resolve(ROOT, f)));
    return {
      dir,
      entry: 'main.js',
      styles: outputs.filter((f) => f.endsWith('.css')),
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
