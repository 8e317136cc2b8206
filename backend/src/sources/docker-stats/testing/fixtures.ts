import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerStats } from '../compute.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

/**
 * Host memory of the machine the v1 fixtures were recorded on (dockerd 20.10.24, cgroup v1,
 * cgroupfs driver, 2 CPUs): the engine reports it as the limit of a container without one.
 */
export const HOST_MEMORY = 25_276_026_880;

/**
 * Recorded stats documents: `v1-*` are real answers of `GET /containers/{id}/stats` on a cgroup v1
 * host; `v2-docs-shape.jsonl` is written from the Engine API documentation's cgroup v2 shape.
 */
export function fixture(name: string): DockerStats[] {
  const text = fs.readFileSync(path.join(DIR, name), 'utf8');
  return name.endsWith('.json') ? [JSON.parse(text) as DockerStats] : text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DockerStats);
}
