import type { ContainerFields, ShipEvent } from '../../event/event.js';
import type { DB } from './db.js';

/** A container as the store knows it: the last state its events (or a reconcile) left it in. */
export interface InventoryContainer {
  id: string;
  name: string | null;
  image: string | null;
  image_id: string | null;
  state: string;
  health: string | null;
  exit_code: number | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  labels: Record<string, string>;
  posture: Partial<ContainerFields>;
  updated_time: string;
}

// Which state each container action leaves behind; actions not listed keep the state.
const STATE_AFTER: Record<string, string> = {
  create: 'created',
  start: 'running',
  restart: 'running',
  unpause: 'running',
  pause: 'paused',
  die: 'exited',
  stop: 'exited',
  destroy: 'removed',
};

/** Container actions that change the inventory; others are not written. */
const INVENTORY_ACTIONS = new Set([...Object.keys(STATE_AFTER), 'rename', 'health_status', 'update']);

const POSTURE_KEYS = ['privileged', 'cap_add', 'mounts', 'network_mode', 'pid_mode', 'ipc_mode', 'user', 'read_only_rootfs'] as const;

/**
 * Derives the container inventory from container events inside the store's transaction, so the
 * inventory that reconciling compares against is never ahead of or behind the stored events.
 */
export class Inventory {
  // The table is the durable copy; this map answers reads without a query per event.
  private readonly byId = new Map<string, InventoryContainer>();
  private readonly upsertStmt;
  private readonly deleteStmt;

  constructor(private readonly db: DB) {
    this.upsertStmt = db.prepare(`INSERT INTO containers (id, name, image, image_id, state, health, exit_code, created_at, started_at, finished_at, labels, posture, updated_time)
      VALUES (@id, @name, @image, @image_id, @state, @health, @exit_code, @created_at, @started_at, @finished_at, @labels, @posture, @updated_time)
      ON CONFLICT(id) DO UPDATE SET name=excluded.name, image=excluded.image, image_id=excluded.image_id, state=excluded.state, health=excluded.health,
        exit_code=excluded.exit_code, created_at=excluded.created_at, started_at=excluded.started_at, finished_at=excluded.finished_at,
        labels=excluded.labels, posture=excluded.posture, updated_time=excluded.updated_time`);
    this.deleteStmt = db.prepare('DELETE FROM containers WHERE id = ?');
    this.reload();
  }

  /** Re-reads the table, after a rolled-back transaction left the map ahead of it. */
  reload(): void {
    this.byId.clear();
    for (const row of this.db.prepare('SELECT * FROM containers').all() as Record<string, unknown>[]) {
      const c = fromRow(row);
      this.byId.set(c.id, c);
    }
  }

  get(id: string): InventoryContainer | undefined {
    const c = this.byId.get(id);
    return c ? { ...c } : undefined;
  }

  /** Every known container that has not been removed, by name. */
  list(): InventoryContainer[] {
    return [...this.byId.values()].map((c) => ({ ...c })).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  }

  count(): number {
    return this.byId.size;
  }

  /**
   * Applies a container event. Only events that change what the inventory holds are written;
   * execs, copies and the like leave it as it is. Must run inside the store's transaction, and a
   * rolled-back transaction must be followed by `reload` (the store does).
   */
  apply(ev: ShipEvent): void {
    const docker = ev.docker as { type?: string; health_status?: string } | undefined;
    const c = ev.container as ContainerFields | undefined;
    const action = ev.event.action;
    if (docker?.type !== 'container' || !c?.id || !INVENTORY_ACTIONS.has(action)) return;
    const prev = this.byId.get(c.id);
    // A late or replayed event must not roll the state back.
    if (prev && ev.event.time < prev.updated_time) return;
    if (action === 'destroy') {
      this.deleteStmt.run(c.id);
      this.byId.delete(c.id);
      return;
    }
    const next: InventoryContainer = prev ? { ...prev } : {
      id: c.id, name: null, image: null, image_id: null, state: 'created', health: null, exit_code: null,
      created_at: null, started_at: null, finished_at: null, labels: {}, posture: {}, updated_time: ev.event.time,
    };
    next.name = c.name ?? next.name;
    next.image = c.image ?? next.image;
    next.image_id = c.image_id ?? next.image_id;
    if (c.labels && Object.keys(c.labels).length > 0) next.labels = c.labels;
    const posture: Partial<ContainerFields> = { ...next.posture };
    for (const k of POSTURE_KEYS) if (c[k] !== undefined) (posture as Record<string, unknown>)[k] = c[k];
    next.posture = posture;
    next.state = STATE_AFTER[action] ?? next.state;
    if (action === 'create') next.created_at = ev.event.time;
    if (action === 'start' || action === 'restart') next.started_at = ev.event.time;
    if (action === 'die') {
      next.finished_at = ev.event.time;
      next.exit_code = typeof c.exit_code === 'number' ? c.exit_code : next.exit_code;
    }
    if (action === 'health_status' && docker.health_status) next.health = docker.health_status;
    next.updated_time = ev.event.time;
    this.write(next);
  }

  /** Seeds rows without events (first start): the inventory of what already runs. */
  seed(rows: InventoryContainer[]): void {
    for (const r of rows) this.write(r);
  }

  private write(c: InventoryContainer): void {
    this.upsertStmt.run({ ...c, labels: JSON.stringify(c.labels), posture: JSON.stringify(c.posture) });
    this.byId.set(c.id, c);
  }
}

function fromRow(row: Record<string, unknown>): InventoryContainer {
  return {
    ...(row as unknown as InventoryContainer),
    labels: JSON.parse(String(row.labels)) as Record<string, string>,
    posture: JSON.parse(String(row.posture)) as Partial<ContainerFields>,
  };
}
