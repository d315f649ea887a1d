import type { EventEnvelope } from '../runtime/types.js';

/** One batch handed to a {@link BatchWriter}: the events, a unique id and which attempt this is (1 for the first). */
export interface WriteBatch {
  readonly events: readonly EventEnvelope[];
  /** Unique per batch and stable across retries, so that a writer can tell whether an earlier attempt committed. */
  readonly batchId: string;
  readonly attempt: number;
}

/** The engine-specific half of a store sink: writes one batch atomically, or throws and leaves nothing behind. */
export interface BatchWriter {
  /** Names the engine in messages (`sqlite`, `postgres`, `redis`). */
  readonly name: string;
  /** Writes the whole batch or nothing; called with one batch at a time, never concurrently. */
  writeBatch(batch: WriteBatch): Promise<void>;
  /** Whether an error is worth retrying (a lost connection) rather than permanent (a payload the engine rejects). */
  isTransient?(error: unknown): boolean;
  /** Drops the current connection after a failure so that the next attempt reconnects. */
  reset?(): Promise<void>;
  /** Releases the connection; called once by the sink's `shutdown()`. */
  close?(): Promise<void>;
}
