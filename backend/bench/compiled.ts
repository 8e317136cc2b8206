// Benchmarks measure the collector as it runs in production (`node backend/dist/...`: plain Node,
// no TypeScript loader). Under tsx every function and class gets a keep-names defineProperty and
// the loader thread holds a copy of every module it served, which costs CPU and memory a deployed
// collector never spends. A bench that measures CPU or RSS bundles itself with esbuild (tsx's own
// compiler; packages stay external) and runs the bundle with plain `node`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node flags for the process a bench measures, from SHIPWATCH_BENCH_NODE_ARGS, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/p" (NODE_OPTIONS refuses --cpu-prof, and would also reach the
 * bundling or client process).
 */
export function benchNodeArgs(): string[] {
  return (process.env.SHIPWATCH_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** True in the bundle that runCompiled() started. */
export const isCompiled = process.env.SHIPWATCH_BENCH_COMPILED === '1';

/**
 * Bundles the bench at `selfUrl` (its import.meta.url) next to itself, so that its relative paths
 * and bare imports resolve as in the source, runs it with `args` under plain node and removes it.
 * Resolves to the bundle's exit code.
 */
export async function runCompiled(selfUrl: string, args: string[]): Promise<number> {
  const self = fileURLToPath(selfUrl);
  const bundle = path.join(path.dirname(self), `.${path.basename(self, '.ts')}-${process.pid}.mjs`);
  try {
    const { build } = await import('esbuild');
    await build({ entryPoints: [self], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
    return await new Promise<number>((resolve, reject) => {
      spawn(process.execPath, [...benchNodeArgs(), bundle, ...args], { stdio: 'inherit', env: { ...process.env, SHIPWATCH_BENCH_COMPILED: '1' } })
        .once('error', reject)
        .once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    fs.rmSync(bundle, { force: true });
  }
}
