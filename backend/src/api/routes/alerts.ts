import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../sinks/store/store.js';
import { limitParam, parseQuery, timeParam } from '../params.js';

const severities = ['low', 'medium', 'high', 'critical'] as const;

const alertsQuery = z.object({
  since: timeParam.optional(),
  until: timeParam.optional(),
  min_level: z.coerce.number().int().min(0).max(15).optional(),
  severity: z.string().transform((v, ctx) => {
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.find((s) => !(severities as readonly string[]).includes(s));
    if (bad !== undefined || list.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of ${severities.join(', ')}` });
      return z.NEVER;
    }
    return list;
  }).optional(),
  rule_id: z.coerce.number().int().min(1).optional(),
  group: z.string().min(1).max(128).optional(),
  container: z.string().min(1).max(256).optional(),
  limit: limitParam(1000, 100),
  cursor: z.string().max(512).optional(),
});

export function alertRoutes(store: Store): Router {
  const r = Router();
  r.get('/alerts', (req, res) => {
    const q = parseQuery(alertsQuery, req);
    const page = store.alerts(q);
    res.json({ alerts: page.items, next_cursor: page.next_cursor });
  });
  r.get('/alerts/stats', (req, res) => {
    const q = parseQuery(z.object({ since: timeParam.optional() }), req);
    res.json(store.alertStats(q));
  });
  return r;
}
