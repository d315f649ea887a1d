import type { EventDescriptor, EventSink } from './types.js';
import { getEventSink } from './sink-registry.js';
import { checkOnEmit, onSinkFailure } from './validation-policy.js';

/** Per-call options of every generated emitter. */
export interface EmitOptions {
  /** Deliver to this sink instead of the resolved one ({@link getEventSink}). */
  readonly sink?: EventSink;
}

/**
 * The single path of every event: validate under the emit-time policy, then hand `{type, data}` to the sink's
 * synchronous `tryEmit`. Never awaits (an await per event is costly with AsyncLocalStorage on Node 20). Never throws
 * except under the `throw` policy: a throwing sink, dead-letter sink or logger and an unreadable payload are counted
 * ({@link getEmitStats}) and warned about instead.
 */
export function emitEvent(
  type: string,
  data: unknown,
  descriptor: EventDescriptor | undefined,
  options?: EmitOptions,
): void {
  if (!checkOnEmit(type, data, descriptor)) return;
  const sink = options?.sink ?? getEventSink();
  try {
    sink.tryEmit({ type, data });
  } catch (e) {
    // a user sink that throws must not break the pipeline: counted and warned about, rethrown only under `throw`
    onSinkFailure(type, descriptor, e);
  }
}
