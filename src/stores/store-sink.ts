import type { EventEnvelope, EventSink } from '../runtime/types.js';
import {
  BackpressureAwareEventSink,
  type BackpressureAwareEventSinkOptions,
} from '../sinks/backpressure-aware-event-sink.js';
import { PostgresEventSink, type PostgresEventSinkOptions } from './postgres-event-sink.js';
import { RedisStreamEventSink, type RedisStreamEventSinkOptions } from './redis-stream-event-sink.js';
import type { ResilientSink } from './resilient-sink.js';
import { SqliteEventSink, type SqliteEventSinkOptions } from './sqlite-event-sink.js';

/** Counters of a {@link StoreSink}; once it is shut down, `emitted = delivered + deadLettered + dropped`. */
export interface StoreSinkMetrics {
  /** Events offered to the sink. */
  readonly emitted: number;
  /** Events the store acknowledged. */
  readonly delivered: number;
  /** Event deliveries re-attempted after a store failure. */
  readonly retried: number;
  /** Events written to the dead-letter file. */
  readonly deadLettered: number;
  /** Events lost: refused by the full queue or after shutdown, or neither stored nor dead-lettered (no dead-letter file, or it could not be written). */
  readonly dropped: number;
  /** Events queued or in flight. */
  readonly pending: number;
}

/** Options every store factory shares: the backpressure queue in front and how long shutdown may drain it. */
export interface StoreQueueOptions {
  /** Bound of the in-memory queue in front of the store. Default 10000 events. */
  readonly maxQueueSize?: number;
  /**
   * How long `shutdown()` may take, in ms: the queue is drained and the store retries within it; then the attempt in
   * flight is abandoned and everything left is dead-lettered (dropped and counted without a dead-letter file). Default 30000.
   */
  readonly drainTimeoutMs?: number;
  /** Called with queue drops and hook failures (store failures go to the store options' `onError`). */
  readonly onQueueError?: BackpressureAwareEventSinkOptions['onError'];
}

/** A production store behind a {@link BackpressureAwareEventSink}: `tryEmit` never waits, the store batches, retries and dead-letters, and the metrics account for every event. */
export class StoreSink implements EventSink {
  /** The store half, for its own counters. */
  readonly store: ResilientSink;
  private readonly _front: BackpressureAwareEventSink;
  private readonly _drainTimeoutMs: number;
  private _shutdown: Promise<void> | undefined;
  // events the queue discarded on a drain timeout and handed to the store's dead-letter path instead
  private _rescued = 0;

  constructor(store: ResilientSink, options: StoreQueueOptions = {}) {
    this.store = store;
    this._drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this._front = new BackpressureAwareEventSink({
      downstream: store,
      maxQueueSize: options.maxQueueSize ?? 10_000,
      ...(options.onQueueError ? { onError: options.onQueueError } : {}),
    });
  }

  /** A snapshot of the counters of the queue and the store together. */
  get metrics(): StoreSinkMetrics {
    const q = this._front.metrics;
    const s = this.store.metrics;
    return {
      emitted: q.offered,
      delivered: s.delivered,
      retried: s.retried,
      deadLettered: s.deadLettered,
      dropped: q.dropped + q.discarded - this._rescued + q.failed + s.dropped,
      pending: q.offered - q.dropped - q.discarded - q.failed - q.delivered + s.pending,
    };
  }

  /** Queues the event, waiting for room while the queue is full. */
  emit(event: EventEnvelope): Promise<void> {
    return this._front.emit(event);
  }

  /** Queues the event without waiting; returns false (and counts a drop) when the queue is full. */
  tryEmit(event: EventEnvelope): boolean {
    return this._front.tryEmit(event);
  }

  /** Resolves when everything offered so far is stored, dead-lettered or dropped. */
  async flush(): Promise<void> {
    await this._front.flush();
    await this.store.flush();
  }

  /**
   * Refuses new events, drains the queue and flushes the store within `drainTimeoutMs`, dead-letters whatever is left
   * then, and closes the connection; calling it twice is harmless.
   */
  shutdown(): Promise<void> {
    this._shutdown ??= (async () => {
      const timeoutMs = this._drainTimeoutMs;
      const timer = setTimeout(() => this.store.expire(`shutdown: drainTimeoutMs (${timeoutMs} ms) passed`), timeoutMs);
      try {
        await this._front.shutdown({
          drain: true,
          timeoutMs,
          onDiscard: (events) => {
            // the store is expired by now: what it is handed goes straight to its dead-letter file
            this._rescued += events.length;
            for (const e of events) this.store.tryEmit(e);
          },
        });
        await this.store.shutdown();
      } finally {
        clearTimeout(timer);
      }
    })();
    return this._shutdown;
  }
}

/** Options of {@link createSqliteSink}. */
export type CreateSqliteSinkOptions = SqliteEventSinkOptions & StoreQueueOptions;
/** Options of {@link createPostgresSink}. */
export type CreatePostgresSinkOptions = PostgresEventSinkOptions & StoreQueueOptions;
/** Options of {@link createRedisStreamSink}. */
export type CreateRedisStreamSinkOptions = RedisStreamEventSinkOptions & StoreQueueOptions;

/** A SQLite store file behind a backpressure queue, ready for `setEventSink`. */
export function createSqliteSink(options: CreateSqliteSinkOptions): StoreSink {
  return new StoreSink(new SqliteEventSink(options), options);
}

/** A PostgreSQL store behind a backpressure queue, ready for `setEventSink`. */
export function createPostgresSink(options: CreatePostgresSinkOptions): StoreSink {
  return new StoreSink(new PostgresEventSink(options), options);
}

/** A Redis stream behind a backpressure queue, ready for `setEventSink`. */
export function createRedisStreamSink(options: CreateRedisStreamSinkOptions): StoreSink {
  return new StoreSink(new RedisStreamEventSink(options), options);
}
