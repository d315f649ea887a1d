import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventSink } from '../runtime/types.js';
import type { BatchResult, BatchWriter } from './batch-writer.js';

/** Bounded, jittered exponential backoff for one batch; after it the batch goes to the dead-letter file. */
export interface RetryOptions {
  /** Attempts per batch, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, in ms; doubles on each retry. Default 100. */
  readonly initialDelayMs?: number;
  /** Upper bound of one delay, in ms. Default 5000. */
  readonly maxDelayMs?: number;
  /** Time budget of one batch across all its attempts, in ms; no retry starts after it. Default 30000. */
  readonly budgetMs?: number;
}

/** Options of {@link ResilientSink}. */
export interface ResilientSinkOptions {
  /** Events per write. Default 500. */
  readonly batchSize?: number;
  /** Longest time an event waits for its batch to fill, in ms. Default 100. */
  readonly flushIntervalMs?: number;
  /** Events held (buffered plus in flight) before `emit` waits and `tryEmit` drops. Default 4 × batchSize. */
  readonly maxPendingEvents?: number;
  readonly retry?: RetryOptions;
  /** NDJSON file (`{type, data}` per line) that receives batches the store refused; `replay` re-delivers it. Without it they are dropped and counted. */
  readonly deadLetterPath?: string;
  /** Called with every failed attempt and every dead-lettered or dropped batch; never throws into the producer. */
  readonly onError?: (
    error: unknown,
    info: {
      readonly attempt: number;
      readonly events: number;
      readonly outcome: 'retry' | 'dead-lettered' | 'dropped';
    },
  ) => void;
  /** Source of randomness for the jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** How a backoff delay is waited for (tests pass a recorder). Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Options of {@link ResilientSink.shutdown}. */
export interface ResilientShutdownOptions {
  /** After this many ms, stop retrying: see {@link ResilientSink.expire}. Default: no limit (every batch gets its full retry budget). */
  readonly timeoutMs?: number;
}

/** Counters of a {@link ResilientSink}; `offered = delivered + deadLettered + dropped + pending` at every moment. */
export interface ResilientSinkMetrics {
  /** Events handed to `emit` or `tryEmit`. */
  readonly offered: number;
  /** Events the store acknowledged. */
  readonly delivered: number;
  /** Event deliveries attempted again after a failure (an event retried twice counts twice). */
  readonly retried: number;
  /** Events written to the dead-letter file after the retry budget or a permanent error. */
  readonly deadLettered: number;
  /** Events lost: refused while full, or neither stored nor dead-lettered (no dead-letter file, or it could not be written). */
  readonly dropped: number;
  /** Events buffered or in flight. */
  readonly pending: number;
  /** Batches the store acknowledged. */
  readonly batches: number;
}

const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class ExpiredError extends Error {}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = (error as { detail?: unknown }).detail;
  return typeof detail === 'string' && detail !== '' ? `${error.message} (${detail})` : error.message;
}

/**
 * Batches events into a {@link BatchWriter}, one batch in flight at a time, retries failed batches with bounded jittered
 * backoff (the writer reconnects between attempts), then writes what it could not deliver to a dead-letter NDJSON file;
 * `emit` resolves once the event is buffered and waits only while the buffer is full.
 */
export class ResilientSink implements EventSink {
  private readonly _writer: BatchWriter;
  private readonly _batchSize: number;
  private readonly _flushIntervalMs: number;
  private readonly _maxPending: number;
  private readonly _maxAttempts: number;
  private readonly _initialDelayMs: number;
  private readonly _maxDelayMs: number;
  private readonly _budgetMs: number;
  private readonly _deadLetterPath: string | undefined;
  private readonly _onError: ResilientSinkOptions['onError'];
  private readonly _random: () => number;
  private readonly _sleep: (ms: number) => Promise<void>;
  private _expired: Error | undefined;
  // aborts the one write or backoff wait in flight (one batch at a time), when expire() is called
  private _abort: (() => void) | undefined;
  private _buffer: EventEnvelope[] = [];
  private _inFlight = 0;
  private _pump: Promise<void> | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  // the partial batch's flushIntervalMs passed while a write was in flight
  private _flushDue = false;
  private _waiters: (() => void)[] = [];
  private _closed = false;
  private _shutdown: Promise<void> | undefined;
  private _dropStreak = 0;
  private _offered = 0;
  private _delivered = 0;
  private _retried = 0;
  private _deadLettered = 0;
  private _dropped = 0;
  private _batches = 0;

