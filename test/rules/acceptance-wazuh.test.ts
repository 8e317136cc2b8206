import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatWazuhDocker, parseWazuhTestIni, runWazuhDocker, wazuhDockerToEngineEvent } from '../../backend/src/acceptance/wazuh-docker.js';
import { DetectionEngine } from '../../backend/src/transforms/detect/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// External data (GPL-2.0 test events): read in place, never copied into the repository.
const ACCEPTANCE = process.env.SHIPWATCH_ACCEPTANCE_DIR ?? path.resolve(ROOT, '../shared/acceptance');
const INI = path.join(ACCEPTANCE, 'wazuh-docker', 'docker_integration.ini');

describe('Wazuh Docker acceptance', () => {
  it('every event Wazuh alerts on at level 5+ alerts here too', async (t) => {
    if (!fs.existsSync(INI)) {
      t.skip(`acceptance data not found at ${INI} (external data; set SHIPWATCH_ACCEPTANCE_DIR)`);
      return;
    }
    const engine = DetectionEngine.fromDirs({ shippedDir: path.join(ROOT, 'rules') });
    const r = await runWazuhDocker(ACCEPTANCE, engine);
    console.log(formatWazuhDocker(r));
    assert.ok(r.rows.length > 0, 'no events read');
    assert.deepEqual(r.failures, []);
  });

  // The conversion itself, on inline samples (no external data needed).
  it('reads the ini format and maps old-style events the way Docker did', () => {
    const logs = parseWazuhTestIni([
      '[Shell]',
      'log 1 pass = {"integration":"docker","docker":{"Type":"container","Action":"exec_start: bash ","Actor":{"ID":"abc"}}}',
      '',
      'rule = 1',
      'alert = 5',
      'decoder = json',
      '',
      '[Old]',
      'log 1 pass = {"integration":"docker","docker":{"status":"die","id":"abc","from":"nginx:1","time":1700000000,"timeNano":1700000000123456789}}',
      'log 2 fail = {"integration":"docker","docker":{"status":"pull","id":"nginx:1"}}',
      'rule = 2',
      'alert = 7',
    ].join('\n'));
    assert.equal(logs.length, 3);
    assert.deepEqual(logs.map((l) => [l.section, l.expectation, l.wazuhRule, l.wazuhLevel]), [['Shell', 'pass', 1, 5], ['Old', 'pass', 2, 7], ['Old', 'fail', 2, 7]]);
    const old = wazuhDockerToEngineEvent(JSON.parse(logs[1]!.text).docker, '1700000000123456789');
    assert.deepEqual(old, { Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { image: 'nginx:1' } }, time: 1700000000, timeNano: '1700000000123456789' });
    const pull = wazuhDockerToEngineEvent(JSON.parse(logs[2]!.text).docker);
    assert.deepEqual(pull, { Type: 'image', Action: 'pull', Actor: { ID: 'nginx:1', Attributes: { name: 'nginx:1' } } });
  });
});
