import type { ValidationMessage } from '../../api/types';

/** Monaco's IMarkerData, restated so this module (and its tests) need no Monaco. */
export interface MarkerData {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
  severity: number;
}

/** monaco.MarkerSeverity values. */
export const MARKER_SEVERITY = { warning: 4, error: 8 } as const;

/**
 * Validation messages as editor markers. The collector gives a point (line, column); the marker
 * spans the word there, so the squiggle is visible, or one character where there is no word.
 */
export function toMarkers(
  errors: ValidationMessage[],
  warnings: ValidationMessage[],
  wordEnd: (line: number, column: number) => number | undefined
): MarkerData[] {
  const mark = (m: ValidationMessage, severity: number): MarkerData => {
    const line = Math.max(1, m.line);
    const column = Math.max(1, m.column);
    const end = wordEnd(line, column);
    return {
      startLineNumber: line,
      startColumn: column,
      endLineNumber: line,
      endColumn: end !== undefined && end > column ? end : column + 1,
      message: m.message,
      severity,
    };
  };
  return [
    ...errors.map((e) => mark(e, MARKER_SEVERITY.error)),
    ...warnings.map((w) => mark(w, MARKER_SEVERITY.warning)),
  ];
}
