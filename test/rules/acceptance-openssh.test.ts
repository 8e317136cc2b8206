// Acceptance: the loghub OpenSSH sample (a server under brute-force attack) replayed through the
// sshd decoder and the shipped authentication rules. Needs the acceptance corpus
// (../shared/acceptance next to the repository, or SHIPWATCH_ACCEPTANCE_DIR); skipped with a
// message when it is not there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OPENSSH_FILE, runOpenSsh } from '../../backend/src/acceptance/openssh.js';
import { DetectionEngine } from '../../backend/src/transforms/detect/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = process.env.SHIPWATCH_ACCEPTANCE_DIR || path.resolve(ROOT, '../shared/acceptance');
const present = fs.existsSync(path.join(DIR, OPENSSH_FILE));

describe('acceptance: OpenSSH brute-force sample (loghub)', () => {
  it('raises auth_failure alerts and a brute_force alert for every heavy attacker', { skip: present ? false : `no acceptance corpus at ${DIR} (set SHIPWATCH_ACCEPTANCE_DIR)` }, async () => {
    const engine = DetectionEngine.fromDirs({ shippedDir: path.join(ROOT, 'rules') });
    const r = await runOpenSsh(DIR, engine);
    console.log(r.title);
    for (const row of r.rows) console.log(`  ${row.join(' | ')}`);
    assert.deepEqual(r.failures, []);
    const heavy = r.rows.find((row) => row[0]!.startsWith('heavy attackers'));
    assert.ok(heavy && Number(heavy[3]) > 0, 'heavy attackers found in the sample');
  });
});
