// Macros put the same comparisons into many rules: `web_request` puts five into each of the nine
// web attack rules, and every access log line meets all nine. Within one event a comparison has
// one answer, so the rules of a set share a slot per distinct comparison that came from a macro:
// the first rule to evaluate it for an event stores the answer, the others read it back. The
// engine bumps the epoch once per event, which makes every stored answer stale at once.

import type { CmpNode } from './ast.js';

export interface MemoSlot {
  /** Epoch of the event the answer belongs to. */
  at: number;
  r: boolean;
}

export class LeafMemos {
  readonly epoch = { n: 0 };
  private readonly slots = new Map<string, MemoSlot>();

  /** The shared slot of a comparison, or undefined when it is not worth one (not from a macro). */
  slotFor(node: CmpNode): MemoSlot | undefined {
    if (node.macro === undefined) return undefined;
    const key = `${node.field}\u0000${node.op}\u0000${node.listGiven === true ? 1 : 0}\u0000${JSON.stringify(node.values)}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { at: -1, r: false };
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** A new event: the answers stored so far belong to the previous one. */
  nextEvent(): void {
    this.epoch.n += 1;
  }
}
