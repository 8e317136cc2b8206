import { createHash } from 'node:crypto';

/**
 * Where the events stream resumes: the last event's timeNano, and the hashes of the events seen at
 * exactly that nanosecond, because `since` is inclusive and re-delivers them.
 */
export class EventPosition {
  constructor(
    public nanos: bigint | undefined,
    private seen: Set<string> = new Set(),
  ) {}

  static parse(text: string | undefined): EventPosition {
    if (!text) return new EventPosition(undefined);
    try {
      const v = JSON.parse(text) as { nanos?: string; seen?: string[] };
      if (typeof v.nanos === 'string' && /^\d+$/.test(v.nanos)) return new EventPosition(BigInt(v.nanos), new Set(v.seen ?? []));
    } catch {
      // an unreadable position is treated as none: reconciling covers the gap
    }
    return new EventPosition(undefined);
  }

  static hash(line: string): string {
    return createHash('sha1').update(line).digest('base64url').slice(0, 16);
  }

  /** True when this event was already taken (a re-delivery at the resume bound). */
  isDuplicate(nanos: bigint, hash: string): boolean {
    return this.nanos !== undefined && nanos === this.nanos && this.seen.has(hash);
  }

  /** Records an accepted event; positions only move forward. */
  advance(nanos: bigint, hash: string): void {
    if (this.nanos === undefined || nanos > this.nanos) {
      this.nanos = nanos;
      this.seen = new Set([hash]);
    } else if (nanos === this.nanos) {
      this.seen.add(hash);
    }
  }

  serialize(): string {
    return JSON.stringify({ nanos: this.nanos?.toString(), seen: [...this.seen] });
  }
}
