import { MARKER_SEVERITY, toMarkers } from './editorMarkers';

describe('editor markers', () => {
  it('marks the word at each error and warning position', () => {
    const markers = toMarkers(
      [{ line: 3, column: 12, message: 'level must be 0 to 15' }],
      [{ line: 5, column: 1, message: 'unknown key frequncy' }],
      (line) => (line === 3 ? 14 : undefined)
    );
    expect(markers).toEqual([
      {
        startLineNumber: 3,
        startColumn: 12,
        endLineNumber: 3,
        endColumn: 14,
        message: 'level must be 0 to 15',
        severity: MARKER_SEVERITY.error,
      },
      {
        startLineNumber: 5,
        startColumn: 1,
        endLineNumber: 5,
        endColumn: 2,
        message: 'unknown key frequncy',
        severity: MARKER_SEVERITY.warning,
      },
    ]);
  });

  it('keeps a position of 0 (a whole-file error) inside the editor', () => {
    expect(toMarkers([{ line: 0, column: 0, message: 'not a mapping' }], [], () => undefined)[0]).toMatchObject({
      startLineNumber: 1,
      startColumn: 1,
    });
  });
});
