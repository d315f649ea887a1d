import type { EventEnvelope, EventSink } from './types.js';

/**
 * The error handling of a sink that routes each event to handlers: generated `TypedEventSinkBase` extends it with
 * `dispatch` = the generated `dispatchEvent`. `emit` rejects with what a handler threw or rejected with; `tryEmit`
 * never throws, and hands a handler's failure (sync or async) to {@link DispatchingSinkBase.onHandlerError}.
 */
export abstract class DispatchingSinkBase implements EventSink {
  /** Routes `event` to its handler; returns the handler's promise when it is async. */
  protected abstract dispatch(event: EventEnvelope): void | Promise<void>;

  emit(event: EventEnvelope): Promise<void> {
    try {
      return Promise.resolve(this.dispatch(event)).then(() => undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  tryEmit(event: EventEnvelope): void {
    try {
      const pending = this.dispatch(event);
      if (pending !== undefined) pending.catch((error: unknown) => this.onHandlerError(error, event));
    } catch (error) {
      this.onHandlerError(error, event);
    }
  }

  /** Called when a handler throws or rejects inside `tryEmit`; the default ignores it. Override to count or log. */
  protected onHandlerError(_error: unknown, _event: EventEnvelope): void {}
}
