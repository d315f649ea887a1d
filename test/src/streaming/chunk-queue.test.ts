import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateStreamChunkDropped } from '../../../generated/index.js';
import { ContractError } from '../../../src/errors.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import type { EventSink } from '../../../src/runtime/types.js';
import { ChunkQueue } from '../../../src/streaming/index.js';
import type { ChunkQueueOptions } from '../../../src/streaming/index.js';
import { withEventSink } from '../../../src/runtime/sink-registry.js';

const RUN = '9106454d-aab1-4dae-ad83-b3ee585b2354';
const REQUEST = '676c40fe-7a40-4c7b-9744-d283fe56cf87';

function makeQueue<T>(options: ChunkQueueOptions = {}): {
  queue: ChunkQueue<T>;
  sink: CollectingEventSink;
  errors: unknown[];
} {
  const sink = new CollectingEventSink();
  const errors: unknown[] = [];
  const queue = new ChunkQueue<T>({ sink, onEmitError: (e) => errors.push(e), ...options });
  return { queue, sink, errors };
}

const throwingSink: EventSink = {
  emit: () => Promise.reject(new Error('sink down')),
  tryEmit: () => {
    throw new Error('sink down');
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('ChunkQueue', () => {
  it('delivers items in FIFO order', async () => {
    const { queue } = makeQueue<number>();
    for (const n of [1, 2, 3]) await queue.put(n);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual([1, 2, 3]);
  });

  it('iterates until closed and drained', async () => {
    const { queue } = makeQueue<string>();
    await queue.put('a');
    await queue.put('b');
    queue.close();
    const seen: string[] = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual(['a', 'b']);
  });

  it('drops the oldest items in drop mode: 1..5 into size 3 leaves [3, 4, 5]', async () => {
    const { queue, sink } = makeQueue<number>({ maxSize: 3, dropOnOverflow: true });
    for (let n = 1; n <= 5; n++) expect(await queue.put(n)).toBe(true);
    expect(queue.stats().dropped_items).toBe(2);
    queue.close();
    const rest: number[] = [];
    for await (const n of queue) rest.push(n);
    expect(rest).toEqual([3, 4, 5]);
    expect(sink.ofType('stream.chunk_dropped')).toHaveLength(2);
  });

  it('returns the queued item and then undefined after close', async () => {
    const { queue } = makeQueue<string>();
    await queue.put('last');
    queue.close();
    expect(await queue.get()).toBe('last');
    expect(await queue.get()).toBeUndefined();
  });

  it('refuses puts on a closed queue without emitting', async () => {
    const { queue, sink } = makeQueue<number>();
    queue.close();
    sink.clear();
    expect(await queue.put(1)).toBe(false);
    expect(queue.tryPut(1)).toBe(false);
    expect(sink.events).toEqual([]);
  });

  it('reports a fill of 70.0 after 7 puts into a queue of 10', async () => {
    const { queue } = makeQueue<number>({ maxSize: 10 });
    for (let n = 0; n < 7; n++) await queue.put(n);
    expect(queue.fillPercentage).toBe(70);
  });

  it('emits exactly one chunk_dropped with reason overflow after the 4th put into a full queue of 3', async () => {
    const { queue, sink } = makeQueue<number>({ maxSize: 3, dropOnOverflow: true });
    for (let n = 0; n < 3; n++) await queue.put(n);
    expect(sink.ofType('stream.chunk_dropped')).toHaveLength(0);
    await queue.put(3);
    expect(sink.ofType('stream.chunk_dropped').map((e) => e.data)).toEqual([
      { queue_size: 2, max_size: 3, reason: 'overflow' },
    ]);
  });

  it('emits throttle_started when filling and throttle_ended after draining', async () => {
    const { queue, sink } = makeQueue<number>({ maxSize: 10 });
    for (let n = 0; n < 9; n++) await queue.put(n);
    expect(sink.ofType('stream.throttle_started').length).toBeGreaterThanOrEqual(1);
    expect(sink.ofType('stream.throttle_started')[0]?.data).toEqual({ fill_percentage: 80, queue_size: 8 });
    for (let n = 0; n < 8; n++) await queue.get();
    await queue.put(99);
    expect(sink.ofType('stream.throttle_ended').map((e) => e.data)).toEqual([{ fill_percentage: 20, queue_size: 2 }]);
  });

  it('emits queue_closed with the lifetime counters and no drop_rate', async () => {
    const { queue, sink } = makeQueue<number>();
    for (let n = 0; n < 3; n++) await queue.put(n);
    queue.close();
    expect(sink.ofType('stream.queue_closed').map((e) => e.data)).toEqual([
      { total_items: 3, dropped_items: 0, blocked_puts: 0, max_queue_size: 3, total_blocked_ms: 0 },
    ]);
  });

  it('closes once: a second close emits nothing', () => {
    const { queue, sink } = makeQueue<number>();
    queue.close();
    queue.close();
    expect(sink.ofType('stream.queue_closed')).toHaveLength(1);
  });

  it('reproduces the reference BackpressureStats record for 6 puts into a drop-mode queue of 3', async () => {
    const { queue } = makeQueue<number>({ maxSize: 3, dropOnOverflow: true });
    for (let n = 0; n < 6; n++) await queue.put(n);
    // x-record.backpressure_stats.to_dict in the reference sample
    expect(queue.stats()).toEqual({
      total_items: 6,
      dropped_items: 3,
      blocked_puts: 0,
      max_queue_size: 3,
      total_blocked_ms: 0,
      drop_rate: 0.5,
    });
  });

  it('works with no sink configured at all', async () => {
    const queue = new ChunkQueue<number>({ maxSize: 2, dropOnOverflow: true });
    for (let n = 0; n < 5; n++) await queue.put(n);
    queue.close();
    expect(await queue.get()).toBe(3);
  });

  it('keeps working when the sink throws, and reports each failure to onEmitError', async () => {
    const errors: string[] = [];
    const queue = new ChunkQueue<number>({
      maxSize: 3,
      dropOnOverflow: true,
      sink: throwingSink,
      onEmitError: (_e, type) => errors.push(type),
    });
    for (let n = 1; n <= 5; n++) expect(await queue.put(n)).toBe(true);
    queue.close();
    expect(await queue.get()).toBe(3);
    expect(errors).toEqual([
      'stream.throttle_started',
      'stream.chunk_dropped',
      'stream.chunk_dropped',
      'stream.queue_closed',
    ]);
  });

  it('carries the channel and the context enrichment in every event, which validate against their schemas', async () => {
    const { queue, sink, errors } = makeQueue<number>({
      maxSize: 2,
      dropOnOverflow: true,
      channel: 'tts_audio',
      context: {
        pipelineRunId: RUN,
        requestId: REQUEST,
        executionMode: 'roleplay',
        topology: 'voice_fast',
        service: 'voice',
      },
    });
    for (let n = 0; n < 3; n++) await queue.put(n);
    queue.close();
    expect(errors).toEqual([]);
    expect(sink.types).toEqual(['stream.throttle_started', 'stream.chunk_dropped', 'stream.queue_closed']);
    for (const event of sink.events) {
      expect(event.data).toMatchObject({
        channel: 'tts_audio',
        pipeline_run_id: RUN,
        request_id: REQUEST,
        execution_mode: 'roleplay',
        topology: 'voice_fast',
        service: 'voice',
      });
    }
    expect(validateStreamChunkDropped(sink.ofType('stream.chunk_dropped')[0]?.data)).toBe(true);
  });

  it('resolves the sink at emit time when none is given', async () => {
    const sink = new CollectingEventSink();
    const queue = new ChunkQueue<number>({ maxSize: 1, dropOnOverflow: true });
    await withEventSink(sink, async () => {
      await queue.put(1);
      await queue.put(2);
    });
    expect(sink.types).toEqual(['stream.throttle_started', 'stream.chunk_dropped']);
  });

  it('lets a waiting put in once a consumer makes room, reporting producer_blocked when it waited over 1 ms', async () => {
    const { queue, sink } = makeQueue<number>({ maxSize: 1 });
    await queue.put(1);
    const pending = queue.put(2);
    await new Promise((r) => setTimeout(r, 15));
    expect(await queue.get()).toBe(1);
    expect(await pending).toBe(true);
    expect(await queue.get()).toBe(2);
    const blocked = sink.ofType('stream.producer_blocked');
    expect(blocked).toHaveLength(1);
    expect((blocked[0]!.data as { blocked_ms: number }).blocked_ms).toBeGreaterThan(1);
    expect(queue.stats().blocked_puts).toBe(1);
  });

  it('never blocks forever: a put on a full queue rejects with put_timeout and emits producer_blocked (BUG-038)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { queue, sink } = makeQueue<number>({ maxSize: 1, putTimeoutMs: 500, channel: 'stt_audio' });
    await queue.put(1);
    const pending = queue.put(2);
    const outcome = pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(499);
    expect(sink.ofType('stream.producer_blocked')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe('put_timeout');
    expect((error as ContractError).message).toBe(
      "ChunkQueue 'stt_audio': put timed out after 500 ms waiting for space (maxSize=1)",
    );
    expect(sink.ofType('stream.producer_blocked').map((e) => e.data)).toEqual([
      { channel: 'stt_audio', blocked_ms: 500, queue_size: 1 },
    ]);
    expect(queue.size).toBe(1);
  });

  it('defaults the put timeout to 30 s', () => {
    expect(new ChunkQueue().putTimeoutMs).toBe(30_000);
  });

  it('rejects an infinite put timeout and a non-positive size', () => {
    expect(() => new ChunkQueue({ putTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(
      /putTimeoutMs must be a positive finite/,
    );
    expect(() => new ChunkQueue({ maxSize: 0 })).toThrow(/maxSize must be a positive integer/);
  });

  it('resolves a waiting put with false when the queue is closed', async () => {
    const { queue } = makeQueue<number>({ maxSize: 1 });
    await queue.put(1);
    const pending = queue.put(2);
    queue.close();
    expect(await pending).toBe(false);
  });

  it('wakes a waiting consumer with undefined on close', async () => {
    const { queue } = makeQueue<number>();
    const waiting = queue.get();
    queue.close();
    expect(await waiting).toBeUndefined();
  });

  it('hands an item straight to a waiting consumer', async () => {
    const { queue } = makeQueue<string>();
    const waiting = queue.get();
    await queue.put('x');
    expect(await waiting).toBe('x');
    expect(queue.size).toBe(0);
  });

  it('tryPut on a full queue outside drop mode drops the new item with reason queue_full', async () => {
    const { queue, sink } = makeQueue<number>({ maxSize: 1 });
    expect(queue.tryPut(1)).toBe(true);
    expect(queue.tryPut(2)).toBe(false);
    expect(sink.ofType('stream.chunk_dropped').map((e) => e.data)).toEqual([
      { queue_size: 1, max_size: 1, reason: 'queue_full' },
    ]);
    expect(await queue.get()).toBe(1);
  });
});
