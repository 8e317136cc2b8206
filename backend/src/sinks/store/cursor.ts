/**
 * Pagination cursors are opaque to clients: base64url of the last row's (time, seq), so the next
 * page starts strictly after it even when many rows share one time.
 */
export interface CursorPos {
  time: string;
  seq: number;
}

export function encodeCursor(pos: CursorPos): string {
  return Buffer.from(JSON.stringify([pos.time, pos.seq])).toString('base64url');
}

export function decodeCursor(text: string): CursorPos | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1])) {
      return { time: v[0], seq: v[1] as number };
    }
  } catch {
    // fall through: not one of ours
  }
  return undefined;
}
