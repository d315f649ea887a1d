import type { EmitOptions } from '../runtime/index.js';
import {
  emitStreamChunkDropped,
  emitStreamProducerBlocked,
  emitStreamQueueClosed,
  emitStreamThrottleEnded,
  emitStreamThrottleStarted,
} from '../../generated/index.js';
import { ContractError } from '../errors.js';
import type { EventContext, EventContextSource, StreamEnrichment } from '../observability/event-context.js';
import { streamEnrichment } from '../observability/event-context.js';
import { BackpressureMonitor } from './backpressure-monitor.js';
import type { BackpressureStats } from './backpressure-monitor.js';
import { safeEmit } from './stream-emitter.js';
import type { StreamEmitErrorHandler, StreamEmitTarget } from './stream-emitter.js';

/** Options of {@link ChunkQueue}. */
export interface ChunkQueueOptions extends StreamEmitTarget {
  /** Capacity in items; default 100. */
  readonly maxSize?: number;
  /** Evict the oldest item when full instead of waiting for space; default false. */
  readonly dropOnOverflow?: boolean;
  /** Name carried as `channel` in every `stream.*` event of this queue (ours; the Python framework we follow has none). */
  readonly channel?: string;
  /**
   * Correlation keys added to every event (those the `stream.*` schemas declare: `pipeline_run_id`, `request_id`,
   * `execution_mode`, `topology`, `service`), and the stage: an {@link EventContext} or a pipeline `StageContext`.
   */
  readonly context?: EventContext | EventContextSource;
  /** How long a put waits for space before it rejects with code `put_timeout`, in milliseconds; default 30000. */
  readonly putTimeoutMs?: number;
  /** Throttle-on fill percentage; default 80. */
  readonly highWaterMark?: number;
  /** Throttle-off fill percentage; default 20. */
  readonly lowWaterMark?: number;
}

interface PendingPut<T> {
  readonly item: T;
  readonly startedAt: number;
  readonly resolve: (accepted: boolean) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Milliseconds a put must wait before it counts as blocked (the threshold of the Python framework we follow). */
const BLOCKED_THRESHOLD_MS = 1;

/**
 * A bounded async FIFO of stream chunks that reports backpressure as `stream.*` events: drop-oldest on overflow when
 * asked, otherwise a put waits for space, but never longer than `putTimeoutMs` (in the Python framework we follow a
 * put can block forever). Items must not be `undefined`, which {@link get} uses for "closed and empty".
 */
export class ChunkQueue<T> implements AsyncIterable<T> {
  /** Capacity in items. */
  readonly maxSize: number;
  /** Whether a full queue evicts its oldest item instead of making the producer wait. */
  readonly dropOnOverflow: boolean;
  /** The channel name carried in this queue's events, if any. */
  readonly channel: string | undefined;
  /** How long a put waits for space, in milliseconds. */
  readonly putTimeoutMs: number;
  private readonly _monitor: BackpressureMonitor;
  private readonly _items: T[] = [];
  private readonly _getters: Array<(item: T | undefined) => void> = [];
  private readonly _putters: Array<PendingPut<T>> = [];
  private readonly _enrichment: Readonly<StreamEnrichment>;
  private readonly _emitOptions: EmitOptions | undefined;
  private readonly _onEmitError: StreamEmitErrorHandler | undefined;
  private _closed = false;

  constructor(options: ChunkQueueOptions = {}) {
    this.maxSize = options.maxSize ?? 100;
    this.dropOnOverflow = options.dropOnOverflow ?? false;
    this.channel = options.channel;
    this.putTimeoutMs = options.putTimeoutMs ?? 30_000;
    if (!Number.isInteger(this.maxSize) || this.maxSize < 1) {
      throw new ContractError(
        'invalid_option',
        `ChunkQueue: maxSize must be a positive integer, got ${String(options.maxSize)}`,
      );
    }
    if (!Number.isFinite(this.putTimeoutMs) || this.putTimeoutMs <= 0) {
      throw new ContractError(
        'invalid_option',
        `ChunkQueue: putTimeoutMs must be a positive finite number of milliseconds, got ${String(options.putTimeoutMs)}`,
      );
    }
    const monitorOptions: { highWaterMark?: number; lowWaterMark?: number } = {};
    if (options.highWaterMark !== undefined) monitorOptions.highWaterMark = options.highWaterMark;
    if (options.lowWaterMark !== undefined) monitorOptions.lowWaterMark = options.lowWaterMark;
    this._monitor = new BackpressureMonitor(monitorOptions);
    this._enrichment = streamEnrichment(options.context, options.channel);
    this._emitOptions = options.sink === undefined ? undefined : { sink: options.sink };
    this._onEmitError = options.onEmitError;
  }

  /** Items currently queued. */
  get size(): number {
    return this._items.length;
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this._closed;
  }

  /** Fill percentage after the last put, 0-100. */
  get fillPercentage(): number {
    return this._monitor.fillPercentage;
  }

  /** Whether the queue is throttling (between a `stream.throttle_started` and the next `stream.throttle_ended`). */
  get isThrottling(): boolean {
    return this._monitor.isThrottling;
  }

  /** The lifetime backpressure counters, spelt as in the Python framework we follow (`BackpressureStats.to_dict`). */
  stats(): BackpressureStats {
    return this._monitor.stats();
  }

