import type { EventEnvelope, EventSink } from '../runtime/types.js';

/** Accepts every event and does nothing with it, like the reference's `NoOpEventSink`; both methods ignore their argument. */
export class NoOpEventSink implements EventSink {
  emit(_event: EventEnvelope): Promise<void> {
    return Promise.resolve();
  }

  tryEmit(_event: EventEnvelope): void {}
}
