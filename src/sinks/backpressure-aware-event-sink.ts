import type { EventEnvelope, EventSink } from '../runtime/types.js';
import { nowIso } from '../runtime/timestamp.js';
import { LoggingEventSink } from './logging-event-sink.js';
import { RingBuffer } from './ring-buffer.js';

/** The counters of a {@link BackpressureAwareEventSink}; `emitted + dropped = offered` always holds. */
export interface BackpressureMetrics {
  /** Events offered through `emit` or `tryEmit`. */
  readonly offered: number;
  /** Events accepted into the queue (enqueued, not delivered: the meaning in the Python framework we follow). */
  readonly emitted: number;
  /** Events refused by `tryEmit` because the queue was full (drop-newest), or by `tryEmit`/`emit` after `shutdown()`. */
  readonly dropped: number;
  /** Of `dropped`, the events refused because the sink was shut down. */
  readonly refused: number;
  /** Events the downstream accepted without error. */
  readonly delivered: number;
  /** Events whose downstream `emit` threw or rejected. */
  readonly failed: number;
  /** Queued events thrown away by `stop({ drain: false })` or a drain timeout; after a drained stop `delivered + failed + discarded = emitted`. */
  readonly discarded: number;
  /** Times `tryEmit` found the queue full (`dropped - refused`, kept for the Python framework's key). */
  readonly queueFullCount: number;
  /** `dropped / offered x 100`, 2 decimals; 0 before any offer. */
  readonly dropRatePercent: number;
  /** Monotonic seconds (`performance.now() / 1000`) of the last enqueue, to one event-loop turn; 0 before the first. */
  readonly lastEmitTime: number;
  /** Monotonic seconds of the last drop, to one event-loop turn; 0 before the first. */
  readonly lastDropTime: number;
}

/** The logger a {@link BackpressureAwareEventSink} reports drop streaks to. */
export interface DropLogger {
  warn(obj: object, msg: string): void;
}

/** Options of {@link BackpressureAwareEventSink}. */
export interface BackpressureAwareEventSinkOptions {
  /** Where queued events are delivered, one at a time and in order. Default: a new {@link LoggingEventSink}. */
  readonly downstream?: EventSink;
  /** The queue bound; 0 or less means unbounded (never drops). Default 1000 events. */
  readonly maxQueueSize?: number;
  /** Called synchronously with each event `tryEmit` drops; its exceptions are caught and passed to `onError`. */
  readonly onDrop?: (type: string, data: unknown) => void;
  /** Called with every downstream or hook failure; `event` is absent for failures not tied to one event (a drain timeout). */
  readonly onError?: (error: unknown, event: EventEnvelope | undefined) => void;
  /** When set, {@link BackpressureAwareEventSink.metricsEvent} is sent to `metricsSink` every this many milliseconds while running. */
  readonly metricsIntervalMs?: number;
  /** Where periodic metrics go. Default: the downstream. */
  readonly metricsSink?: EventSink;
  /** The `sink` name in the metrics event. Default `'backpressure'`. */
  readonly name?: string;
  /** Warned once per streak of drops (`BackpressureAwareEventSink: dropped N events (maxQueueSize=M)`). Default: none. */
  readonly logger?: DropLogger;
}

/** Options of {@link BackpressureAwareEventSink.stop}. */
export interface StopOptions {
  /** Deliver what is queued before stopping. Default true. */
  readonly drain?: boolean;
  /** Give up draining after this many milliseconds and discard the rest. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Receives the events discarded (without `drain`, or on a timeout), oldest first, so that they can be dead-lettered; they still count as `discarded`. */
  readonly onDiscard?: (events: readonly EventEnvelope[]) => void;
}

interface Waiter {
  readonly event: EventEnvelope;
  readonly resolve: () => void;
}

function seconds(): number {
  return performance.now() / 1000;
}

/**
 * A bounded in-memory queue in front of a slower sink, with the semantics of the Python framework we follow: `tryEmit`
 * never waits and drops the newest event when full, `emit` waits for room and never drops, a worker delivers in order.
 * Unlike that framework, drop hooks and downstream failures are isolated and counted, deliveries are counted apart from
 * enqueues, `tryEmit` needs no running event loop task, and nothing escapes `stop()`.
 */
export class BackpressureAwareEventSink implements EventSink {
  /** The queue bound (0 = unbounded). */
  readonly maxQueueSize: number;
  private readonly _limit: number;
  private readonly _downstream: EventSink;
  private readonly _onDrop: ((type: string, data: unknown) => void) | undefined;
  private readonly _onError: ((error: unknown, event: EventEnvelope | undefined) => void) | undefined;
  private readonly _metricsIntervalMs: number | undefined;
  private readonly _metricsSink: EventSink;
  private readonly _name: string;
  private readonly _logger: DropLogger | undefined;
  private readonly _queue: RingBuffer<EventEnvelope>;
  private readonly _waiters: Waiter[] = [];
  private _running = false;
  private _scheduled = false;
  private _draining: Promise<void> | undefined;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _offered = 0;
  private _emitted = 0;
  private _dropped = 0;
  private _delivered = 0;
  private _failed = 0;
  private _discarded = 0;
  private _refused = 0;
  private _shutDown = false;
  private _streak = 0;
  private _lastEmitTime = 0;
  private _lastDropTime = 0;
  // reading the clock costs ~40 ns, more than an enqueue: stamp lazily, at most once per event-loop turn
  private _emitUnstamped = false;
  private _dropUnstamped = false;
  private readonly _drainBound = (): void => {
    this._scheduled = false;
    this._draining ??= this._drain().finally(() => {
      this._draining = undefined;
      if (this._queue.size > 0 && this._running) this._schedule();
    });
  };

