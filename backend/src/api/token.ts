import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The API token when none is configured: generated once, kept beside the data (mode 0600), and
 * reported as new only on the start that created it.
 */
export function loadOrCreateToken(storeDir: string): { token: string; created: boolean; file: string } {
  const file = path.join(storeDir, 'api-token');
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true, file };
}
