import { normalizeCollectorUrl } from './settings';

describe('normalizeCollectorUrl', () => {
  it('cuts the API path and trailing slashes: the proxy route appends /api', () => {
    expect(normalizeCollectorUrl(' http://shipwatch:7475/ ')).toBe('http://shipwatch:7475');
    expect(normalizeCollectorUrl('https://sw.example.com/collector/api/v1/')).toBe('https://sw.example.com/collector');
    expect(normalizeCollectorUrl('http://shipwatch:7475/api')).toBe('http://shipwatch:7475');
  });

  it('refuses what is not a plain http(s) URL', () => {
    expect(normalizeCollectorUrl('shipwatch:7475')).toBeUndefined();
    expect(normalizeCollectorUrl('ftp://x')).toBeUndefined();
    expect(normalizeCollectorUrl('http://user:pw@x')).toBeUndefined();
    expect(normalizeCollectorUrl('http://x/?a=1')).toBeUndefined();
  });
});
