import { pino } from 'pino';
import type { EventEnvelope, EventSink } from '../runtime/types.js';

/** A level a {@link LoggingEventSink} can log at (pino's names). */
export type EventLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Anything with pino-like level methods `(obj, msg)`; pino, bunyan-style and small test doubles all fit. */
export type EventLogger = { [L in EventLogLevel]?: (obj: object, msg: string) => void } & {
  child?(bindings: Record<string, unknown>): EventLogger;
};

/** Options of {@link LoggingEventSink}. */
export interface LoggingEventSinkOptions {
  /** The level every event is logged at. Default `'info'`. */
  readonly level?: EventLogLevel;
  /** The user's own logger; a pino-like `child({ name: 'stageflow.events' })` is taken when it offers one. Default: a pino logger named `stageflow.events` on stdout. */
  readonly logger?: EventLogger;
  /** Called when the logger throws; the sink itself never throws. */
  readonly onError?: (error: unknown, event: EventEnvelope) => void;
}

/** The logger name every {@link LoggingEventSink} logs under, as in the Python framework we follow. */
export const EVENT_LOGGER_NAME = 'stageflow.events';

/**
 * Logs each event synchronously as one structured record: message `Event: <type>`, fields `event_type` and
 * `event_data`, at the configured level; `emit` and `tryEmit` behave the same.
 */
export class LoggingEventSink implements EventSink {
  /** The level events are logged at. */
  readonly level: EventLogLevel;
  private readonly _log: (obj: object, msg: string) => void;
  private readonly _onError: ((error: unknown, event: EventEnvelope) => void) | undefined;

  constructor(options: LoggingEventSinkOptions = {}) {
    this.level = options.level ?? 'info';
    const base: EventLogger =
      options.logger ?? (pino({ name: EVENT_LOGGER_NAME, level: this.level }) as unknown as EventLogger);
    const logger = options.logger?.child !== undefined ? options.logger.child({ name: EVENT_LOGGER_NAME }) : base;
    const method = logger[this.level];
    if (method === undefined) throw new TypeError(`LoggingEventSink: the logger has no '${this.level}' method`);
    this._log = method.bind(logger);
    this._onError = options.onError;
  }

  emit(event: EventEnvelope): Promise<void> {
    this.tryEmit(event);
    return Promise.resolve();
  }

  tryEmit(event: EventEnvelope): void {
    try {
      this._log({ event_type: event.type, event_data: event.data }, `Event: ${event.type}`);
    } catch (e) {
      try {
        this._onError?.(e, event);
      } catch {
        // an error hook that throws must not reach the emitter either
      }
    }
  }
}
