import type { Store } from '../../sinks/store/store.js';
import { LogPosition, type StoredPosition } from './position.js';

const PREFIX = 'docker.logs.';
const CONTAINER_KEY = /^docker\.logs\.([0-9a-f]{64})$/;

/** Store key of a container's log position. */
export function positionKey(containerId: string): string {
  return `${PREFIX}${containerId}`;
}

/** Store key of the engine time at which the collector last started reading this engine's logs. */
export function sessionKey(engineId: string): string {
  return `${PREFIX}session.${engineId}`;
}

/**
 * Container log positions in the store's `positions` table. Positions normally become durable
 * through `emitter.emit(event, checkpoint)`, in the transaction of the events they cover; this
 * writes directly only what has no event to ride with (a starting point, the "read to the end"
 * mark) and removes positions of removed containers.
 */
export class PositionTable {
  constructor(private readonly store: Store) {}

  get(containerId: string): StoredPosition | undefined {
    return LogPosition.parse(this.store.position(positionKey(containerId)));
  }

  save(containerId: string, p: StoredPosition): void {
    this.store.savePosition({ key: positionKey(containerId), value: LogPosition.stringify(p) });
  }

  delete(containerId: string): void {
    this.store.deletePosition(positionKey(containerId));
  }

  /** Ids of the containers that have a stored position. */
  containerIds(): string[] {
    const out: string[] = [];
    for (const key of this.store.positionKeys(PREFIX)) {
      const m = CONTAINER_KEY.exec(key);
      if (m) out.push(m[1]!);
    }
    return out;
  }
}
