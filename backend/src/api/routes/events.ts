import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../sinks/store/store.js';
import { limitParam, parseQuery, timeParam } from '../params.js';

const eventsQuery = z.object({
  source: z.enum(['docker', 'kubernetes', 'k8s_audit', 'log', 'metric', 'collector']).optional(),
  container: z.string().min(1).max(256).optional(),
  since: timeParam.optional(),
  until: timeParam.optional(),
  q: z.string().min(1).max(1024).optional(),
  limit: limitParam(1000, 100),
  cursor: z.string().max(512).optional(),
});

export function eventRoutes(store: Store): Router {
  const r = Router();
  r.get('/events', (req, res) => {
    const q = parseQuery(eventsQuery, req);
    const page = store.events(q);
    res.json({ events: page.items, next_cursor: page.next_cursor });
  });
  return r;
}
