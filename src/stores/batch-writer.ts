import type { EventEnvelope } from '../runtime/types.js';

/** One batch handed to a {@link BatchWriter}: the events, a unique id and which attempt this is (1 for the first). */
export interface WriteBatch {
  readonly events: readonly EventEnvelope[];
  /** Unique per batch and stable across retries, so that a writer can tell whether an earlier attempt committed. */
  readonly batchId: string;
  readonly attempt: number;
  /**
   * One idempotency key per event, stable across retries and written to the dead-letter file with the event: the
   * event's own `id` when it has one, else `<batchId>:<index>`. A writer that stores it under a unique constraint
   * (PostgreSQL does) makes a re-send of a stored event a no-op.
   */
  readonly eventIds: readonly string[];
}

/** One event of a batch that a writer refused while storing the others: its index in the batch and why. */
export interface RejectedEvent {
  readonly index: number;
  readonly error: unknown;
}

/** What a writer returns when it stored all of a batch but the events it lists (those are dead-lettered, never counted delivered). */
export interface BatchResult {
  readonly rejected: readonly RejectedEvent[];
}

/** The engine-specific half of a store sink: writes one batch atomically, or throws and leaves nothing behind. */
export interface BatchWriter {
  /** Names the engine in messages (`sqlite`, `postgres`, `redis`). */
  readonly name: string;
  /**
   * Writes the whole batch, or throws and leaves nothing behind, or stores every event but the ones it returns as
   * rejected (a payload the engine cannot hold); called with one batch at a time, never concurrently.
   */
  writeBatch(batch: WriteBatch): Promise<void | BatchResult>;
  /** Whether an error is worth retrying (a lost connection) rather than permanent (a payload the engine rejects, bad credentials). */
  isTransient?(error: unknown): boolean;
  /** Drops the current connection after a failure so that the next attempt reconnects. */
  reset?(): Promise<void>;
  /** Releases the connection; called once by the sink's `shutdown()`. */
  close?(): Promise<void>;
}
