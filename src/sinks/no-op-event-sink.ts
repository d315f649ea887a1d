import type { EventEnvelope, EventSink } from '../runtime/types.js';

/** Accepts every event and does nothing with it, like `NoOpEventSink` in the Python framework we follow; both methods ignore their argument. */
export class NoOpEventSink implements EventSink {
  emit(_event: EventEnvelope): Promise<void> {
    return Promise.resolve();
  }

  tryEmit(_event: EventEnvelope): void {}
}
