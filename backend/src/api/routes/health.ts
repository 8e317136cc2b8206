import { Router } from 'express';
import type { CollectorStatus } from '../server.js';

export function healthRoutes(status: () => CollectorStatus): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    const s = status();
    res.status(s.status === 'stopping' ? 503 : 200).json(s);
  });
  return r;
}
