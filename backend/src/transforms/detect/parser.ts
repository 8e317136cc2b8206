// Recursive descent over the token list. Precedence, loosest first: or, and, not.

import { WORD_OPS, type Literal, type Op, type RawNode, type Rhs, type Span } from './ast.js';
import { LexError, tokenize, type Token } from './lexer.js';

export class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set(['and', 'or', 'not']);
const SYMBOL_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);
// Hostile or generated input must not exhaust the stack of the API process.
const MAX_DEPTH = 100;
const NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseCondition(src: string): RawNode {
  let tokens: Token[];
  try {
    tokens = tokenize(src);
  } catch (e) {
    if (e instanceof LexError) throw new ParseError(e.message, e.offset);
    throw e;
  }
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of condition' : `'${t.text}'`);
  const isWord = (t: Token, w: string): boolean => t.kind === 'word' && t.text === w;

  function expr(depth: number): RawNode {
    if (depth > MAX_DEPTH) throw new ParseError(`condition nested deeper than ${MAX_DEPTH} levels`, peek().span.start);
    return binary('or', depth);
  }

  function binary(kind: 'or' | 'and', depth: number): RawNode {
    const sub = (): RawNode => (kind === 'or' ? binary('and', depth) : unary(depth));
    const first = sub();
    if (!isWord(peek(), kind)) return first;
    const items = [first];
    while (isWord(peek(), kind)) {
      next();
      items.push(sub());
    }
    return { kind, items, span: { start: first.span.start, end: items[items.length - 1]!.span.end } };
  }

  function unary(depth: number): RawNode {
    const t = peek();
    if (isWord(t, 'not')) {
      next();
      if (depth + 1 > MAX_DEPTH) throw new ParseError(`condition nested deeper than ${MAX_DEPTH} levels`, t.span.start);
      const item = unary(depth + 1);
      return { kind: 'not', item, span: { start: t.span.start, end: item.span.end } };
    }
    return primary(depth);
  }

  function primary(depth: number): RawNode {
    const t = next();
    if (t.kind === 'lparen') {
      const inner = expr(depth + 1);
      const close = next();
      if (close.kind !== 'rparen') throw new ParseError(`expected ')' to close the '(' at offset ${t.span.start}, found ${describe(close)}`, close.span.start);
      return { ...inner, span: { start: t.span.start, end: close.span.end } } as RawNode;
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.text)) {
      throw new ParseError(`expected a field, a macro or '(', found ${describe(t)}`, t.span.start);
    }
    const after = peek();
    const opText = after.kind === 'op' && SYMBOL_OPS.has(after.text) ? after.text : after.kind === 'word' && WORD_OPS.has(after.text) ? after.text : undefined;
    if (opText === undefined) {
      // A lone word is a macro; whether it exists is checked when macros are expanded.
      if (after.kind === 'word' && !KEYWORDS.has(after.text)) {
        throw new ParseError(`unknown operator '${after.text}' after '${t.text}'`, after.span.start);
      }
      if (after.kind === 'string' || after.kind === 'lparen') {
        throw new ParseError(`expected an operator after '${t.text}', found ${describe(after)}`, after.span.start);
      }
      return { kind: 'ref', name: t.text, span: t.span };
    }
    next();
    const op = opText as Op;
    if (op === 'exists') return { kind: 'cmp', field: t.text, fieldSpan: t.span, op, rhs: null, span: { start: t.span.start, end: after.span.end } };
    const rhs = operand(op);
    const end = rhs.kind === 'list' ? rhs.span.end : rhs.value.span.end;
    return { kind: 'cmp', field: t.text, fieldSpan: t.span, op, rhs, span: { start: t.span.start, end } };
  }

  function operand(op: Op): Rhs {
    const t = peek();
    if (t.kind === 'lparen') {
      next();
      const items: Literal[] = [];
      if (peek().kind === 'rparen') {
        const close = next();
        return { kind: 'list', items, span: { start: t.span.start, end: close.span.end } };
      }
      for (;;) {
        items.push(literal(op));
        const sep = next();
        if (sep.kind === 'rparen') return { kind: 'list', items, span: { start: t.span.start, end: sep.span.end } };
        if (sep.kind !== 'comma') throw new ParseError(`expected ',' or ')' in the value list, found ${describe(sep)}`, sep.span.start);
      }
    }
    return { kind: 'single', value: literal(op) };
  }

  function literal(op: Op): Literal {
    const t = next();
    if (t.kind === 'string') return { kind: 'string', value: t.text, span: t.span };
    if (t.kind === 'word' && !KEYWORDS.has(t.text)) {
      let value: string | number | boolean = t.text;
      if (t.text === 'true') value = true;
      else if (t.text === 'false') value = false;
      else if (NUMBER.test(t.text)) value = Number(t.text);
      return { kind: 'word', value, span: t.span };
    }
    throw new ParseError(`expected a value after '${op}', found ${describe(t)}`, t.span.start);
  }

  const root = expr(0);
  const rest = peek();
  if (rest.kind !== 'eof') {
    const hint = rest.kind === 'rparen' ? "unbalanced ')'" : `unexpected ${describe(rest)} (missing 'and' or 'or'?)`;
    throw new ParseError(hint, rest.span.start);
  }
  return root;
}

export function spanText(src: string, span: Span): string {
  return src.slice(span.start, span.end);
}
