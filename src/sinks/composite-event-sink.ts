import type { EventEnvelope, EventSink } from '../runtime/types.js';

/** Options of {@link CompositeEventSink}. */
export interface CompositeEventSinkOptions {
  /** Called with each failure of one member sink, which is then skipped for that event only. */
  readonly onError?: (error: unknown, event: EventEnvelope | undefined, sink: EventSink) => void;
}

/** Fans every event out to several sinks in order; a member that throws or rejects never starves the others. */
export class CompositeEventSink implements EventSink {
  /** The member sinks, in delivery order. */
  readonly sinks: readonly EventSink[];
  private readonly _onError: CompositeEventSinkOptions['onError'];

  constructor(sinks: readonly EventSink[], options: CompositeEventSinkOptions = {}) {
    this.sinks = [...sinks];
    this._onError = options.onError;
  }

  tryEmit(event: EventEnvelope): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i] as EventSink;
      try {
        sink.tryEmit(event);
      } catch (e) {
        this._report(e, event, sink);
      }
    }
  }

  async emit(event: EventEnvelope): Promise<void> {
    await this._all(event, (s) => s.emit(event));
  }

  async flush(): Promise<void> {
    await this._all(undefined, (s) => s.flush?.());
  }

  async shutdown(): Promise<void> {
    await this._all(undefined, (s) => s.shutdown?.());
  }

  private async _all(
    event: EventEnvelope | undefined,
    call: (sink: EventSink) => Promise<void> | undefined,
  ): Promise<void> {
    await Promise.all(
      this.sinks.map(async (sink) => {
        try {
          await call(sink);
        } catch (e) {
          this._report(e, event, sink);
        }
      }),
    );
  }

  private _report(error: unknown, event: EventEnvelope | undefined, sink: EventSink): void {
    try {
      this._onError?.(error, event, sink);
    } catch {
      // an error hook that throws must not reach the emitter either
    }
  }
}
