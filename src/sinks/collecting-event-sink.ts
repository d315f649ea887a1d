import type { EventEnvelope } from '../runtime/types.js';
import type { EventSink } from './event-sink.js';

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
    if (!type.includes('*')) return this._events.filter((e) => e.type === type);
    const re = new RegExp(`^${type.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
    return this._events.filter((e) => re.test(e.type));
  }

  /** Forgets every event received so far. */
  clear(): void {
    this._events.length = 0;
  }
}
