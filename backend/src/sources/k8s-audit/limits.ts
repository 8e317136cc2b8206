/**
 * Events-per-second token bucket. `take(n)` either takes n tokens or none. A bucket of rate 0 never
 * limits. Time comes from `now` (milliseconds) so tests can drive it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly capacity: number = rate * 2,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  get unlimited(): boolean {
    return this.rate <= 0;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.rate) / 1000);
    }
    this.last = t;
  }

  /** Takes n tokens when there are that many; otherwise takes nothing and says how long to wait (seconds, at least 1). */
  take(n: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.unlimited || n <= 0) return { ok: true };
    this.refill();
    if (this.tokens >= n) {
      this.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((n - this.tokens) / this.rate)) };
  }

  available(): number {
    if (this.unlimited) return Number.POSITIVE_INFINITY;
    this.refill();
    return this.tokens;
  }
}

const STAGE_BITS: Record<string, number> = { RequestReceived: 1, ResponseStarted: 2, ResponseComplete: 4, Panic: 8, '': 16 };
const OTHER_STAGE = 32;
const SLOT = 64;

function stageBit(stage: string): number {
  return STAGE_BITS[stage] ?? OTHER_STAGE;
}

/**
 * The audit events seen last, by auditID and stage: at most `max` auditIDs, the oldest first out
 * (FIFO by first sight). A ring of auditIDs plus a Map from auditID to its ring slot and a bit per
 * stage, so that an eviction is one Map delete: a Map used as an LRU queue (delete the first key
 * of its iteration order) costs time proportional to the deleted entries V8 keeps until the next
 * rehash, over 10 µs per event at 100k keys. `max` 0 remembers nothing.
 */
export class RecentAuditKeys {
  private readonly ring: (string | undefined)[];
  /** auditID → slot * 64 + stage bits. */
  private readonly map = new Map<string, number>();
  private pos = 0;
  evictions = 0;

  constructor(readonly max: number) {
    this.ring = new Array<string | undefined>(Math.max(0, max));
  }

  /** auditIDs remembered. */
  get size(): number {
    return this.map.size;
  }

  has(auditID: string, stage: string): boolean {
    const v = this.map.get(auditID);
    return v !== undefined && ((v % SLOT) & stageBit(stage)) !== 0;
  }

  /** Remembers the pair; returns how many auditIDs were evicted for it (0 or 1). */
  add(auditID: string, stage: string): number {
    if (this.max <= 0) return 0;
    const bit = stageBit(stage);
    const v = this.map.get(auditID);
    if (v !== undefined) {
      this.map.set(auditID, v - (v % SLOT) + ((v % SLOT) | bit));
      return 0;
    }
    let evicted = 0;
    const old = this.ring[this.pos];
    if (old !== undefined) {
      const ov = this.map.get(old);
      // Only when that auditID still lives in this slot (not forgotten and added again since).
      if (ov !== undefined && Math.floor(ov / SLOT) === this.pos) {
        this.map.delete(old);
        this.evictions += 1;
        evicted = 1;
      }
    }
    this.ring[this.pos] = auditID;
    this.map.set(auditID, this.pos * SLOT + bit);
    this.pos = (this.pos + 1) % this.max;
    return evicted;
  }

  /** Forgets the pair (a batch that was not committed in time). */
  delete(auditID: string, stage: string): void {
    const v = this.map.get(auditID);
    if (v === undefined) return;
    const bits = (v % SLOT) & ~stageBit(stage);
    if (bits === 0) this.map.delete(auditID);
    else this.map.set(auditID, v - (v % SLOT) + bits);
  }
}
