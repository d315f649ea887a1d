// ResilientSink behaviour the accounting tests do not pin down: when batches go out, the exact delays and budget, what
// the dead-letter records and the error hook say, and optional writer methods. Written against the mutants
// `npm run mutation` found surviving in src/stores/resilient-sink.ts. No test here depends on the machine's speed:
// time is either faked or injected through `sleep`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import type { BatchResult } from '../../../src/stores/batch-writer.js';
import { ResilientSink, type BatchWriter, type WriteBatch } from '../../../src/stores/index.js';
import { idsOf, makeEvents, readDeadLetterRecords } from '../../helpers/store-events.js';

/** A writer whose every write waits until the test settles it. */
class GatedWriter implements BatchWriter {
  readonly name = 'gated';
  readonly batches: WriteBatch[] = [];
  readonly stored: EventEnvelope[] = [];
  private readonly _gates: { resolve: (r?: BatchResult) => void; reject: (e: unknown) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  writeBatch(batch: WriteBatch): Promise<void | BatchResult> {
    this.batches.push(batch);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<void | BatchResult>((resolve, reject) => {
      this._gates.push({
        resolve: (r) => {
          this.inFlight--;
          this.stored.push(...batch.events);
          resolve(r);
        },
        reject: (e) => {
          this.inFlight--;
          reject(e);
        },
      });
    });
  }
  /** Acknowledges the oldest write still waiting. */
  ack(): void {
    this._gates.shift()?.resolve();
  }
  fail(error: unknown): void {
    this._gates.shift()?.reject(error);
  }
  get waiting(): number {
    return this._gates.length;
  }
}

/** A writer that fails its first `failures` writes with `error`, then stores. */
function failingWriter(
  failures: number,
  error: unknown = new Error('connection lost'),
): BatchWriter & {
  batches: WriteBatch[];
  stored: EventEnvelope[];
} {
  let left = failures;
  const w = {
    name: 'memory',
    batches: [] as WriteBatch[],
    stored: [] as EventEnvelope[],
    async writeBatch(batch: WriteBatch): Promise<void> {
      await Promise.resolve();
      w.batches.push(batch);
      if (left > 0) {
        left--;
        throw error;
      }
      w.stored.push(...batch.events);
    },
  };
  return w;
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resilient-behaviour-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('ResilientSink: when batches go out', () => {
  it('writes a full batch at once, without waiting for the flush interval', async () => {
    vi.useFakeTimers();
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 3, flushIntervalMs: 1000 });
    for (const e of makeEvents(3)) sink.tryEmit(e);
    await settle();
    expect(writer.batches.map((b) => b.events.length)).toEqual([3]);
    writer.ack();
    await sink.shutdown();
  });

  it('keeps one batch in flight, writes the full batches that queued meanwhile, and holds the remainder for the interval', async () => {
    vi.useFakeTimers();
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 3, flushIntervalMs: 1000, maxPendingEvents: 100 });
    const events = makeEvents(10);
    for (const e of events) sink.tryEmit(e);
    await settle();
    expect(writer.batches).toHaveLength(1);
    expect(sink.metrics.pending).toBe(10);
    writer.ack();
    await settle();
    expect(writer.batches).toHaveLength(2);
    writer.ack();
    await settle();
    writer.ack();
    await settle();
    // 9 written in three batches, one at a time; the tenth waits for company
    expect(writer.maxInFlight).toBe(1);
    expect(writer.batches.map((b) => b.events.length)).toEqual([3, 3, 3]);
    await vi.advanceTimersByTimeAsync(999);
    expect(writer.batches).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(writer.batches).toHaveLength(4);
    writer.ack();
    await sink.flush();
    expect(idsOf(writer.stored)).toEqual(idsOf(events));
    await sink.shutdown();
  });

  it('writes a batch that producers waiting for room filled while the last write finished, without waiting for the timer', async () => {
    vi.useFakeTimers();
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 2, maxPendingEvents: 2, flushIntervalMs: 1000 });
    const events = makeEvents(4);
    sink.tryEmit(events[0] as EventEnvelope);
    sink.tryEmit(events[1] as EventEnvelope);
    const waiting = [sink.emit(events[2] as EventEnvelope), sink.emit(events[3] as EventEnvelope)];
    await settle();
    expect(writer.batches).toHaveLength(1);
    writer.ack();
    await Promise.all(waiting);
    await settle();
    expect(writer.batches.map((b) => idsOf(b.events))).toEqual([idsOf(events.slice(0, 2)), idsOf(events.slice(2))]);
    writer.ack();
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ delivered: 4, dropped: 0 });
  });

  it('counts buffered and in-flight events as pending', async () => {
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 2, maxPendingEvents: 10 });
    for (const e of makeEvents(3)) sink.tryEmit(e);
    await settle();
    expect(writer.waiting).toBe(1);
    expect(sink.metrics.pending).toBe(3);
    writer.ack();
    const flushed = sink.flush();
    await settle();
    writer.ack();
    await flushed;
    expect(sink.metrics).toMatchObject({ pending: 0, delivered: 3 });
    await sink.shutdown();
  });

  it('measures the flush interval from the first event after a write, not from a timer a full batch made moot', async () => {
    vi.useFakeTimers();
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 3, flushIntervalMs: 100 });
    const events = makeEvents(4);
    sink.tryEmit(events[0] as EventEnvelope); // arms a timer for t=100
    await vi.advanceTimersByTimeAsync(50);
    sink.tryEmit(events[1] as EventEnvelope);
    sink.tryEmit(events[2] as EventEnvelope); // full: written now, the timer is cancelled
    await settle();
    writer.ack();
    await settle();
    await vi.advanceTimersByTimeAsync(10);
    sink.tryEmit(events[3] as EventEnvelope); // t=60: due at t=160
    await vi.advanceTimersByTimeAsync(90); // t=150
    expect(writer.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10); // t=160
    expect(writer.batches).toHaveLength(2);
    writer.ack();
    await sink.shutdown();
  });

  it('flush writes a partial batch at once, whatever the flush interval', async () => {
    const writer = failingWriter(0);
    const sink = new ResilientSink(writer, { batchSize: 10, flushIntervalMs: 3_600_000 });
    for (const e of makeEvents(2)) sink.tryEmit(e);
    await sink.flush();
    expect(writer.stored).toHaveLength(2);
    await sink.shutdown();
  });
});

