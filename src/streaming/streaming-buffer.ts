import type { EmitOptions } from '../runtime/index.js';
import {
  emitStreamBufferOverflow,
  emitStreamBufferRecovered,
  emitStreamBufferUnderrun,
} from '../../generated/index.js';
import { ContractError } from '../errors.js';
import type { EventContext, EventContextSource, StreamEnrichment } from '../observability/event-context.js';
import { streamEnrichment } from '../observability/event-context.js';
import { safeEmit } from './stream-emitter.js';
import type { StreamEmitErrorHandler, StreamEmitTarget } from './stream-emitter.js';

/** Options of {@link StreamingBuffer}. */
export interface StreamingBufferOptions extends StreamEmitTarget {
  /** Buffered duration at which {@link StreamingBuffer.isReady} turns true, in milliseconds; default 200. */
  readonly targetDurationMs?: number;
  /** Buffered duration above which the oldest audio is dropped, in milliseconds; default 2000. */
  readonly maxDurationMs?: number;
  /** Samples per second; default 16000. */
  readonly sampleRate?: number;
  /** Interleaved audio channels; default 1. */
  readonly channels?: number;
  /** Name carried as `channel` in every `stream.*` event of this buffer (ours; the Python framework we follow has none). */
  readonly channel?: string;
  /**
   * Correlation keys added to every event (those the `stream.*` schemas declare: `pipeline_run_id`, `request_id`,
   * `execution_mode`, `topology`, `service`), and the stage: an {@link EventContext} or a pipeline `StageContext`.
   */
  readonly context?: EventContext | EventContextSource;
}

/** The buffer's counters, spelt as in the Python framework we follow (`StreamingBuffer.stats`). */
export interface StreamingBufferStats {
  readonly duration_ms: number;
  readonly bytes_buffered: number;
  readonly total_received: number;
  readonly total_read: number;
  readonly total_dropped: number;
  readonly is_ready: boolean;
  readonly underrun_active: boolean;
}

/** The oldest audio is dropped in steps of this many milliseconds (the step of the Python framework we follow). */
const DROP_STEP_MS = 50;

/**
 * A jitter buffer for PCM16 audio (2 bytes per sample, whatever the chunk's format) that drops its oldest audio in
 * 50 ms steps when over its maximum and reports `stream.buffer_overflow`, `stream.buffer_underrun` and
 * `stream.buffer_recovered`, the last two only on transitions. As in the Python framework we follow, dropping stops
 * once one step remains, so a single chunk longer than the maximum is still accepted whole.
 */
export class StreamingBuffer {
  /** Duration at which the buffer is ready, in milliseconds. */
  readonly targetDurationMs: number;
  /** Maximum buffered duration, in milliseconds. */
  readonly maxDurationMs: number;
  /** Samples per second. */
  readonly sampleRate: number;
  /** Interleaved audio channels. */
  readonly channels: number;
  /** The channel name carried in this buffer's events, if any. */
  readonly channel: string | undefined;
  private readonly _bytesPerMs: number;
  private readonly _dropStepBytes: number;
  private readonly _chunks: Uint8Array[] = [];
  private _head = 0;
  private _bytes = 0;
  private _totalReceived = 0;
  private _totalRead = 0;
  private _totalDropped = 0;
  private _underrun = false;
  private readonly _enrichment: Readonly<StreamEnrichment>;
  private readonly _emitOptions: EmitOptions | undefined;
  private readonly _onEmitError: StreamEmitErrorHandler | undefined;

  constructor(options: StreamingBufferOptions = {}) {
    this.targetDurationMs = options.targetDurationMs ?? 200;
    this.maxDurationMs = options.maxDurationMs ?? 2000;
    this.sampleRate = options.sampleRate ?? 16_000;
    this.channels = options.channels ?? 1;
    this.channel = options.channel;
    if (!(this.sampleRate > 0) || !(this.channels > 0) || !(this.maxDurationMs > 0)) {
      throw new ContractError(
        'invalid_option',
        `StreamingBuffer: sampleRate, channels and maxDurationMs must be positive, got ${this.sampleRate}, ${this.channels}, ${this.maxDurationMs}`,
      );
    }
    this._bytesPerMs = (this.sampleRate * this.channels * 2) / 1000;
    this._dropStepBytes = Math.max(2, Math.floor(DROP_STEP_MS * this._bytesPerMs));
    this._enrichment = streamEnrichment(options.context, options.channel);
    this._emitOptions = options.sink === undefined ? undefined : { sink: options.sink };
    this._onEmitError = options.onEmitError;
  }

