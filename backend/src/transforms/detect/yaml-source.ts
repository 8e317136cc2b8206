// Positions in rule files. The yaml package gives offsets per node; errors inside a condition
// string are mapped back through the scalar's quoting or block style to the right line and column.

import { LineCounter, parseDocument, Scalar, type Document, type Node as YNode } from 'yaml';
import type { Loc, OffsetMapper } from './ast.js';

export interface Pos {
  line: number;
  column: number;
}

export class SourceText {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    // Nodes are walked, never converted with toJS, so aliases are not expanded (no billion laughs);
    // an alias where a value is expected is reported as a wrong type.
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
  }

  pos(offset: number): Pos {
    const p = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line, column: p.col };
  }

  nodePos(node: YNode | null | undefined): Pos {
    const r = node?.range;
    return r ? this.pos(r[0]) : { line: 1, column: 1 };
  }

  /** A place that does not move with an offset (a YAML node rather than a spot inside a string). */
  nodeLoc(node: YNode | null | undefined): Loc {
    const p = this.nodePos(node);
    return { map: () => p, offset: 0 };
  }

  /** Maps offsets of a scalar's value to file positions, through quotes, escapes and folding. */
  scalarMapper(node: Scalar): OffsetMapper {
    const range = node.range;
    if (!range) return () => ({ line: 1, column: 1 });
    const [start, end] = range;
    const value = String(node.value);
    const raw = this.text.slice(start, end);
    if (node.type === Scalar.PLAIN && raw === value) return (o) => this.pos(start + o);
    let contentStart = start;
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) contentStart = start + 1;
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const nl = raw.indexOf('\n');
      contentStart = nl < 0 ? end : start + nl + 1;
    }
    const text = this.text;
    // Walk value and source side by side: each visible character of the value is the next equal
    // character of the source; whitespace (folding, indentation) and escape marks are skipped.
    return (offset) => {
      let j = contentStart;
      const last = Math.min(offset, value.length - 1);
      for (let i = 0; i <= last; i += 1) {
        const ch = value[i]!;
        if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') continue;
        let k = j;
        while (k < end && text[k] !== ch) k += 1;
        if (k >= end) return this.pos(start);
        if (i === offset) return this.pos(k);
        j = k + 1;
      }
      return this.pos(Math.min(j, end));
    };
  }
}
