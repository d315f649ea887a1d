import type { EventEnvelope, EventSink } from '../runtime/types.js';
import { typeGlobMatcher } from './type-glob.js';

/** Keeps every event it receives, in order, for tests and debugging; `emit` and `tryEmit` behave the same. */
export class CollectingEventSink implements EventSink {
  private readonly _events: EventEnvelope[] = [];

  /** Every event received so far, oldest first. */
  get events(): readonly EventEnvelope[] {
    return this._events;
  }

  /** The type strings received so far, oldest first. */
  get types(): readonly string[] {
    return this._events.map((e) => e.type);
  }

  emit(event: EventEnvelope): Promise<void> {
    this._events.push(event);
    return Promise.resolve();
  }

  tryEmit(event: EventEnvelope): void {
    this._events.push(event);
  }

  /** Events whose type equals `type`, or matches it as a glob (`stage.*.completed`, `tool.*`). */
  ofType(type: string): EventEnvelope[] {
    const matches = typeGlobMatcher(type);
    return this._events.filter((e) => matches(e.type));
  }

  /** Forgets every event received so far. */
  clear(): void {
    this._events.length = 0;
  }
}
