/** Options of {@link BackpressureMonitor}; the water marks are fill percentages of the queue's capacity. */
export interface BackpressureMonitorOptions {
  /** Fill percentage at or above which throttling turns on; default 80. */
  readonly highWaterMark?: number;
  /** Fill percentage at or below which throttling turns off again; default 20. */
  readonly lowWaterMark?: number;
  /** A 0-1 alias for the high mark: sets it to `threshold * 100` and lowers the low mark to at most half of it. */
  readonly threshold?: number;
}

/** The lifetime counters of a queue, spelt as in the Python framework we follow (`BackpressureStats.to_dict`). */
export interface BackpressureStats {
  readonly total_items: number;
  readonly dropped_items: number;
  readonly blocked_puts: number;
  readonly max_queue_size: number;
  readonly total_blocked_ms: number;
  /** Dropped over total puts as a 0-1 ratio (not a percentage), `dropped / max(total, 1)`. */
  readonly drop_rate: number;
}

/** A throttle transition reported by {@link BackpressureMonitor.recordPut}. */
export type ThrottleTransition = 'started' | 'ended' | undefined;

/**
 * Counts puts, drops and blocked time of a bounded queue and tracks throttling with hysteresis: on at the high-water
 * fill, off at the low-water fill.
 */
export class BackpressureMonitor {
  /** Fill percentage at or above which throttling turns on. */
  readonly highWaterMark: number;
  /** Fill percentage at or below which throttling turns off. */
  readonly lowWaterMark: number;
  private _totalItems = 0;
  private _droppedItems = 0;
  private _blockedPuts = 0;
  private _maxQueueSize = 0;
  private _totalBlockedMs = 0;
  private _fillPercentage = 0;
  private _throttling = false;

  constructor(options: BackpressureMonitorOptions = {}) {
    let high = options.highWaterMark ?? 80;
    let low = options.lowWaterMark ?? 20;
    if (options.threshold !== undefined) {
      high = options.threshold * 100;
      low = Math.min(low, high / 2);
    }
    this.highWaterMark = high;
    this.lowWaterMark = low;
  }

  /** Whether the queue is currently throttling (fill reached the high mark and has not yet fallen to the low mark). */
  get isThrottling(): boolean {
    return this._throttling;
  }

  /** The fill percentage seen by the last {@link recordPut}, 0-100. */
  get fillPercentage(): number {
    return this._fillPercentage;
  }

  /** Records one put that left `queueSize` items in a queue of `maxSize`; returns the throttle transition it caused. */
  recordPut(queueSize: number, maxSize = 100): ThrottleTransition {
    this._totalItems++;
    if (queueSize > this._maxQueueSize) this._maxQueueSize = queueSize;
    this._fillPercentage = maxSize > 0 ? (queueSize / maxSize) * 100 : 0;
    if (!this._throttling && this._fillPercentage >= this.highWaterMark) {
      this._throttling = true;
      return 'started';
    }
    if (this._throttling && this._fillPercentage <= this.lowWaterMark) {
      this._throttling = false;
      return 'ended';
    }
    return undefined;
  }

  /** Records a put that waited `blockedMs` milliseconds for space. */
  recordBlocked(blockedMs: number): void {
    this._blockedPuts++;
    this._totalBlockedMs += blockedMs;
  }

  /** Records one dropped item. */
  recordDrop(): void {
    this._droppedItems++;
  }

  /** The counters so far, with `drop_rate` as a 0-1 ratio. */
  stats(): BackpressureStats {
    return {
      total_items: this._totalItems,
      dropped_items: this._droppedItems,
      blocked_puts: this._blockedPuts,
      max_queue_size: this._maxQueueSize,
      total_blocked_ms: this._totalBlockedMs,
      drop_rate: this._droppedItems / Math.max(this._totalItems, 1),
    };
  }
}
