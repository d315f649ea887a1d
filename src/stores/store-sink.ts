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
  /** Events lost: refused by the full queue, discarded by a timed-out drain, or neither stored nor dead-lettered. */
  readonly dropped: number;
  /** Events queued or in flight. */
  readonly pending: number;
}

/** Options every store factory shares: the backpressure queue in front and how long shutdown may drain it. */
export interface StoreQueueOptions {
  /** Bound of the in-memory queue in front of the store. Default 10000 events. */
  readonly maxQueueSize?: number;
  /** How long `shutdown()` drains the queue before discarding (and counting) the rest, in ms. Default 30000. */
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
      dropped: q.dropped + q.discarded + q.failed + s.dropped,
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

  /** Drains the queue (within `drainTimeoutMs`), flushes the store and closes its connection; calling it twice is harmless. */
  shutdown(): Promise<void> {
    this._shutdown ??= (async () => {
      await this._front.stop({ drain: true, timeoutMs: this._drainTimeoutMs });
      await this.store.shutdown();
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