  constructor(options: BackpressureAwareEventSinkOptions = {}) {
    this.maxQueueSize = options.maxQueueSize ?? 1000;
    this._limit = this.maxQueueSize > 0 ? this.maxQueueSize : Number.POSITIVE_INFINITY;
    this._downstream = options.downstream ?? new LoggingEventSink();
    this._onDrop = options.onDrop;
    this._onError = options.onError;
    this._metricsIntervalMs = options.metricsIntervalMs;
    this._metricsSink = options.metricsSink ?? this._downstream;
    this._name = options.name ?? 'backpressure';
    this._logger = options.logger;
    this._queue = new RingBuffer(this.maxQueueSize > 0 ? this.maxQueueSize : 1024);
  }

  /** Whether the worker is running (started by `start()`, `emit` or `tryEmit`). */
  get isRunning(): boolean {
    return this._running;
  }

  /** Events waiting in the queue. */
  get queueSize(): number {
    return this._queue.size;
  }

  /** A snapshot of the counters. */
  get metrics(): BackpressureMetrics {
    this._stamp();
    return {
      offered: this._offered,
      emitted: this._emitted,
      dropped: this._dropped,
      refused: this._refused,
      delivered: this._delivered,
      failed: this._failed,
      discarded: this._discarded,
      queueFullCount: this._dropped - this._refused,
      dropRatePercent:
        this._emitted + this._dropped === 0
          ? 0
          : Math.round((this._dropped / (this._emitted + this._dropped)) * 10000) / 100,
      lastEmitTime: this._lastEmitTime,
      lastDropTime: this._lastDropTime,
    };
  }

  /** The metrics as a `metrics.event_sink` event: the six keys of the Python framework we follow plus `delivered`, `failed`, `offered`, `queue_size`, `max_queue_size`, `sink` and `timestamp`. */
  metricsEvent(): EventEnvelope<'metrics.event_sink', Record<string, number | string>> {
    const m = this.metrics;
    return {
      type: 'metrics.event_sink',
      data: {
        emitted: m.emitted,
        dropped: m.dropped,
        queue_full_count: m.queueFullCount,
        drop_rate_percent: m.dropRatePercent,
        last_emit_time: m.lastEmitTime,
        last_drop_time: m.lastDropTime,
        delivered: m.delivered,
        failed: m.failed,
        offered: m.offered,
        queue_size: this._queue.size,
        max_queue_size: Math.max(0, this.maxQueueSize),
        sink: this._name,
        timestamp: nowIso(),
      },
    };
  }

  /** Starts the worker (and the metrics timer); calling it again is harmless. */
  start(): void {
    if (this._running) return;
    this._running = true;
    if (this._metricsIntervalMs !== undefined && this._metricsIntervalMs > 0) {
      this._timer = setInterval(() => this._sendMetrics(), this._metricsIntervalMs);
      this._timer.unref();
    }
    if (this._queue.size > 0) this._schedule();
  }

  /**
   * Offers an event without waiting: enqueues it and returns true, or, when the queue is full, drops it (the newest),
   * counts it, calls `onDrop` and returns false. After `shutdown()` it refuses every event the same way (counted in
   * `dropped` and `refused`). Never throws, and works outside any async context.
   */
  tryEmit(event: EventEnvelope): boolean {
    this._offered++;
    if (this._shutDown) {
      this._refuse(event);
      return false;
    }
    if (this._queue.size >= this._limit || this._waiters.length > 0) {
      this._drop(event);
      return false;
    }
    this._queue.push(event);
    this._emitted++;
    this._emitUnstamped = true;
    if (this._streak > 0) this._endStreak();
    if (!this._running) this.start();
    else if (!this._scheduled && this._draining === undefined) this._schedule();
    return true;
  }

  /** Enqueues an event, waiting for room while the queue is full; never drops. Auto-starts the worker. After `shutdown()` the event is refused and counted, as by `tryEmit`. */
  emit(event: EventEnvelope): Promise<void> {
    if (this._shutDown) {
      this.tryEmit(event);
      return Promise.resolve();
    }
    if (this._queue.size < this._limit && this._waiters.length === 0) {
      this.tryEmit(event);
      return Promise.resolve();
    }
    this._offered++;
    if (!this._running) this.start();
    return new Promise<void>((resolve) => this._waiters.push({ event, resolve }));
  }

