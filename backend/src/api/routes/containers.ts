import { Router } from 'express';
import { z } from 'zod';
import { postureFindings } from '../../event/posture.js';
import type { Store } from '../../sinks/store/store.js';
import { parseQuery } from '../params.js';

/** Latest resource sample per container id, when a stats source runs. */
export type MetricsLookup = (containerId: string) => Record<string, number> | undefined;

export function containerRoutes(store: Store, metrics: MetricsLookup = () => undefined): Router {
  const r = Router();
  r.get('/containers', (req, res) => {
    parseQuery(z.object({}), req);
    const containers = store.inventory.list().map((c) => ({
      id: c.id,
      name: c.name,
      image: c.image,
      image_id: c.image_id,
      state: c.state,
      health: c.health,
      exit_code: c.exit_code,
      created_at: c.created_at,
      started_at: c.started_at,
      finished_at: c.finished_at,
      labels: c.labels,
      compose: { project: c.labels['com.docker.compose.project'] ?? null, service: c.labels['com.docker.compose.service'] ?? null },
      config: c.posture,
      posture: postureFindings(c.posture),
      metrics: metrics(c.id) ?? null,
    }));
    res.json({ containers });
  });
  return r;
}
