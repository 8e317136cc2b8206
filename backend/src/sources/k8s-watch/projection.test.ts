import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedAspects, malformedReason, project, stripConfigMapData } from './projection.js';
import { makeConfigMap, makeNode, makePod } from './testing/objects.js';

describe('k8s watch projection', () => {
  it('keeps identity, labels and digests only', () => {
    const pod = makePod('web-1');
    const p = project('pods', pod);
    assert.equal(p.name, 'web-1');
    assert.equal(p.namespace, 'default');
    assert.equal(p.node, 'node-1');
    assert.equal(p.phase, 'Running');
    assert.ok(JSON.stringify(p).length < 600, JSON.stringify(p));
    assert.ok(!JSON.stringify(p).includes('registry.example.com'));
  });

  it('names what changed and ignores status noise', () => {
    const a = makePod('web-1');
    const b = structuredClone(a);
    (b.status as { containerStatuses: { restartCount: number }[] }).containerStatuses[0]!.restartCount = 4;
    (b.metadata as Record<string, unknown>).resourceVersion = '99';
    assert.deepEqual(changedAspects('pods', project('pods', a), project('pods', b)), []);
    ((b.spec as { containers: { image: string }[] }).containers[0]!).image = 'evil:latest';
    (b.spec as Record<string, unknown>).nodeName = 'node-9';
    assert.deepEqual(changedAspects('pods', project('pods', a), project('pods', b)), ['spec', 'node']);
    const n1 = makeNode('n', true, '2026-01-01T00:00:00Z');
    const n2 = makeNode('n', true, '2026-01-01T00:05:00Z');
    assert.deepEqual(changedAspects('nodes', project('nodes', n1), project('nodes', n2)), []);
  });

  it('strips configmap content on receipt', () => {
    const cm = stripConfigMapData(makeConfigMap('x'));
    assert.equal('data' in cm, false);
    assert.equal('binaryData' in cm, false);
    assert.equal(cm.dataKeys, 2);
    const other = stripConfigMapData(makeConfigMap('x', 'default', { a: 'b' }));
    assert.notEqual(cm.dataDigest, other.dataDigest);
  });

  it('says why an object is malformed', () => {
    assert.equal(malformedReason(null), 'object is not a JSON object');
    assert.equal(malformedReason({ metadata: { name: 'a' } }), 'metadata.uid missing');
    assert.equal(malformedReason({ metadata: { name: 'a', uid: 'u', labels: 'x' } }), 'metadata.labels is not an object');
    assert.equal(malformedReason(makePod('ok')), undefined);
  });
});
