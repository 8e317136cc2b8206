import { describeEvent, parsePastedEvents } from './testEvents';

describe('pasted test events', () => {
  it('reads a JSON array, one object, or JSON lines', () => {
    expect(parsePastedEvents('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parsePastedEvents('{\n  "a": 1\n}')).toEqual([{ a: 1 }]);
    expect(parsePastedEvents('{"a":1}\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('names the line that does not parse', () => {
    expect(() => parsePastedEvents('{"a":1}\n{"a":\n')).toThrow(/^line 2 is not JSON/);
    expect(() => parsePastedEvents('[{"a":1},')).toThrow(/the pasted JSON array does not parse/);
    expect(() => parsePastedEvents('  ')).toThrow('paste at least one event');
  });

  it('labels an event by time, source, action and container or pod', () => {
    expect(describeEvent({ event: { time: 't', source: 'docker', action: 'start' }, container: { name: 'web' } })).toBe(
      't · docker start · web'
    );
    expect(describeEvent({ event: { source: 'k8s_audit' }, k8s: { namespace: 'ns', pod: 'p' } })).toBe(
      'k8s_audit · ns/p'
    );
    expect(describeEvent('x')).toBe('event');
  });
});