  /**
   * Enqueues `item`: resolves true once it is queued, false if the queue is (or gets) closed; on a full queue it evicts
   * the oldest item (drop mode) or waits for space, rejecting with a `ContractError` of code `put_timeout` after
   * `putTimeoutMs`, which also emits `stream.producer_blocked`.
   */
  put(item: T): Promise<boolean> {
    if (this._closed) return Promise.resolve(false);
    if (this._items.length < this.maxSize) {
      this._enqueue(item);
      return Promise.resolve(true);
    }
    if (this.dropOnOverflow) {
      this._evictOldest();
      this._enqueue(item);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve, reject) => {
      const pending: PendingPut<T> = { item, startedAt: performance.now(), resolve, timer: undefined };
      pending.timer = setTimeout(() => {
        const index = this._putters.indexOf(pending);
        if (index >= 0) this._putters.splice(index, 1);
        const waitedMs = performance.now() - pending.startedAt;
        this._monitor.recordBlocked(waitedMs);
        safeEmit(
          emitStreamProducerBlocked,
          'stream.producer_blocked',
          { ...this._enrichment, blocked_ms: waitedMs, queue_size: this._items.length },
          this._emitOptions,
          this._onEmitError,
        );
        const name = this.channel === undefined ? 'ChunkQueue' : `ChunkQueue '${this.channel}'`;
        reject(
          new ContractError(
            'put_timeout',
            `${name}: put timed out after ${this.putTimeoutMs} ms waiting for space (maxSize=${this.maxSize})`,
          ),
        );
      }, this.putTimeoutMs);
      this._putters.push(pending);
    });
  }

  /**
   * Enqueues without waiting: returns false on a closed queue, and on a full queue outside drop mode counts a drop and
   * emits `stream.chunk_dropped` with reason `queue_full` (a reason the Python framework we follow declares but never
   * reaches).
   */
  tryPut(item: T): boolean {
    if (this._closed) return false;
    if (this._items.length >= this.maxSize) {
      if (!this.dropOnOverflow) {
        this._monitor.recordDrop();
        safeEmit(
          emitStreamChunkDropped,
          'stream.chunk_dropped',
          { ...this._enrichment, queue_size: this._items.length, max_size: this.maxSize, reason: 'queue_full' },
          this._emitOptions,
          this._onEmitError,
        );
        return false;
      }
      this._evictOldest();
    }
    this._enqueue(item);
    return true;
  }

  /** The oldest item, waiting for one if the queue is empty; `undefined` once the queue is closed and drained. */
  get(): Promise<T | undefined> {
    if (this._items.length > 0) {
      const item = this._items.shift() as T;
      this._pump();
      return Promise.resolve(item);
    }
    if (this._closed) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      this._getters.push(resolve);
    });
  }

  /**
   * Closes the queue (idempotent): emits `stream.queue_closed` with the lifetime counters, resolves waiting puts with
   * false, and lets consumers drain what is queued before {@link get} returns `undefined`.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const s = this._monitor.stats();
    safeEmit(
      emitStreamQueueClosed,
      'stream.queue_closed',
      {
        ...this._enrichment,
        total_items: s.total_items,
        dropped_items: s.dropped_items,
        blocked_puts: s.blocked_puts,
        max_queue_size: s.max_queue_size,
        total_blocked_ms: s.total_blocked_ms,
      },
      this._emitOptions,
      this._onEmitError,
    );
    for (const pending of this._putters.splice(0)) {
      clearTimeout(pending.timer);
      pending.resolve(false);
    }
    this._pump();
  }

  /** Yields items in order until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = await this.get();
      if (item === undefined) return;
      yield item;
    }
  }

  private _evictOldest(): void {
    this._items.shift();
    this._monitor.recordDrop();
    safeEmit(
      emitStreamChunkDropped,
      'stream.chunk_dropped',
      { ...this._enrichment, queue_size: this._items.length, max_size: this.maxSize, reason: 'overflow' },
      this._emitOptions,
      this._onEmitError,
    );
  }

  private _enqueue(item: T): void {
    this._items.push(item);
    this._recordPut();
    this._pump();
  }

  private _recordPut(): void {
    const transition = this._monitor.recordPut(this._items.length, this.maxSize);
    if (transition === 'started') {
      safeEmit(
        emitStreamThrottleStarted,
        'stream.throttle_started',
        { ...this._enrichment, fill_percentage: this._monitor.fillPercentage, queue_size: this._items.length },
        this._emitOptions,
        this._onEmitError,
      );
    } else if (transition === 'ended') {
      safeEmit(
        emitStreamThrottleEnded,
        'stream.throttle_ended',
        { ...this._enrichment, fill_percentage: this._monitor.fillPercentage, queue_size: this._items.length },
        this._emitOptions,
        this._onEmitError,
      );
    }
  }

  // hands items to waiting consumers and admits waiting producers until neither can progress
  private _pump(): void {
    for (;;) {
      const getter = this._items.length > 0 ? this._getters.shift() : undefined;
      if (getter !== undefined) {
        getter(this._items.shift());
        continue;
      }
      const pending = this._items.length < this.maxSize ? this._putters.shift() : undefined;
      if (pending === undefined) break;
      clearTimeout(pending.timer);
      this._items.push(pending.item);
      const waitedMs = performance.now() - pending.startedAt;
      if (waitedMs > BLOCKED_THRESHOLD_MS) {
        this._monitor.recordBlocked(waitedMs);
        safeEmit(
          emitStreamProducerBlocked,
          'stream.producer_blocked',
          { ...this._enrichment, blocked_ms: waitedMs, queue_size: this._items.length },
          this._emitOptions,
          this._onEmitError,
        );
      }
      this._recordPut();
      pending.resolve(true);
    }
    if (this._closed && this._items.length === 0) {
      for (const getter of this._getters.splice(0)) getter(undefined);
    }
  }
}
