// Syntax trees of conditions. RawNode is what the parser reads; Node is the same tree after macros
// are inlined and list names replaced by their items, ready to compile.

export interface Span {
  start: number;
  end: number;
}

/** Maps an offset in a condition string to its place in the YAML file (1-based). */
export type OffsetMapper = (offset: number) => { line: number; column: number };

/** A place in a source file: the mapper of the text and an offset into it. */
export interface Loc {
  map: OffsetMapper;
  offset: number;
}

export type Op =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'intersects'
  | 'contains'
  | 'icontains'
  | 'startswith'
  | 'istartswith'
  | 'endswith'
  | 'iendswith'
  | 'glob'
  | 'regex'
  | 'in_cidr'
  | 'exists';

export const WORD_OPS: ReadonlySet<string> = new Set<Op>([
  'in',
  'intersects',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'glob',
  'regex',
  'in_cidr',
  'exists',
]);

export type Scalar = string | number | boolean;

export interface Literal {
  /** `word` is an unquoted token: a list name where one is expected, else a string, number or boolean. */
  kind: 'string' | 'word';
  value: Scalar;
  span: Span;
}

export type Rhs = { kind: 'single'; value: Literal } | { kind: 'list'; items: Literal[]; span: Span };

export type RawNode =
  | { kind: 'and' | 'or'; items: RawNode[]; span: Span }
  | { kind: 'not'; item: RawNode; span: Span }
  | { kind: 'ref'; name: string; span: Span }
  | { kind: 'cmp'; field: string; fieldSpan: Span; op: Op; rhs: Rhs | null; span: Span };

export interface CmpNode {
  kind: 'cmp';
  field: string;
  op: Op;
  values: Scalar[];
  /** Place of each value in the source, for errors about one value (a bad regex, a bad CIDR). */
  valueLocs: Loc[];
  /** Comparison as written, shown in traces. */
  text: string;
  loc: Loc;
  macro?: string;
  /** The right side was a parenthesized list or a list name (single-value operators refuse it). */
  listGiven?: boolean;
}

export type Node =
  | { kind: 'and' | 'or'; items: Node[] }
  | { kind: 'not'; item: Node }
  | { kind: 'const'; value: boolean }
  | CmpNode;

/** Errors found in a condition carry the place they point at. */
export class ConditionError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}
