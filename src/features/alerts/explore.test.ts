import { exploreUrl, lokiSelector, SURROUNDING_MS } from './explore';
import { makeAlert } from '../../test/fixtures';

describe('Explore link', () => {
  it("selects the container's streams", () => {
    expect(lokiSelector(makeAlert().event)).toBe('{job="shipwatch", container="web"}');
  });

  it('falls back to the pod, then the host, and escapes values', () => {
    const base = makeAlert().event;
    expect(lokiSelector({ ...base, container: undefined, k8s: { namespace: 'prod', pod: 'api-"x"' } })).toBe(
      '{job="shipwatch", namespace="prod", pod="api-\\"x\\""}'
    );
    expect(lokiSelector({ ...base, container: undefined })).toBe('{job="shipwatch", host="node-1"}');
  });

  it('opens Explore on the Loki data source around the time', () => {
    const url = exploreUrl({ uid: 'loki-uid', type: 'loki', name: 'Loki' }, '{job="shipwatch"}', 1_000_000_000);
    expect(url.startsWith('/explore?schemaVersion=1&panes=')).toBe(true);
    const panes = JSON.parse(new URLSearchParams(url.split('?')[1]).get('panes')!);
    expect(panes.shipwatch).toEqual({
      datasource: 'loki-uid',
      queries: [
        { refId: 'A', expr: '{job="shipwatch"}', queryType: 'range', datasource: { type: 'loki', uid: 'loki-uid' } },
      ],
      range: { from: String(1_000_000_000 - SURROUNDING_MS), to: String(1_000_000_000 + SURROUNDING_MS) },
    });
  });
});
