import type { EventEnvelope } from '../runtime/types.js';

/**
 * The one shape every sink has. `emit` may wait (for room, for I/O); `tryEmit` is synchronous,
 * fire-and-forget and never throws.
 */
export interface EventSink {
  emit(event: EventEnvelope): Promise<void>;
  tryEmit(event: EventEnvelope): void;
  /** Optional: deliver what is buffered. */
  flush?(): Promise<void>;
  /** Optional: flush, then release resources; calling it twice is harmless. */
  shutdown?(): Promise<void>;
}
