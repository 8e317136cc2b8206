#!/usr/bin/env node
// Runs every *.test.ts below the given folders with node's test runner (through tsx), one file at
// a time for folders that hold integration tests (they start their own dockerd and Prometheus).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const serial = args.includes('--serial');
const dirs = args.filter((a) => !a.startsWith('--'));
const files = [];
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.test.ts')) files.push(p);
  }
}
for (const d of dirs) walk(d);
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
const concurrency = serial ? '1' : String(Math.max(1, Math.min(2, (await import('node:os')).availableParallelism())));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
