import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Bearer-token check in constant time: both sides are hashed first so that neither the length nor
 * a common prefix of the expected token leaks through timing.
 */
export function bearerAuth(token: string) {
  const expected = createHash('sha256').update(token).digest();
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = createHash('sha256').update(m?.[1] ?? '').digest();
    if (!m || !timingSafeEqual(given, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="shipwatch"');
      res.status(401).json({ error: m ? 'invalid token' : 'missing bearer token: send Authorization: Bearer <api.token>' });
      return;
    }
    next();
  };
}
