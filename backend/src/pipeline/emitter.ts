import type { Checkpoint, ShipEvent } from '../event/event.js';

/** What a source hands its events to. */
export interface Emitter {
  /** Takes one event; the checkpoint becomes durable with it. Never blocks. */
  emit(event: ShipEvent, checkpoint?: Checkpoint): void;
  /** Resolves once everything emitted so far is committed. */
  flush(): Promise<void>;
}
