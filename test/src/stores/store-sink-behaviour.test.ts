// StoreSink behaviour the accounting tests do not pin down: its defaults, the queue's error hook, what flush waits for,
// the counters while events are held, and a shutdown that leaves nothing running. Written against the mutants
// `npm run mutation` found surviving in src/stores/store-sink.ts; time is faked, never measured.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import { ResilientSink, StoreSink, type BatchWriter, type WriteBatch } from '../../../src/stores/index.js';
import { idsOf, makeEvents, readDeadLetter } from '../../helpers/store-events.js';

/** A writer whose writes wait until the test acknowledges them (or forever). */
function gatedWriter(): BatchWriter & { stored: EventEnvelope[]; ack: () => void; waiting: () => number } {
  const gates: (() => void)[] = [];
  const w = {
    name: 'gated',
    stored: [] as EventEnvelope[],
    writeBatch(batch: WriteBatch): Promise<void> {
      return new Promise<void>((resolve) => {
        gates.push(() => {
          w.stored.push(...batch.events);
          resolve();
        });
      });
    },
    ack: () => gates.shift()?.(),
    waiting: () => gates.length,
  };
  return w;
}

// lets the queue's worker (started on setImmediate) and the store's pump run; no wall-clock wait
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let j = 0; j < 20; j++) await Promise.resolve();
  }
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-sink-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('StoreSink', () => {
  it('queues 10000 events by default and refuses the next', async () => {
    const writer = gatedWriter();
    const sink = new StoreSink(new ResilientSink(writer, { batchSize: 1, maxPendingEvents: 1 }));
    const events = makeEvents(10_001);
    const accepted = events.filter((e) => sink.tryEmit(e)).length;
    expect(accepted).toBe(10_000);
    expect(sink.metrics).toMatchObject({ emitted: 10_001, dropped: 1, pending: 10_000, delivered: 0 });
    const done = sink.flush();
    while (writer.stored.length < 10_000) {
      writer.ack();
      await settle();
    }
    await done;
    expect(sink.metrics).toMatchObject({ delivered: 10_000, pending: 0, dropped: 1 });
    await sink.shutdown();
  });

  it('counts events held by the queue and by the store as pending, none twice', async () => {
    const writer = gatedWriter();
    const sink = new StoreSink(new ResilientSink(writer, { batchSize: 2, maxPendingEvents: 4 }), { maxQueueSize: 100 });
    const events = makeEvents(10);
    for (const e of events) expect(sink.tryEmit(e)).toBe(true);
    await settle();
    expect(writer.waiting()).toBe(1);
    expect(sink.store.metrics.pending).toBeGreaterThan(0);
    expect(sink.metrics).toMatchObject({ emitted: 10, pending: 10, delivered: 0, dropped: 0 });
    const flushed = sink.flush();
    while (writer.stored.length < 10) {
      writer.ack();
      await settle();
    }
    await flushed;
    expect(sink.metrics).toMatchObject({ emitted: 10, pending: 0, delivered: 10, dropped: 0 });
    expect(idsOf(writer.stored)).toEqual(idsOf(events));
    await sink.shutdown();
  });

  it('flush resolves only once the store has written what the queue handed it', async () => {
    const writer = gatedWriter();
    const sink = new StoreSink(new ResilientSink(writer, { batchSize: 100 }));
    for (const e of makeEvents(3)) sink.tryEmit(e);
    let flushed = false;
    const done = sink.flush().then(() => {
      flushed = true;
    });
    await settle();
    expect(flushed).toBe(false);
    writer.ack();
    await done;
    expect(writer.stored).toHaveLength(3);
    await sink.shutdown();
  });

  it('drains for 30 s by default on shutdown, then dead-letters what is left, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const writer = gatedWriter();
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new StoreSink(
      new ResilientSink(writer, {
        batchSize: 5,
        maxPendingEvents: 5,
        retry: { maxAttempts: 100, budgetMs: 3_600_000 },
        deadLetterPath,
      }),
    );
    const events = makeEvents(20);
    for (const e of events) sink.tryEmit(e);
    let done = false;
    const shutdown = sink.shutdown().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await shutdown;
    expect(idsOf(readDeadLetter(deadLetterPath)).sort()).toEqual(idsOf(events).sort());
    expect(sink.metrics).toMatchObject({ emitted: 20, deadLettered: 20, dropped: 0, pending: 0, delivered: 0 });
    expect(vi.getTimerCount()).toBe(0);
    expect(sink.shutdown()).toBe(sink.shutdown());
  });

  it('a quick shutdown clears its drain timer: the store is not expired afterwards', async () => {
    vi.useFakeTimers();
    const writer = gatedWriter();
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new StoreSink(new ResilientSink(writer, { batchSize: 1, deadLetterPath }), { drainTimeoutMs: 1000 });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    const shutdown = sink.shutdown();
    await vi.advanceTimersByTimeAsync(10);
    writer.ack();
    await shutdown;
    expect(sink.metrics).toMatchObject({ emitted: 1, delivered: 1, pending: 0 });
    await vi.advanceTimersByTimeAsync(2000);
    // an event handed to the store itself after shutdown says why it was not stored: shut down, not expired
    sink.store.tryEmit({ type: 'a.late' });
    expect(readDeadLetter(deadLetterPath)).toEqual([{ type: 'a.late' }]);
    expect(readFileSync(deadLetterPath, 'utf8')).toMatch(/event emitted after shutdown/);
  });

  it('counts events the store drops (a permanent error, no dead-letter file) as dropped, not pending', async () => {
    const refusing: BatchWriter = {
      name: 'refusing',
      writeBatch: () => Promise.reject(new Error('permission denied')),
      isTransient: () => false,
    };
    const sink = new StoreSink(new ResilientSink(refusing, { batchSize: 2 }));
    for (const e of makeEvents(5)) sink.tryEmit(e);
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ emitted: 5, delivered: 0, deadLettered: 0, dropped: 5, pending: 0 });
  });
});
