import type { Alert, Checkpoint, ShipEvent } from '../event/event.js';

/**
 * What the pipeline hands to the store in one transaction: events, the alerts they raised, and the
 * source positions that become durable together with them (so a kill -9 never separates an event
 * from its position: it is either stored and past the position, or neither).
 */
export interface Batch {
  events: ShipEvent[];
  alerts: Alert[];
  checkpoints: Checkpoint[];
}

/** The JSON text of each event and alert of a batch, in the same order, as the store wrote it. */
export interface EncodedBatch {
  /** Each event's JSON, when the store made it (an event it keeps, or one an alert refers to). */
  events: Array<string | undefined>;
  alerts: string[];
}

/**
 * A forwarder that takes its share of a batch inside the store's transaction (for example the Loki
 * sink appending to its durable outbox). It must be synchronous; throwing rolls the batch back.
 * `encoded` spares it serializing every event a second time.
 */
export interface CommitHook {
  readonly name: string;
  onCommit(batch: Batch, encoded?: EncodedBatch): void;
}
