// Alert descriptions: `{field.path}` is replaced by the event's value; `{{` and `}}` write braces.
// Rendering happens only for alerts, and is bounded whatever the event holds.

import { compileField, isValidFieldPath } from './fields.js';

export const MISSING_TEXT = '<NA>';
const MAX_VALUE = 256;
const MAX_TOTAL = 2048;

export interface TemplateIssue {
  offset: number;
  message: string;
  field?: string;
}

export type Template = (ev: unknown) => string;

function render(v: unknown): string {
  if (v === undefined || v === null) return MISSING_TEXT;
  if (typeof v === 'string') return v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const parts: string[] = [];
    let len = 0;
    for (const x of v) {
      const s = x !== null && typeof x === 'object' ? '{…}' : render(x);
      parts.push(s);
      len += s.length + 2;
      if (len > MAX_VALUE) {
        parts.push('…');
        break;
      }
    }
    return parts.join(', ');
  }
  return '{…}';
}

/** Compiles a template; `issues` receives problems (the template still renders, text kept literal). */
export function compileTemplate(text: string, issues: TemplateIssue[] = []): { render: Template; fields: { path: string; offset: number }[] } {
  const pieces: (string | ((ev: unknown) => unknown))[] = [];
  const fields: { path: string; offset: number }[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{' && text[i + 1] === '{') {
      lit += '{';
      i += 2;
      continue;
    }
    if (c === '}' && text[i + 1] === '}') {
      lit += '}';
      i += 2;
      continue;
    }
    if (c === '{') {
      const close = text.indexOf('}', i + 1);
      const path = close < 0 ? '' : text.slice(i + 1, close).trim();
      if (close < 0 || !isValidFieldPath(path)) {
        issues.push({ offset: i, message: close < 0 ? "'{' without a closing '}' is kept as text (write '{{' for a literal brace)" : `'{${text.slice(i + 1, close)}}' is not a field path; kept as text` });
        lit += c;
        i += 1;
        continue;
      }
      if (lit) pieces.push(lit);
      lit = '';
      pieces.push(compileField(path));
      fields.push({ path, offset: i + 1 });
      i = close + 1;
      continue;
    }
    lit += c;
    i += 1;
  }
  if (lit) pieces.push(lit);
  if (pieces.length === 0) return { render: () => '', fields };
  if (pieces.length === 1 && typeof pieces[0] === 'string') {
    const only = pieces[0];
    return { render: () => only, fields };
  }
  return {
    render: (ev) => {
      let out = '';
      for (const p of pieces) out += typeof p === 'string' ? p : render(p(ev));
      return out.length > MAX_TOTAL ? `${out.slice(0, MAX_TOTAL)}…` : out;
    },
    fields,
  };
}