  /** Waits until everything queued so far has been handed to the downstream, then flushes the downstream. */
  async flush(): Promise<void> {
    if (!this._running && this._queue.size > 0) this.start();
    while (this._queue.size > 0 || this._waiters.length > 0 || this._draining !== undefined) {
      if (this._draining === undefined) this._drainBound();
      await this._draining;
    }
    await this._downstream.flush?.();
  }

  /**
   * Stops the worker: with `drain` (default) delivers what is queued, in order, within `timeoutMs` (default 5000 ms),
   * discarding and reporting the rest on timeout; without, discards the queue. Never rejects; harmless when stopped.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this._running && this._queue.size === 0 && this._waiters.length === 0) return;
    this._running = false;
    if (this._timer !== undefined) clearInterval(this._timer);
    this._timer = undefined;
    if (options.drain ?? true) {
      const timeoutMs = options.timeoutMs ?? 5000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeoutMs);
      });
      const drained = (async () => {
        while (!timedOut && (this._queue.size > 0 || this._waiters.length > 0 || this._draining !== undefined)) {
          if (this._draining === undefined) this._drainBound();
          await this._draining;
        }
      })();
      await Promise.race([drained, deadline]);
      clearTimeout(timer);
      if (timedOut) {
        const remaining = this._queue.size + this._waiters.length;
        this._discard(options.onDiscard);
        this._report(
          new Error(
            `BackpressureAwareEventSink: drain timed out after ${timeoutMs} ms with ${remaining} events left (discarded)`,
          ),
          undefined,
        );
      }
    } else {
      this._discard(options.onDiscard);
    }
  }

  /** Refuses new events from now on, stops with a full drain (`options` as for {@link stop}), then shuts the downstream down; calling it twice is harmless. */
  async shutdown(options: StopOptions = {}): Promise<void> {
    this._shutDown = true;
    await this.stop(options);
    try {
      await this._downstream.shutdown?.();
    } catch (e) {
      this._report(e, undefined);
    }
  }

  private _schedule(): void {
    this._scheduled = true;
    setImmediate(this._drainBound);
  }

  private _stamp(): void {
    if (this._emitUnstamped) {
      this._emitUnstamped = false;
      this._lastEmitTime = seconds();
    }
    if (this._dropUnstamped) {
      this._dropUnstamped = false;
      this._lastDropTime = seconds();
    }
  }

  private _drop(event: EventEnvelope): void {
    this._dropped++;
    this._streak++;
    this._dropUnstamped = true;
    if (this._onDrop !== undefined) {
      try {
        this._onDrop(event.type, event.data);
      } catch (e) {
        this._report(e, event);
      }
    }
  }

  private _endStreak(): void {
    const n = this._streak;
    this._streak = 0;
    try {
      this._logger?.warn(
        { sink: this._name, dropped: n, dropped_total: this._dropped, max_queue_size: this.maxQueueSize },
        `BackpressureAwareEventSink: dropped ${n} events (maxQueueSize=${this.maxQueueSize})`,
      );
    } catch (e) {
      this._report(e, undefined);
    }
  }

  private _take(): EventEnvelope | undefined {
    if (this._queue.size === 0) return undefined;
    const event = this._queue.shift();
    this._admitWaiters();
    return event;
  }

  private _admitWaiters(): void {
    while (this._waiters.length > 0 && this._queue.size < this._limit) {
      const w = this._waiters.shift() as Waiter;
      this._queue.push(w.event);
      this._emitted++;
      this._emitUnstamped = true;
      w.resolve();
    }
  }

  private _discard(onDiscard: ((events: readonly EventEnvelope[]) => void) | undefined): void {
    const events: EventEnvelope[] = [];
    const waiting = this._waiters.splice(0);
    while (this._queue.size > 0) {
      events.push(this._queue.shift() as EventEnvelope);
      this._discarded++;
    }
    for (const w of waiting) {
      events.push(w.event);
      this._emitted++;
      this._discarded++;
      w.resolve();
    }
    if (onDiscard !== undefined && events.length > 0) {
      try {
        onDiscard(events);
      } catch (e) {
        this._report(e, undefined);
      }
    }
  }

  private _refuse(event: EventEnvelope): void {
    this._dropped++;
    this._refused++;
    this._report(
      new Error(`BackpressureAwareEventSink(${this._name}): event '${event.type}' refused after shutdown`),
      event,
    );
  }

  private async _drain(): Promise<void> {
    this._stamp();
    const downstream = this._downstream;
    let event = this._take();
    while (event !== undefined) {
      try {
        await downstream.emit(event);
        this._delivered++;
      } catch (e) {
        this._failed++;
        this._report(e, event);
      }
      event = this._take();
    }
    if (this._streak > 0 && this._queue.size === 0) this._endStreak();
  }

  private _sendMetrics(): void {
    try {
      this._metricsSink.tryEmit(this.metricsEvent());
    } catch (e) {
      this._report(e, undefined);
    }
  }

  private _report(error: unknown, event: EventEnvelope | undefined): void {
    try {
      this._onError?.(error, event);
    } catch {
      // an error hook that throws must not reach the emitter either
    }
  }
}
