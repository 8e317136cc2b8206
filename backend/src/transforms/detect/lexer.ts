// Conditions are short expressions; a hand-written scanner keeps offsets exact for error messages.

import type { Span } from './ast.js';

export type TokenKind = 'lparen' | 'rparen' | 'comma' | 'op' | 'string' | 'word' | 'eof';

export interface Token {
  kind: TokenKind;
  /** For strings the unescaped value; for the rest the source text. */
  text: string;
  span: Span;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

// Characters that end a bare word. Everything else (/, :, *, -, @, ., ...) may appear in one, so
// paths, image names and CIDRs can be written without quotes.
const STOP = new Set([' ', '\t', '\n', '\r', '(', ')', ',', '"', "'", '=', '<', '>', '!']);

export const MAX_CONDITION_LENGTH = 65_536;

export function tokenize(src: string): Token[] {
  if (src.length > MAX_CONDITION_LENGTH) throw new LexError(`condition longer than ${MAX_CONDITION_LENGTH} characters`, 0);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, span: { start, end: i + 1 } });
      i += 1;
      continue;
    }
    if (c === '=' || c === '<' || c === '>' || c === '!') {
      const two = src.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        out.push({ kind: 'op', text: two === '==' ? '=' : two, span: { start, end: i + 2 } });
        i += 2;
        continue;
      }
      if (c === '!') throw new LexError("unexpected '!' (write != or not)", i);
      out.push({ kind: 'op', text: c, span: { start, end: i + 1 } });
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      // A backslash escapes only the quote and itself, so regexes keep their \d, \s, \. unchanged.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw new LexError('unterminated string', start);
        const d = src[j]!;
        if (d === '\\' && (src[j + 1] === c || src[j + 1] === '\\')) {
          value += src[j + 1];
          j += 2;
          continue;
        }
        if (d === c) break;
        value += d;
        j += 1;
      }
      out.push({ kind: 'string', text: value, span: { start, end: j + 1 } });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < src.length && !STOP.has(src[j]!)) j += 1;
    out.push({ kind: 'word', text: src.slice(i, j), span: { start, end: j } });
    i = j;
  }
  out.push({ kind: 'eof', text: '', span: { start: src.length, end: src.length } });
  return out;
}
