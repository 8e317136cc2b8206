import { applyOverride, OVERRIDES_FILE, readOverrides, renderOverrides } from './overrideFile';

describe('override file of the Rules page', () => {
  it('round-trips through the JSON it writes', () => {
    const list = applyOverride(applyOverride([], 100101, { level: 5 }), 100100, { enabled: false });
    const text = renderOverrides(list);
    expect(text.startsWith('# Written by the Rules page')).toBe(true);
    expect(readOverrides({ name: OVERRIDES_FILE, yaml: text })).toEqual([
      { id: 100100, enabled: false },
      { id: 100101, level: 5 },
    ]);
  });

  it('drops an override whose last key is removed', () => {
    const list = applyOverride([{ id: 100100, enabled: false, level: 3 }], 100100, { enabled: null });
    expect(list).toEqual([{ id: 100100, level: 3 }]);
    expect(applyOverride(list, 100100, { level: null })).toEqual([]);
  });

  it('reads a missing file as no overrides', () => {
    expect(readOverrides(undefined)).toEqual([]);
  });

  it('refuses a file edited into other YAML, naming it', () => {
    expect(() => readOverrides({ name: OVERRIDES_FILE, yaml: 'overrides:\n  rules: []\n' })).toThrow(
      /zz-rules-page-overrides.yaml is no longer the JSON this page writes/
    );
    const other = renderOverrides([]).replace('"rules": []', '"rules": [{"id": 1, "exceptions": []}]');
    expect(() => readOverrides({ name: OVERRIDES_FILE, yaml: other })).toThrow(
      /holds more than rule enable\/level overrides/
    );
  });
});
