import { bucketize } from './alertTimeline';

describe('bucketize', () => {
  it('counts alerts by severity in equal buckets over the window', () => {
    const buckets = bucketize(
      {
        fromMs: 0,
        toMs: 4000,
        truncated: false,
        points: [
          { timeMs: 0, severity: 'low' },
          { timeMs: 999, severity: 'critical' },
          { timeMs: 3500, severity: 'high' },
          { timeMs: 4000, severity: 'high' },
          { timeMs: 5000, severity: 'high' },
        ],
      },
      4
    );
    expect(buckets.map((b) => b.total)).toEqual([2, 0, 0, 2]);
    expect(buckets[0].counts).toEqual({ low: 1, medium: 0, high: 0, critical: 1 });
    expect(buckets[3].counts.high).toBe(2);
  });
});
