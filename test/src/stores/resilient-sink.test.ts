import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import { ResilientSink, StoreSink, type BatchWriter, type WriteBatch } from '../../../src/stores/index.js';
import { exactlyOnce, idsOf, makeEvents, readDeadLetter, readDeadLetterRecords } from '../../helpers/store-events.js';

class MemoryWriter implements BatchWriter {
  readonly name = 'memory';
  readonly stored: EventEnvelope[] = [];
  readonly batches: WriteBatch[] = [];
  failuresLeft = 0;
  permanent = false;
  async writeBatch(batch: WriteBatch): Promise<void> {
    await Promise.resolve();
    this.batches.push(batch);
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw Object.assign(new Error('connection lost'), { code: this.permanent ? 'BAD' : 'ECONNRESET' });
    }
    this.stored.push(...batch.events);
  }
  isTransient(error: unknown): boolean {
    return (error as { code: string }).code !== 'BAD';
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resilient-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('ResilientSink', () => {
  it('writes full batches at once and the remainder on flush', async () => {
    const writer = new MemoryWriter();
    const sink = new ResilientSink(writer, { batchSize: 10 });
    for (const e of makeEvents(25)) sink.tryEmit(e);
    await sink.flush();
    expect(writer.batches.map((b) => b.events.length)).toEqual([10, 10, 5]);
    expect(idsOf(writer.stored)).toEqual(idsOf(makeEvents(25)));
    expect(sink.metrics).toMatchObject({ offered: 25, delivered: 25, batches: 3, pending: 0, dropped: 0 });
    await sink.shutdown();
  });

  it('writes a partial batch once the flush interval passes', async () => {
    vi.useFakeTimers();
    const writer = new MemoryWriter();
    const sink = new ResilientSink(writer, { batchSize: 100, flushIntervalMs: 50 });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await vi.advanceTimersByTimeAsync(49);
    expect(writer.stored).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writer.stored).toHaveLength(1);
    await sink.shutdown();
  });

  it('writes a partial batch flushIntervalMs after its first event even when a write was in flight then', async () => {
    vi.useFakeTimers();
    const written: string[][] = [];
    let release: (() => void) | undefined;
    const writer: BatchWriter = {
      name: 'slow',
      async writeBatch(batch) {
        written.push(batch.events.map((e) => e.type));
        // the first write hangs until released; the later ones are quick
        if (written.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    };
    const sink = new ResilientSink(writer, { batchSize: 2, flushIntervalMs: 50 });
    const [a1, a2, b] = makeEvents(3) as [EventEnvelope, EventEnvelope, EventEnvelope];
    // a full batch goes out at once and its write hangs
    sink.tryEmit(a1);
    sink.tryEmit(a2);
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toHaveLength(1);
    // b arrives while that write is in flight, and its interval passes before the write ends
    sink.tryEmit(b);
    await vi.advanceTimersByTimeAsync(60);
    expect(written).toHaveLength(1);
    release?.();
    // no second interval: b goes out as soon as the write in flight ends
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([[a1.type, a2.type], [b.type]]);
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ offered: 3, delivered: 3 });
  });

  it('retries a failed batch with the same batch id and counts the retried events', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 2;
    const errors: string[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 5,
      retry: { initialDelayMs: 1 },
      onError: (_e, info) => errors.push(`${info.outcome}:${info.attempt}`),
    });
    for (const e of makeEvents(5)) sink.tryEmit(e);
    await sink.flush();
    expect(writer.batches.map((b) => b.attempt)).toEqual([1, 2, 3]);
    expect(new Set(writer.batches.map((b) => b.batchId)).size).toBe(1);
    expect(sink.metrics).toMatchObject({ delivered: 5, retried: 10, deadLettered: 0, dropped: 0 });
    expect(errors).toEqual(['retry:1', 'retry:2']);
    await sink.shutdown();
  });

  it('dead-letters a batch after its attempts as replayable {type, data} lines', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 3;
    const deadLetterPath = join(dir, 'dl', 'dead.ndjson');
    const sink = new ResilientSink(writer, {
      batchSize: 4,
      retry: { maxAttempts: 3, initialDelayMs: 1 },
      deadLetterPath,
    });
    const events = makeEvents(8);
    for (const e of events) sink.tryEmit(e);
    await sink.shutdown();
    expect(readDeadLetter(deadLetterPath)).toEqual(events.slice(0, 4));
    expect(idsOf(writer.stored)).toEqual(idsOf(events.slice(4)));
    const m = sink.metrics;
    expect(m).toMatchObject({ offered: 8, delivered: 4, deadLettered: 4, dropped: 0, retried: 8 });
    expect(m.offered).toBe(m.delivered + m.deadLettered + m.dropped);
  });

  it('dead-letters at once on a permanent error', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 1;
    writer.permanent = true;
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(writer, { batchSize: 2, deadLetterPath });
    for (const e of makeEvents(2)) sink.tryEmit(e);
    await sink.shutdown();
    expect(writer.batches).toHaveLength(1);
    expect(sink.metrics).toMatchObject({ deadLettered: 2, retried: 0 });
  });

  it('stops retrying once the time budget is spent', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 100;
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      retry: { maxAttempts: 100, initialDelayMs: 20, budgetMs: 50 },
      deadLetterPath: join(dir, 'd.ndjson'),
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(writer.batches.length).toBeGreaterThan(1);
    expect(writer.batches.length).toBeLessThan(6);
    expect(sink.metrics.deadLettered).toBe(1);
  });

  it('counts events as dropped without a dead-letter file, when full, and after shutdown', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 1;
    writer.permanent = true;
    const sink = new ResilientSink(writer, { batchSize: 2, maxPendingEvents: 2 });
    const events = makeEvents(4);
    for (const e of events.slice(0, 3)) sink.tryEmit(e);
    await sink.shutdown();
    sink.tryEmit(events[3] as EventEnvelope);
    expect(sink.metrics).toMatchObject({ offered: 4, delivered: 0, deadLettered: 0, dropped: 4 });
  });

  it('makes emit wait for room instead of dropping', async () => {
    const writer = new MemoryWriter();
    const sink = new ResilientSink(writer, { batchSize: 2, maxPendingEvents: 2 });
    const events = makeEvents(9);
    for (const e of events) await sink.emit(e);
    await sink.shutdown();
    expect(idsOf(writer.stored)).toEqual(idsOf(events));
    expect(sink.metrics.dropped).toBe(0);
  });
});