describe('ResilientSink: retry delays and budget', () => {
  it('retries while the elapsed time plus the next wait is within budgetMs, and no further', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const writer = failingWriter(100);
    const waits: number[] = [];
    const outcomes: string[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      // random 0: each wait is exactly half the delay: 100, 200, 400, then 800 would end at 1500 > 700
      retry: { maxAttempts: 100, initialDelayMs: 200, maxDelayMs: 100_000, budgetMs: 700 },
      random: () => 0,
      sleep: (ms) => {
        waits.push(ms);
        vi.setSystemTime(Date.now() + ms);
        return Promise.resolve();
      },
      deadLetterPath: join(dir, 'dead.ndjson'),
      onError: (_e, info) => outcomes.push(`${info.outcome}:${info.attempt}`),
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(waits).toEqual([100, 200, 400]);
    expect(writer.batches).toHaveLength(4);
    expect(outcomes).toEqual(['retry:1', 'retry:2', 'retry:3', 'dead-lettered:4']);
  });

  it('uses 5 attempts, 100 ms doubling and a 5000 ms cap by default', async () => {
    const writer = failingWriter(100);
    const waits: number[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      random: () => 1 - Number.EPSILON,
      sleep: (ms) => {
        waits.push(Math.round(ms));
        return Promise.resolve();
      },
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(waits).toEqual([100, 200, 400, 800]);
    expect(writer.batches).toHaveLength(5);

    const longer = failingWriter(100);
    const longerWaits: number[] = [];
    const sink2 = new ResilientSink(longer, {
      batchSize: 1,
      retry: { maxAttempts: 9 },
      random: () => 1 - Number.EPSILON,
      sleep: (ms) => {
        longerWaits.push(Math.round(ms));
        return Promise.resolve();
      },
    });
    sink2.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink2.shutdown();
    expect(longerWaits).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('makes at least one attempt when maxAttempts is below 1', async () => {
    const writer = failingWriter(1);
    const sink = new ResilientSink(writer, { batchSize: 1, retry: { maxAttempts: 0 } });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(writer.batches).toHaveLength(1);
    expect(sink.metrics).toMatchObject({ delivered: 0, dropped: 1 });
  });

  it('treats every error as transient when the writer has no isTransient', async () => {
    const writer = failingWriter(2);
    const sink = new ResilientSink(writer, { batchSize: 2, sleep: () => Promise.resolve() });
    for (const e of makeEvents(2)) sink.tryEmit(e);
    await sink.shutdown();
    expect(writer.batches.map((b) => b.attempt)).toEqual([1, 2, 3]);
    expect(sink.metrics).toMatchObject({ delivered: 2, retried: 4, dropped: 0 });
  });
});

describe('ResilientSink: what the dead-letter file and the error hook say', () => {
  function permanent(error: unknown): BatchWriter {
    return {
      name: 'store',
      writeBatch: () => Promise.reject(error),
      isTransient: () => false,
    };
  }

  it("writes the error's message, its detail when it has one, and a thrown non-Error as text", async () => {
    const cases: [unknown, string][] = [
      [
        Object.assign(new Error('insert failed'), { detail: 'Key (id)=(1) already exists.' }),
        'insert failed (Key (id)=(1) already exists.)',
      ],
      [Object.assign(new Error('insert failed'), { detail: '' }), 'insert failed'],
      [Object.assign(new Error('insert failed'), { detail: 42 }), 'insert failed'],
      ['a plain string', 'a plain string'],
    ];
    for (const [i, [error, expected]] of cases.entries()) {
      const path = join(dir, `dead-${i}.ndjson`);
      const sink = new ResilientSink(permanent(error), { batchSize: 1, deadLetterPath: path });
      sink.tryEmit({ type: 'a.b', data: { n: i } });
      await sink.shutdown();
      expect(readDeadLetterRecords(path).map((r) => r.error)).toEqual([expected]);
    }
  });

  it('reports a dead-lettered batch as dead-lettered and, without a dead-letter file, the store error as dropped', async () => {
    const error = new Error('permission denied for table events');
    const reports: [unknown, unknown][] = [];
    const withFile = new ResilientSink(permanent(error), {
      batchSize: 2,
      deadLetterPath: join(dir, 'dead.ndjson'),
      onError: (e, info) => reports.push([e, info]),
    });
    for (const e of makeEvents(2)) withFile.tryEmit(e);
    await withFile.shutdown();
    expect(reports).toEqual([[error, { attempt: 1, events: 2, outcome: 'dead-lettered' }]]);

    reports.length = 0;
    const withoutFile = new ResilientSink(permanent(error), {
      batchSize: 2,
      onError: (e, info) => reports.push([e, info]),
    });
    for (const e of makeEvents(2)) withoutFile.tryEmit(e);
    await withoutFile.shutdown();
    expect(reports).toEqual([[error, { attempt: 1, events: 2, outcome: 'dropped' }]]);
    expect(withoutFile.metrics).toMatchObject({ dropped: 2, deadLettered: 0 });
  });

  it('counts a batch as dropped, naming the file, when the dead-letter file cannot be written', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const deadLetterPath = join(blocker, 'dead.ndjson');
    const reports: { message: string; cause: unknown; outcome: string; events: number }[] = [];
    const sink = new ResilientSink(permanent(new Error('refused')), {
      batchSize: 3,
      deadLetterPath,
      onError: (e, info) =>
        reports.push({
          message: (e as Error).message,
          cause: (e as Error).cause,
          outcome: info.outcome,
          events: info.events,
        }),
    });
    for (const e of makeEvents(3)) sink.tryEmit(e);
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ offered: 3, deadLettered: 0, dropped: 3, pending: 0 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      message: `ResilientSink(store): cannot write dead-letter file '${deadLetterPath}'`,
      outcome: 'dropped',
      events: 3,
    });
    expect((reports[0] as { cause: NodeJS.ErrnoException }).cause.code).toMatch(/^E/);
  });

  it('writes events a writer rejects to the dead-letter file in batch order', async () => {
    const writer: BatchWriter = {
      name: 'partial',
      writeBatch: () =>
        Promise.resolve({
          rejected: [
            { index: 2, error: new Error('two') },
            { index: 0, error: new Error('zero') },
          ],
        }),
    };
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(writer, { batchSize: 3, deadLetterPath });
    for (const e of makeEvents(3)) sink.tryEmit(e);
    await sink.shutdown();
    expect(readDeadLetterRecords(deadLetterPath).map((r) => r.error)).toEqual(['zero', 'two']);
    expect(sink.metrics).toMatchObject({ delivered: 1, deadLettered: 2 });
  });

  it('reports a streak of drops once, with the reason, and a new streak again', async () => {
    const writer = new GatedWriter();
    const reports: string[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 2,
      maxPendingEvents: 2,
      onError: (e, info) => reports.push(`${info.outcome}:${info.attempt}:${info.events}:${(e as Error).message}`),
    });
    const events = makeEvents(8);
    for (const e of events.slice(0, 5)) sink.tryEmit(e);
    expect(reports).toEqual(['dropped:0:1:ResilientSink(gated): dropping events (maxPendingEvents=2)']);
    await settle();
    writer.ack();
    await settle();
    for (const e of events.slice(5, 8)) sink.tryEmit(e);
    expect(reports).toHaveLength(2);
    expect(sink.metrics).toMatchObject({ offered: 8, dropped: 4 });
    await settle();
    writer.ack();
    await sink.shutdown();

    const closedReports: string[] = [];
    const closed = new ResilientSink(new GatedWriter(), {
      onError: (e, info) =>
        closedReports.push(`${info.outcome}:${info.attempt}:${info.events}:${(e as Error).message}`),
    });
    await closed.shutdown();
    closed.tryEmit({ type: 'a.late' });
    expect(closedReports).toEqual(['dropped:0:1:ResilientSink(gated): dropping events (shut down)']);
  });

  it('takes 4 × batchSize as maxPendingEvents by default, and never less than batchSize', async () => {
    const writer = new GatedWriter();
    const sink = new ResilientSink(writer, { batchSize: 2 });
    for (const e of makeEvents(9)) sink.tryEmit(e);
    expect(sink.metrics).toMatchObject({ offered: 9, dropped: 1, pending: 8 });
    const small = new GatedWriter();
    const sink2 = new ResilientSink(small, { batchSize: 3, maxPendingEvents: 1 });
    for (const e of makeEvents(4)) sink2.tryEmit(e);
    expect(sink2.metrics).toMatchObject({ offered: 4, dropped: 1, pending: 3 });
    for (let i = 0; i < 4; i++) writer.ack();
    small.ack();
    await settle();
    while (writer.waiting > 0 || small.waiting > 0) {
      writer.ack();
      small.ack();
      await settle();
    }
  });
});