  /** Buffered audio in milliseconds. */
  get durationMs(): number {
    return this._bytes / this._bytesPerMs;
  }

  /** Buffered bytes. */
  get bytesBuffered(): number {
    return this._bytes;
  }

  /** Whether at least the target duration is buffered. */
  isReady(): boolean {
    return this.durationMs >= this.targetDurationMs;
  }

  /** Whether at least the maximum duration is buffered. */
  isFull(): boolean {
    return this.durationMs >= this.maxDurationMs;
  }

  /**
   * Appends `chunk`, first dropping the oldest audio in 50 ms steps while the result would exceed the maximum (emitting
   * one `stream.buffer_overflow` if anything was dropped); returns the number of bytes dropped.
   */
  addChunk(chunk: Uint8Array): number {
    const chunkMs = chunk.byteLength / this._bytesPerMs;
    let dropped = 0;
    while (this.durationMs + chunkMs > this.maxDurationMs && this._bytes > this._dropStepBytes) {
      dropped += this._take(this._dropStepBytes, undefined);
    }
    if (dropped > 0) {
      this._totalDropped += dropped;
      safeEmit(
        emitStreamBufferOverflow,
        'stream.buffer_overflow',
        {
          ...this._enrichment,
          bytes_dropped: dropped,
          buffer_duration_ms: this.durationMs,
          max_duration_ms: this.maxDurationMs,
        },
        this._emitOptions,
        this._onEmitError,
      );
    }
    if (chunk.byteLength > 0) {
      this._chunks.push(chunk);
      this._bytes += chunk.byteLength;
    }
    this._totalReceived += chunk.byteLength;
    return dropped;
  }

  /**
   * Reads up to `durationMs` of audio (default 20 ms); a short read emits `stream.buffer_underrun` on entering underrun,
   * and the next full read emits `stream.buffer_recovered`.
   */
  read(durationMs = 20): Uint8Array {
    const requested = Math.floor(durationMs * this._bytesPerMs);
    const before = this.durationMs;
    if (this._bytes < requested) {
      if (!this._underrun) {
        this._underrun = true;
        safeEmit(
          emitStreamBufferUnderrun,
          'stream.buffer_underrun',
          { ...this._enrichment, bytes_requested: requested, bytes_available: this._bytes, buffer_duration_ms: before },
          this._emitOptions,
          this._onEmitError,
        );
      }
    } else if (this._underrun) {
      this._underrun = false;
      safeEmit(
        emitStreamBufferRecovered,
        'stream.buffer_recovered',
        { ...this._enrichment, buffer_duration_ms: before },
        this._emitOptions,
        this._onEmitError,
      );
    }
    const out = new Uint8Array(Math.min(requested, this._bytes));
    this._totalRead += this._take(out.byteLength, out);
    return out;
  }

  /** The counters, spelt as `stats` in the Python framework we follow. */
  stats(): StreamingBufferStats {
    return {
      duration_ms: this.durationMs,
      bytes_buffered: this._bytes,
      total_received: this._totalReceived,
      total_read: this._totalRead,
      total_dropped: this._totalDropped,
      is_ready: this.isReady(),
      underrun_active: this._underrun,
    };
  }

  /** Empties the buffer without counting the bytes as read or dropped. */
  clear(): void {
    this._chunks.length = 0;
    this._head = 0;
    this._bytes = 0;
  }

  // removes `n` bytes from the front, copying them into `out` when given; returns how many were removed
  private _take(n: number, out: Uint8Array | undefined): number {
    let remaining = n;
    let offset = 0;
    while (remaining > 0) {
      const first = this._chunks[0];
      if (first === undefined) break;
      const available = first.byteLength - this._head;
      const taken = Math.min(available, remaining);
      if (out !== undefined) out.set(first.subarray(this._head, this._head + taken), offset);
      offset += taken;
      remaining -= taken;
      if (taken === available) {
        this._chunks.shift();
        this._head = 0;
      } else {
        this._head += taken;
      }
    }
    this._bytes -= offset;
    return offset;
  }
}