  constructor(writer: BatchWriter, options: ResilientSinkOptions = {}) {
    this._writer = writer;
    this._batchSize = Math.max(1, options.batchSize ?? 500);
    this._flushIntervalMs = options.flushIntervalMs ?? 100;
    this._maxPending = Math.max(this._batchSize, options.maxPendingEvents ?? this._batchSize * 4);
    this._maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 5);
    this._initialDelayMs = options.retry?.initialDelayMs ?? 100;
    this._maxDelayMs = options.retry?.maxDelayMs ?? 5000;
    this._budgetMs = options.retry?.budgetMs ?? 30_000;
    this._deadLetterPath = options.deadLetterPath;
    this._onError = options.onError;
    this._random = options.random ?? Math.random;
    this._sleep = options.sleep ?? timerSleep;
  }

  /** A snapshot of the counters. */
  get metrics(): ResilientSinkMetrics {
    return {
      offered: this._offered,
      delivered: this._delivered,
      retried: this._retried,
      deadLettered: this._deadLettered,
      dropped: this._dropped,
      pending: this._buffer.length + this._inFlight,
      batches: this._batches,
    };
  }

  /** Buffers the event, waiting first while `maxPendingEvents` are held; after shutdown the event is dropped and counted. */
  emit(event: EventEnvelope): Promise<void> {
    // Stryker disable next-line all: a fast path only; _emitWhenRoom calls tryEmit synchronously when there is room or the sink is closed
    if (this._closed || this._buffer.length + this._inFlight < this._maxPending) {
      this.tryEmit(event);
      return Promise.resolve();
    }
    return this._emitWhenRoom(event);
  }

  /**
   * Buffers the event without waiting; drops and counts it when the buffer is full. After shutdown or {@link expire}
   * the event is dead-lettered at once (dropped and counted without a dead-letter file).
   */
  tryEmit(event: EventEnvelope): void {
    this._offered++;
    if ((this._closed || this._expired !== undefined) && this._deadLetterPath !== undefined) {
      const cause = this._expired ?? new Error(`ResilientSink(${this._writer.name}): event emitted after shutdown`);
      this._deadLetter([event], [event.id ?? `late:${randomUUID()}`], cause, 0);
      return;
    }
    if (this._closed || this._buffer.length + this._inFlight >= this._maxPending) {
      this._dropped++;
      // Stryker disable next-line UpdateOperator: counting down also leaves zero only once per streak
      if (this._dropStreak++ === 0)
        this._report(
          new Error(
            `ResilientSink(${this._writer.name}): dropping events (${this._closed ? 'shut down' : `maxPendingEvents=${this._maxPending}`})`,
          ),
          0,
          1,
          'dropped',
        );
      return;
    }
    this._dropStreak = 0;
    this._buffer.push(event);
    if (this._buffer.length >= this._batchSize) this._startPump(false);
    else this._armTimer();
  }

  // a partial batch waits at most flushIntervalMs for company, counted from its first event even while a write is in
  // flight: a timer that fires then marks the flush due, and the write's end starts it at once
  private _armTimer(): void {
    if (this._timer !== undefined) return;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      if (this._pump === undefined) this._startPump(true);
      else this._flushDue = true;
    }, this._flushIntervalMs);
    // Stryker disable next-line OptionalChaining: Node's timers always have unref
    this._timer.unref?.();
  }

  /** Resolves when every event buffered so far is stored, dead-lettered or dropped. */
  async flush(): Promise<void> {
    while (this._buffer.length > 0 || this._pump !== undefined) {
      this._startPump(true);
      await this._pump;
    }
  }

  /**
   * Stops retrying from now on: an attempt in flight is abandoned (its connection reset) and every batch not yet
   * stored, now or later, is dead-lettered (or dropped and counted without a dead-letter file) without another try.
   * A PostgreSQL re-send of a dead-lettered batch is idempotent, so an abandoned attempt that did commit duplicates nothing there.
   */
  expire(reason = 'the shutdown timeout passed'): void {
    if (this._expired !== undefined) return;
    this._expired = new Error(`ResilientSink(${this._writer.name}): ${reason}; not retried`);
    this._abort?.();
    this._wake();
  }

  /**
   * Flushes, then closes the writer; later events are dead-lettered (or dropped) and counted; calling it twice is
   * harmless. With `timeoutMs`, whatever is not stored by then is dead-lettered instead of retried ({@link expire}).
   */
  shutdown(options: ResilientShutdownOptions = {}): Promise<void> {
    this._shutdown ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (options.timeoutMs !== undefined)
        timer = setTimeout(() => this.expire(`shutdown timed out after ${options.timeoutMs} ms`), options.timeoutMs);
      try {
        await this.flush();
      } finally {
        clearTimeout(timer);
      }
      this._closed = true;
      this._wake();
      try {
        await this._writer.close?.();
      } catch (error) {
        this._report(error, 0, 0, 'dropped');
      }
    })();
    return this._shutdown;
  }

  private async _emitWhenRoom(event: EventEnvelope): Promise<void> {
    while (!this._closed && this._buffer.length + this._inFlight >= this._maxPending) {
      // Stryker disable next-line BooleanLiteral: while full, the buffer holds at least batchSize events, so a partial batch never waits here
      this._startPump(true);
      await new Promise<void>((resolve) => this._waiters.push(resolve));
    }
    this.tryEmit(event);
  }

  // `partial`: also write a batch smaller than batchSize (on the timer, on flush, when producers wait for room);
  // otherwise only full batches go out, so a fast producer never turns into one commit per event
  private _startPump(partial: boolean): void {
    if (this._pump !== undefined || this._buffer.length === 0) return;
    if (!partial && this._buffer.length < this._batchSize) return;
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    if (partial) this._flushDue = false;
    this._pump = this._drain(partial).finally(() => {
      this._pump = undefined;
      if (
        this._buffer.length >= this._batchSize ||
        ((this._waiters.length > 0 || this._flushDue) && this._buffer.length > 0)
      )
        this._startPump(true);
      else if (this._buffer.length > 0) this._armTimer();
    });
  }

  private async _drain(partial: boolean): Promise<void> {
    while (this._buffer.length >= this._batchSize || (partial && this._buffer.length > 0)) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only saves a copy; slicing gives the same batch
      const batch = this._buffer.length <= this._batchSize ? this._buffer : this._buffer.slice(0, this._batchSize);
      // Stryker disable next-line ConditionalExpression: only saves a copy; slicing gives the same rest
      this._buffer = batch === this._buffer ? [] : this._buffer.slice(this._batchSize);
      this._inFlight = batch.length;
      await this._deliver(batch);
      this._inFlight = 0;
      this._wake();
    }
  }

  private async _deliver(batch: readonly EventEnvelope[]): Promise<void> {
    const batchId = randomUUID();
    const events = batch;
    const eventIds = batch.map((e, i) => e.id ?? `${batchId}:${i}`);
    const started = Date.now();
    let delay = this._initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      if (this._expired !== undefined) {
        this._deadLetter(events, eventIds, this._expired, attempt - 1);
        return;
      }
      let result: void | BatchResult;
      try {
        result = await this._race(this._writer.writeBatch({ events, batchId, attempt, eventIds }));
      } catch (error) {
        if (error instanceof ExpiredError) {
          this._deadLetter(events, eventIds, this._expired ?? error, attempt);
          await this._resetWriter();
          return;
        }
        const transient = this._writer.isTransient?.(error) ?? true;
        // equal jitter: half the delay is fixed, half random, so producers that failed together spread out
        const wait = Math.min(delay, this._maxDelayMs) * (0.5 + this._random() / 2);
        if (!transient || attempt >= this._maxAttempts || Date.now() - started + wait > this._budgetMs) {
          this._deadLetter(events, eventIds, error, attempt);
          await this._resetWriter();
          return;
        }
        this._report(error, attempt, events.length, 'retry');
        await this._resetWriter();
        try {
          await this._race(this._sleep(wait));
        } catch {
          // expired while waiting: the loop dead-letters the batch
        }
        delay *= 2;
        this._retried += events.length;
        continue;
      }
      const rejected = result?.rejected ?? [];
      this._delivered += events.length - rejected.length;
      this._batches++;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with nothing rejected the block does nothing
      if (rejected.length > 0) {
        // the writer stored the rest: only the events it refused go to the dead-letter file, each with its reason
        const byIndex = [...rejected].sort((a, b) => a.index - b.index);
        for (const r of byIndex)
          this._deadLetter([events[r.index] as EventEnvelope], [eventIds[r.index] as string], r.error, attempt);
      }
      return;
    }
  }

  // rejects with ExpiredError once expire() is called; the raced promise's own rejection is then ignored
  private _race<T>(p: Promise<T>): Promise<T> {
    if (this._expired !== undefined) {
      p.catch(() => undefined);
      // Stryker disable next-line StringLiteral: the message is never shown (the expire() reason is)
      return Promise.reject(new ExpiredError('expired'));
    }
    return new Promise<T>((resolve, reject) => {
      const abort = (): void => {
        p.catch(() => undefined);
        // Stryker disable next-line StringLiteral: the message is never shown (the expire() reason is)
        reject(new ExpiredError('expired'));
      };
      this._abort = abort;
      // Stryker disable next-line all: a stale abort only rejects a settled promise, and once expired every race fails fast
      const done = (): void => {
        // Stryker disable next-line all: as above
        if (this._abort === abort) this._abort = undefined;
      };
      p.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  private async _resetWriter(): Promise<void> {
    try {
      // Stryker disable next-line OptionalChaining: calling a missing reset throws into the catch below, the same outcome
      await this._writer.reset?.();
    } catch {
      // a failed reset leaves the writer disconnected, which the next attempt handles
    }
  }

  private _deadLetter(
    events: readonly EventEnvelope[],
    eventIds: readonly string[],
    cause: unknown,
    attempt: number,
  ): void {
    if (this._deadLetterPath === undefined) {
      this._dropped += events.length;
      this._report(cause, attempt, events.length, 'dropped');
      return;
    }
    const reason = describeError(cause);
    let text = '';
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as EventEnvelope;
      text += `${JSON.stringify({ type: e.type, data: e.data, event_id: eventIds[i], error: reason })}\n`;
    }
    try {
      mkdirSync(dirname(this._deadLetterPath), { recursive: true });
      appendFileSync(this._deadLetterPath, text);
      this._deadLettered += events.length;
      this._report(cause, attempt, events.length, 'dead-lettered');
    } catch (error) {
      this._dropped += events.length;
      this._report(
        new Error(`ResilientSink(${this._writer.name}): cannot write dead-letter file '${this._deadLetterPath}'`, {
          cause: error,
        }),
        attempt,
        events.length,
        'dropped',
      );
    }
  }

  private _wake(): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w();
  }

  private _report(
    error: unknown,
    attempt: number,
    events: number,
    outcome: 'retry' | 'dead-lettered' | 'dropped',
  ): void {
    try {
      // Stryker disable next-line OptionalChaining: calling a missing hook throws into the catch below, the same outcome
      this._onError?.(error, { attempt, events, outcome });
    } catch {
      // a failing hook must not break delivery
    }
  }
}