describe('ResilientSink: after shutdown and expire', () => {
  it('dead-letters a late event at once with its own id, or a late: id, and says why', async () => {
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(failingWriter(0), { deadLetterPath });
    await sink.shutdown();
    sink.tryEmit({ type: 'a.one', id: 'mine' });
    sink.tryEmit({ type: 'a.two' });
    const records = readDeadLetterRecords(deadLetterPath);
    expect(records.map((r) => r.type)).toEqual(['a.one', 'a.two']);
    expect(records[0]?.event_id).toBe('mine');
    expect(records[1]?.event_id).toMatch(/^late:[0-9a-f-]{36}$/);
    expect(records[0]?.error).toBe('ResilientSink(memory): event emitted after shutdown');
    expect(sink.metrics).toMatchObject({ offered: 2, deadLettered: 2, dropped: 0 });
  });

  it('after expire, dead-letters new events at once with the first reason given; expire on an idle sink is harmless', async () => {
    const deadLetterPath = join(dir, 'dead.ndjson');
    const writer = failingWriter(0);
    const sink = new ResilientSink(writer, { deadLetterPath });
    sink.expire('the first reason');
    sink.expire('a second reason');
    sink.tryEmit({ type: 'a.one' });
    expect(readDeadLetterRecords(deadLetterPath).map((r) => r.error)).toEqual([
      'ResilientSink(memory): the first reason; not retried',
    ]);
    expect(writer.batches).toHaveLength(0);
    const other = new ResilientSink(failingWriter(0), { deadLetterPath: join(dir, 'other.ndjson') });
    other.expire();
    other.tryEmit({ type: 'a.two' });
    expect(readDeadLetterRecords(join(dir, 'other.ndjson'))[0]?.error).toBe(
      'ResilientSink(memory): the shutdown timeout passed; not retried',
    );
    await sink.shutdown();
    await other.shutdown();
  });

  it('expire during a write abandons it once: dead-lettered with the reason, the writer reset, no retry reported', async () => {
    const writer = new GatedWriter();
    const reset = vi.fn(() => Promise.resolve());
    const gated: BatchWriter = { name: 'gated', writeBatch: (b) => writer.writeBatch(b), reset };
    const deadLetterPath = join(dir, 'dead.ndjson');
    const reports: string[] = [];
    const sink = new ResilientSink(gated, {
      batchSize: 2,
      deadLetterPath,
      onError: (_e, info) => reports.push(`${info.outcome}:${info.attempt}`),
    });
    for (const e of makeEvents(2)) sink.tryEmit(e);
    await settle();
    sink.expire('stop now');
    await sink.flush();
    expect(reports).toEqual(['dead-lettered:1']);
    expect(reset).toHaveBeenCalledTimes(1);
    expect(readDeadLetterRecords(deadLetterPath).map((r) => r.error)).toEqual([
      'ResilientSink(gated): stop now; not retried',
      'ResilientSink(gated): stop now; not retried',
    ]);
    writer.ack();
    await sink.shutdown();
  });

  it('expire during a backoff wait dead-letters the batch, counting only the attempts made', async () => {
    const writer = failingWriter(100);
    const reports: string[] = [];
    const sink = new ResilientSink(writer, {
      batchSize: 1,
      deadLetterPath: join(dir, 'dead.ndjson'),
      sleep: () => new Promise<void>(() => undefined),
      onError: (_e, info) => reports.push(`${info.outcome}:${info.attempt}`),
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await settle();
    sink.expire();
    await sink.shutdown();
    expect(reports).toEqual(['retry:1', 'dead-lettered:1']);
    expect(writer.batches).toHaveLength(1);
  });

  it('does not wait out a backoff when expire is called from the error hook before it starts', async () => {
    const writer = failingWriter(100);
    let sink: ResilientSink | undefined;
    sink = new ResilientSink(writer, {
      batchSize: 1,
      deadLetterPath: join(dir, 'dead.ndjson'),
      sleep: () => new Promise<void>(() => undefined),
      onError: (_e, info) => {
        if (info.outcome === 'retry') sink?.expire('hook');
      },
    });
    sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
    await sink.shutdown();
    expect(sink.metrics).toMatchObject({ deadLettered: 1, pending: 0 });
  });

  it('shutdown with timeoutMs leaves no timer behind once it is done', async () => {
    vi.useFakeTimers();
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(failingWriter(0), { deadLetterPath });
    await sink.shutdown({ timeoutMs: 1000 });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2000);
    sink.tryEmit({ type: 'a.late' });
    expect(readDeadLetterRecords(deadLetterPath)[0]?.error).toBe('ResilientSink(memory): event emitted after shutdown');
  });

  it('names the timeout in the reason when shutdown times out', async () => {
    const writer = new GatedWriter();
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = new ResilientSink(writer, { batchSize: 1, deadLetterPath });
    sink.tryEmit({ type: 'a.one' });
    await sink.shutdown({ timeoutMs: 5 });
    expect(readDeadLetterRecords(deadLetterPath)[0]?.error).toBe(
      'ResilientSink(gated): shutdown timed out after 5 ms; not retried',
    );
  });

  it('closes the writer on shutdown, reports a failing close as dropped, and needs no close method', async () => {
    const close = vi.fn(() => Promise.reject(new Error('close failed')));
    const reports: [string, unknown][] = [];
    const sink = new ResilientSink(
      { name: 'c', writeBatch: () => Promise.resolve(), close },
      { onError: (e, info) => reports.push([(e as Error).message, info]) },
    );
    await sink.shutdown();
    expect(close).toHaveBeenCalledTimes(1);
    expect(reports).toEqual([['close failed', { attempt: 0, events: 0, outcome: 'dropped' }]]);

    const noCloseReports: unknown[] = [];
    const plain = new ResilientSink(
      { name: 'p', writeBatch: () => Promise.resolve() },
      { onError: (e) => noCloseReports.push(e) },
    );
    await plain.shutdown();
    expect(noCloseReports).toEqual([]);
  });
});
