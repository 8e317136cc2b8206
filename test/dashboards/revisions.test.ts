import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { render, readRevisions, REVISIONS_FILE } from '../../dashboards/generate.js';
import { DASHBOARDS } from '../../dashboards/src/index.js';
import type { Dashboard } from '../../dashboards/src/model.js';
import { assignRevision, contentHash } from '../../dashboards/src/revisions.js';
import { DASHBOARD_DIR, loadDashboards } from './walk.js';

describe('dashboards: generated files and revisions', () => {
  it('each committed file is exactly what dashboards/src builds (run: node --import tsx dashboards/generate.ts)', () => {
    const files = render(readRevisions());
    assert.deepEqual([...files.keys()].sort(), [...DASHBOARDS.map((d) => `${d.name}.json`), 'revisions.lock'].sort());
    for (const [name, text] of files) assert.equal(fs.readFileSync(path.join(DASHBOARD_DIR, name), 'utf8'), text, `dashboards/${name} is out of date`);
  });

  it('a committed dashboard whose content changed carries a new revision (hash recorded in revisions.lock)', () => {
    const recorded = readRevisions(REVISIONS_FILE);
    for (const d of loadDashboards()) {
      const entry = recorded[d.name];
      assert.ok(entry, `${d.name} missing from revisions.lock`);
      // The file's own content: an edit by hand, or a generator change committed without regenerating
      // the lock, shows here as a hash that is not the one the revision was given for.
      assert.equal(contentHash(d.json as unknown as Dashboard), entry.sha256, `${d.name}: content changed but revision ${d.json.revision} did not; regenerate`);
      assert.equal(d.json.revision, entry.revision, `${d.name}: revision in the file differs from revisions.lock`);
    }
  });

  it('assignRevision keeps the revision for the same content and bumps it for any change', () => {
    const base = DASHBOARDS[0]!.build();
    const first = assignRevision(base, undefined);
    assert.equal(first.entry.revision, 1);
    assert.deepEqual(assignRevision(base, first.entry).entry, first.entry, 'same content: same revision');
    assert.equal(assignRevision({ ...base, revision: 7 }, first.entry).entry.revision, 1, 'the revision field itself is not content');
    const edited: Dashboard = { ...base, panels: base.panels.map((p, i) => (i === 1 ? { ...p, title: `${p.title}!` } : p)) };
    const next = assignRevision(edited, first.entry);
    assert.equal(next.entry.revision, 2);
    assert.notEqual(next.entry.sha256, first.entry.sha256);
    assert.equal(next.dashboard.revision, 2);
    assert.equal(assignRevision(edited, next.entry).entry.revision, 2, 'and stays there until the next change');
    // Key order is not content: the same dashboard with its keys reordered hashes the same.
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as Dashboard;
    assert.equal(contentHash(reordered), contentHash(base));
  });
});
