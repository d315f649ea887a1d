import type { EmitOptions } from '../runtime/index.js';
import type { EventSink } from '../runtime/types.js';

/** Called with an error thrown while emitting a `stream.*` event (a sink failure or an emit-time validation error). */
export type StreamEmitErrorHandler = (error: unknown, eventType: string) => void;

/** The part of every streaming helper's options that says where its events go. */
export interface StreamEmitTarget {
  /** Deliver to this sink instead of the one resolved at emit time by `getEventSink()`. */
  readonly sink?: EventSink;
  /** Receives emit failures; by default they are ignored, so a failing sink never affects the queue or buffer. */
  readonly onEmitError?: StreamEmitErrorHandler;
}

/** Emits through a generated emitter and routes any throw to `onEmitError`, so emitting never disturbs the caller. */
export function safeEmit<D>(
  emitter: (data: D, options?: EmitOptions) => void,
  type: string,
  data: D,
  options: EmitOptions | undefined,
  onError: StreamEmitErrorHandler | undefined,
): void {
  try {
    emitter(data, options);
  } catch (error) {
    if (onError === undefined) return;
    try {
      onError(error, type);
    } catch {
      // an error hook that throws must not break the queue either
    }
  }
}
