import fs from 'node:fs';

/** The collector's version, from backend/package.json (one level above both src/ and dist/). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
