import { createHash } from 'node:crypto';

/** Bytes of a file's start that identify it (with its inode) across restarts and copytruncate. */
export const HEAD_BYTES = 256;

/**
 * Where reading of one followed file resumes, stored as a checkpoint value (JSON) with the events
 * it covers. `extra` belongs to the reader of the lines (CRI logs keep per-stream state in it).
 */
export interface FilePosition {
  /** Inode, as a decimal string. */
  ino: string;
  /** Bytes consumed: reading resumes here. */
  offset: number;
  /** Fingerprint of the file's first head_len bytes (SHA-256, hex, first 32 digits). */
  head_len: number;
  head: string;
  extra?: Record<string, unknown>;
}

export function hashHead(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 32);
}

/** The stored text; undefined when there is none or it is not a position. */
export function parseFilePosition(text: string | undefined): FilePosition | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<FilePosition>;
    if (typeof v.ino !== 'string' || !/^\d+$/.test(v.ino)) return undefined;
    if (typeof v.offset !== 'number' || !Number.isSafeInteger(v.offset) || v.offset < 0) return undefined;
    if (typeof v.head_len !== 'number' || !Number.isInteger(v.head_len) || v.head_len < 0 || v.head_len > HEAD_BYTES) return undefined;
    if (typeof v.head !== 'string') return undefined;
    const p: FilePosition = { ino: v.ino, offset: v.offset, head_len: v.head_len, head: v.head };
    if (v.extra !== null && typeof v.extra === 'object' && !Array.isArray(v.extra)) p.extra = v.extra;
    return p;
  } catch {
    return undefined;
  }
}
