// Acceptance: the Falco project's Kubernetes audit trace files against expected.yaml, through the
// shipped rules. Needs the acceptance corpus (../shared/acceptance next to the repository, or
// SHIPWATCH_ACCEPTANCE_DIR); skipped with a message when it is not there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runK8sAudit, K8S_TRACE_DIR } from '../../backend/src/acceptance/k8s-audit.js';
import { DetectionEngine } from '../../backend/src/transforms/detect/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = process.env.SHIPWATCH_ACCEPTANCE_DIR || path.resolve(ROOT, '../shared/acceptance');
const present = fs.existsSync(path.join(DIR, K8S_TRACE_DIR));

describe('acceptance: Kubernetes audit traces (Falco 0.34.1)', () => {
  it('every trace file raises what expected.yaml says', { skip: present ? false : `no acceptance corpus at ${DIR} (set SHIPWATCH_ACCEPTANCE_DIR)` }, async () => {
    const engine = DetectionEngine.fromDirs({ shippedDir: path.join(ROOT, 'rules') });
    const r = await runK8sAudit(DIR, engine);
    const passed = r.rows.filter((row) => row[row.length - 1] === 'pass').length;
    console.log(`${r.title}: ${passed}/${r.rows.length} files pass`);
    for (const row of r.rows) if (row[row.length - 1] !== 'pass') console.log(`  ${row.join(' | ')}`);
    assert.ok(r.rows.length >= 47, `expected the 47 trace files, read ${r.rows.length}`);
    assert.deepEqual(r.failures, []);
  });
});