describe('StoreSink', () => {
  it('accounts for every event behind the backpressure queue: emitted = delivered + dead-lettered + dropped', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 2;
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new StoreSink(
      new ResilientSink(writer, { batchSize: 50, retry: { maxAttempts: 2, initialDelayMs: 1 }, deadLetterPath }),
      { maxQueueSize: 100 },
    );
    const events = makeEvents(300);
    let refused = 0;
    for (const e of events) if (!sink.tryEmit(e)) refused++;
    await sink.shutdown();
    const m = sink.metrics;
    expect(refused).toBeGreaterThan(0);
    expect(m.emitted).toBe(300);
    expect(m.emitted).toBe(m.delivered + m.deadLettered + m.dropped);
    expect(m.dropped).toBe(refused);
    expect(m.deadLettered).toBe(50);
    expect(m.pending).toBe(0);
    const { missing, duplicated } = exactlyOnce(
      idsOf(events.slice(0, 300 - refused)),
      idsOf(writer.stored),
      idsOf(readDeadLetter(deadLetterPath)),
    );
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    expect(writer.stored.length + readDeadLetter(deadLetterPath).length).toBe(300 - refused);
  });
});

describe('ResilientSink under faults (issue 9)', () => {
  it('doubles the backoff delay on each retry and caps it at maxDelayMs', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 5;
    const delays: number[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      retry: { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 500 },
      // the top of the jitter range: each wait is the full delay
      random: () => 1 - Number.EPSILON,
      sleep: (ms) => {
        delays.push(Math.round(ms));
        return Promise.resolve();
      },
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(delays).toEqual([100, 200, 400, 500, 500]);
    expect(sink.metrics).toMatchObject({ delivered: 1, retried: 5 });
  });

  it('keeps half of each delay fixed and jitters the other half', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 3;
    const delays: number[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      retry: { maxAttempts: 4, initialDelayMs: 80, maxDelayMs: 10_000 },
      random: () => 0,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(delays).toEqual([40, 80, 160]);
  });

  it('counts the events a writer rejects as dead-lettered with their reason, the rest as delivered', async () => {
    const stored: EventEnvelope[] = [];
    const writer: BatchWriter = {
      name: 'partial',
      async writeBatch(batch) {
        await Promise.resolve();
        stored.push(...batch.events.filter((_, i) => i !== 1));
        return {
          rejected: [
            { index: 1, error: new Error('WRONGTYPE Operation against a key holding the wrong kind of value') },
          ],
        };
      },
    };
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(writer, { batchSize: 3, deadLetterPath });
    const events = makeEvents(3);
    for (const e of events) sink.tryEmit(e);
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ offered: 3, delivered: 2, deadLettered: 1, dropped: 0, retried: 0 });
    const [record] = readDeadLetterRecords(deadLetterPath);
    expect(record).toMatchObject({
      type: events[1]?.type,
      data: events[1]?.data,
      error: expect.stringMatching(/WRONGTYPE/),
    });
    expect(record?.event_id).toMatch(/:1$/);
  });

  it('passes each event id to the writer, the same on every attempt, and writes it to the dead-letter file', async () => {
    const writer = new MemoryWriter();
    writer.failuresLeft = 2;
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(writer, {
      batchSize: 2,
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      deadLetterPath,
    });
    sink.tryEmit({ type: 'a.one', id: 'my-own-id' });
    sink.tryEmit({ type: 'a.two' });
    await sink.shutdown();
    expect(writer.batches[0]?.eventIds).toEqual(writer.batches[1]?.eventIds);
    expect(writer.batches[0]?.eventIds[0]).toBe('my-own-id');
    expect(readDeadLetterRecords(deadLetterPath).map((r) => r.event_id)).toEqual(writer.batches[0]?.eventIds);
  });

  it('on a shutdown timeout abandons the attempt in flight and dead-letters everything left, untried', async () => {
    const attempts: WriteBatch[] = [];
    const hanging: BatchWriter = {
      name: 'hanging',
      writeBatch(batch) {
        attempts.push(batch);
        return new Promise<void>(() => undefined);
      },
      reset: vi.fn(() => Promise.resolve()),
    };
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(hanging, {
      batchSize: 10,
      maxPendingEvents: 100,
      retry: { maxAttempts: 100, budgetMs: 3_600_000 },
      deadLetterPath,
    });
    const events = makeEvents(95);
    for (const e of events) sink.tryEmit(e);
    await sink.shutdown({ timeoutMs: 30 });
    expect(attempts).toHaveLength(1);
    expect(hanging.reset).toHaveBeenCalled();
    expect(sink.metrics).toMatchObject({ offered: 95, delivered: 0, deadLettered: 95, dropped: 0, pending: 0 });
    expect(idsOf(readDeadLetter(deadLetterPath))).toEqual(idsOf(events));
    sink.tryEmit({ type: 'a.late' });
    expect(sink.metrics).toMatchObject({ offered: 96, deadLettered: 96 });
  });
});

