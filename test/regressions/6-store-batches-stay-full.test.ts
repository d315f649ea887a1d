// regression: after each batch the store pump restarted at once with the one or two events that had arrived since,
// so a fast producer got one transaction per event (SQLite fell from ~110 k/s to ~23 k/s)
import { describe, expect, it, vi } from 'vitest';
import { ResilientSink, type BatchWriter, type WriteBatch } from '../../src/stores/index.js';

function recordingWriter(): BatchWriter & { sizes: number[] } {
  const sizes: number[] = [];
  return {
    name: 'recording',
    sizes,
    writeBatch: (b: WriteBatch) => {
      sizes.push(b.events.length);
      return Promise.resolve();
    },
  };
}

describe('ResilientSink batching', () => {
  it("writes a fast producer's events in full batches, not one commit per event", async () => {
    const writer = recordingWriter();
    const sink = new ResilientSink(writer, { batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 2000; i++) await sink.emit({ type: 'x.y', data: { i } });
    await sink.shutdown();
    expect(writer.sizes).toEqual(Array.from({ length: 20 }, () => 100));
    expect(sink.metrics).toMatchObject({ delivered: 2000, dropped: 0, deadLettered: 0 });
  });

  it('still writes a partial batch after flushIntervalMs', async () => {
    vi.useFakeTimers();
    try {
      const writer = recordingWriter();
      const sink = new ResilientSink(writer, { batchSize: 100, flushIntervalMs: 50 });
      for (let i = 0; i < 7; i++) sink.tryEmit({ type: 'x.y', data: { i } });
      await vi.advanceTimersByTimeAsync(49);
      expect(writer.sizes).toEqual([]);
      await vi.advanceTimersByTimeAsync(2);
      expect(writer.sizes).toEqual([7]);
      await sink.shutdown();
    } finally {
      vi.useRealTimers();
    }
  });
});
