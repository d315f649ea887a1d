import type { EventDescriptor, EventSink } from './types.js';
import { getEventSink } from './sink-registry.js';
import { checkOnEmit } from './validation-policy.js';

/** Per-call options of every generated emitter. */
export interface EmitOptions {
  /** Deliver to this sink instead of the resolved one ({@link getEventSink}). */
  readonly sink?: EventSink;
}

/**
 * The single path of every event: validate under the emit-time policy, then hand `{type, data}` to the sink's
 * synchronous `tryEmit`. Never awaits (an await per event is costly with AsyncLocalStorage on Node 20).
 */
export function emitEvent(
  type: string,
  data: unknown,
  descriptor: EventDescriptor | undefined,
  options?: EmitOptions,
): void {
  if (!checkOnEmit(type, data, descriptor)) return;
  (options?.sink ?? getEventSink()).tryEmit({ type, data });
}