describe('StoreSink shutdown (issue 9)', () => {
  it('honours drainTimeoutMs against a store that never answers and dead-letters every event, dropping none', async () => {
    const hanging: BatchWriter = { name: 'hanging', writeBatch: () => new Promise<void>(() => undefined) };
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new StoreSink(
      new ResilientSink(hanging, {
        batchSize: 50,
        maxPendingEvents: 100,
        retry: { maxAttempts: 100, budgetMs: 3_600_000 },
        deadLetterPath,
      }),
      { maxQueueSize: 1000, drainTimeoutMs: 50 },
    );
    const events = makeEvents(1000);
    for (const e of events) expect(sink.tryEmit(e)).toBe(true);
    await sink.shutdown();
    const m = sink.metrics;
    expect(m).toMatchObject({ emitted: 1000, delivered: 0, deadLettered: 1000, dropped: 0, pending: 0 });
    expect(exactlyOnce(idsOf(events), idsOf(readDeadLetter(deadLetterPath)))).toEqual({ missing: [], duplicated: [] });
    expect(sink.tryEmit(makeEvents(1)[0] as EventEnvelope)).toBe(false);
    expect(sink.metrics.emitted).toBe(sink.metrics.delivered + sink.metrics.deadLettered + sink.metrics.dropped);
  });
});
