// npm run acceptance -- <acceptance dir>: replays the shared acceptance corpora through the shipped
// rules and prints a table per corpus; exits non-zero when any corpus has failures.
import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_RULES } from '../collector.js';
import { DetectionEngine } from '../transforms/detect/index.js';
import { runK8sAudit } from './k8s-audit.js';
import { runOpenSsh } from './openssh.js';
import { runWazuhDocker } from './wazuh-docker.js';

type Runner = (dir: string, engine: DetectionEngine) => Promise<{ title: string; header: string[]; rows: string[][]; failures: string[] }>;
const RUNNERS: [string, Runner][] = [['wazuh-docker', runWazuhDocker], ['k8s-audit', runK8sAudit], ['loghub-openssh', runOpenSsh]];

const dir = path.resolve(process.argv[2] ?? '../shared/acceptance');
if (!fs.existsSync(dir)) {
  console.error(`acceptance folder ${dir} not found`);
  process.exit(2);
}
const engine = DetectionEngine.fromDirs({ shippedDir: SHIPPED_RULES });
let failures = 0;
for (const [sub, run] of RUNNERS) {
  if (!fs.existsSync(path.join(dir, sub))) {
    console.log(`\n${sub}: not in ${dir}, skipped`);
    continue;
  }
  const r = await run(dir, engine);
  console.log(`\n## ${r.title}\n`);
  console.log(`| ${r.header.join(' | ')} |\n|${r.header.map(() => '---').join('|')}|`);
  for (const row of r.rows) console.log(`| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  for (const f of r.failures) console.log(`FAIL: ${f}`);
  failures += r.failures.length;
}
console.log(`\nacceptance: ${failures === 0 ? 'all passed' : `${failures} failure(s)`}`);
process.exit(failures === 0 ? 0 : 1);
