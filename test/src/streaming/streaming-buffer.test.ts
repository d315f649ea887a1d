import { describe, expect, it } from 'vitest';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import type { EventSink } from '../../../src/runtime/types.js';
import { StreamingBuffer } from '../../../src/streaming/index.js';
import type { StreamingBufferOptions } from '../../../src/streaming/index.js';

// 16 kHz mono PCM16: 32 bytes per millisecond
const ms = (n: number): Uint8Array => new Uint8Array(n * 32);

function makeBuffer(options: StreamingBufferOptions = {}): {
  buffer: StreamingBuffer;
  sink: CollectingEventSink;
  errors: unknown[];
} {
  const sink = new CollectingEventSink();
  const errors: unknown[] = [];
  return { buffer: new StreamingBuffer({ sink, onEmitError: (e) => errors.push(e), ...options }), sink, errors };
}

describe('StreamingBuffer', () => {
  it('returns 1600 bytes for a 50 ms read', () => {
    const { buffer } = makeBuffer();
    buffer.addChunk(ms(100));
    expect(buffer.read(50).byteLength).toBe(1600);
  });

  it('becomes ready at the target duration', () => {
    const { buffer } = makeBuffer({ targetDurationMs: 100 });
    buffer.addChunk(ms(60));
    expect(buffer.isReady()).toBe(false);
    buffer.addChunk(ms(40));
    expect(buffer.isReady()).toBe(true);
  });

  it('keeps the buffered duration within one chunk of the maximum', () => {
    const { buffer } = makeBuffer({ maxDurationMs: 500 });
    for (let i = 0; i < 30; i++) buffer.addChunk(ms(40));
    expect(buffer.durationMs).toBeLessThanOrEqual(500 + 40);
    expect(buffer.durationMs).toBeGreaterThan(400);
  });

  it('accounts received and read bytes', () => {
    const { buffer } = makeBuffer();
    buffer.addChunk(ms(100));
    buffer.addChunk(ms(100));
    buffer.read(50);
    buffer.read(20);
    expect(buffer.stats()).toMatchObject({ total_received: 6400, total_read: 2240, bytes_buffered: 4160 });
  });

  it('emits buffer_overflow with bytes_dropped for 3 x 100 ms into a 200 ms max', () => {
    const { buffer, sink, errors } = makeBuffer({ maxDurationMs: 200 });
    expect(buffer.addChunk(ms(100))).toBe(0);
    expect(buffer.addChunk(ms(100))).toBe(0);
    expect(buffer.addChunk(ms(100))).toBe(3200);
    expect(errors).toEqual([]);
    expect(sink.ofType('stream.buffer_overflow').map((e) => e.data)).toEqual([
      { bytes_dropped: 3200, buffer_duration_ms: 100, max_duration_ms: 200 },
    ]);
  });

  it('emits buffer_underrun exactly once, with requested above available', () => {
    const { buffer, sink } = makeBuffer();
    buffer.addChunk(ms(30));
    expect(buffer.read(50).byteLength).toBe(960);
    buffer.read(50);
    buffer.read(50);
    const underruns = sink.ofType('stream.buffer_underrun');
    expect(underruns.map((e) => e.data)).toEqual([
      { bytes_requested: 1600, bytes_available: 960, buffer_duration_ms: 30 },
    ]);
  });

  it('emits buffer_recovered exactly once, on the first full read after an underrun', () => {
    const { buffer, sink } = makeBuffer();
    buffer.read(20);
    buffer.addChunk(ms(100));
    buffer.read(20);
    buffer.read(20);
    expect(sink.ofType('stream.buffer_recovered').map((e) => e.data)).toEqual([{ buffer_duration_ms: 100 }]);
    expect(sink.ofType('stream.buffer_underrun')).toHaveLength(1);
  });

  it('reports total_dropped and underrun_active in its stats (reference sample record)', () => {
    const { buffer } = makeBuffer({ maxDurationMs: 200 });
    for (let i = 0; i < 3; i++) buffer.addChunk(ms(100));
    buffer.read(100);
    buffer.read(100);
    buffer.read(100);
    // x-record.streaming_buffer.stats in the reference sample
    expect(buffer.stats()).toEqual({
      duration_ms: 0,
      bytes_buffered: 0,
      total_received: 9600,
      total_read: 6400,
      total_dropped: 3200,
      is_ready: false,
      underrun_active: true,
    });
  });

  it('works with no sink configured at all', () => {
    const buffer = new StreamingBuffer({ maxDurationMs: 100 });
    buffer.addChunk(ms(100));
    // dropping stops once one 50 ms step remains, so 50 ms of the first chunk survive
    expect(buffer.addChunk(ms(100))).toBe(1600);
    expect(buffer.read(500).byteLength).toBe(4800);
  });

  it('keeps working when the sink throws', () => {
    const throwing: EventSink = {
      emit: () => Promise.resolve(),
      tryEmit: () => {
        throw new Error('sink down');
      },
    };
    const seen: string[] = [];
    const buffer = new StreamingBuffer({
      maxDurationMs: 100,
      sink: throwing,
      onEmitError: (_e, type) => seen.push(type),
    });
    buffer.addChunk(ms(100));
    expect(buffer.addChunk(ms(100))).toBe(1600);
    buffer.read(500);
    buffer.read(500);
    expect(seen).toEqual(['stream.buffer_overflow', 'stream.buffer_underrun']);
    expect(buffer.stats().underrun_active).toBe(true);
  });

  it('returns the bytes in order across chunk boundaries', () => {
    const { buffer } = makeBuffer();
    buffer.addChunk(Uint8Array.from([1, 2, 3, 4]));
    buffer.addChunk(Uint8Array.from([5, 6, 7, 8]));
    // 3 bytes is less than a 20 ms frame, so read a custom duration of 6 bytes: 6 / 32 ms
    expect(Array.from(buffer.read(6 / 32))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('carries the channel and the context enrichment', () => {
    const { buffer, sink } = makeBuffer({
      channel: 'mic',
      context: { pipelineRunId: null, requestId: null, executionMode: 'voice' },
    });
    buffer.read(20);
    expect(sink.events[0]?.data).toEqual({
      channel: 'mic',
      pipeline_run_id: null,
      request_id: null,
      execution_mode: 'voice',
      bytes_requested: 640,
      bytes_available: 0,
      buffer_duration_ms: 0,
    });
  });
});
