import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { validateMetricsEventSink } from '../../../generated/index.js';
import { BackpressureAwareEventSink, CollectingEventSink } from '../../../src/sinks/index.js';
import type { BackpressureAwareEventSinkOptions, EventSink } from '../../../src/sinks/index.js';
import type { EventEnvelope } from '../../../src/runtime/index.js';

const sinks: BackpressureAwareEventSink[] = [];

function make(options: BackpressureAwareEventSinkOptions = {}): BackpressureAwareEventSink {
  const s = new BackpressureAwareEventSink({ downstream: new CollectingEventSink(), ...options });
  sinks.push(s);
  return s;
}

/** A downstream whose emit resolves only when released, to hold events in the queue. */
function gated(): { sink: EventSink; received: EventEnvelope[]; release: () => void } {
  const received: EventEnvelope[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  return {
    received,
    release: () => open(),
    sink: {
      async emit(e) {
        await gate;
        received.push(e);
      },
      tryEmit: () => undefined,
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(async () => {
  vi.useRealTimers();
  for (const s of sinks.splice(0)) await s.stop({ drain: false });
});

describe('BackpressureAwareEventSink', () => {
  it('starts with zero metrics and the default queue bound of 1000', () => {
    const s = make();
    expect(s.maxQueueSize).toBe(1000);
    expect(s.metrics).toMatchObject({
      offered: 0,
      emitted: 0,
      dropped: 0,
      delivered: 0,
      failed: 0,
      queueFullCount: 0,
      dropRatePercent: 0,
      lastEmitTime: 0,
      lastDropTime: 0,
    });
  });

  it('delivers an emitted event downstream unchanged', async () => {
    const down = new CollectingEventSink();
    const s = make({ downstream: down });
    await s.emit({ type: 'tool.completed', data: { a: 1 } });
    await s.flush();
    expect(down.events).toEqual([{ type: 'tool.completed', data: { a: 1 } }]);
  });

  it('tryEmit returns true and counts the event as emitted', () => {
    const s = make();
    expect(s.tryEmit({ type: 'x.y' })).toBe(true);
    expect(s.metrics.emitted).toBe(1);
    expect(s.metrics.lastEmitTime).toBeGreaterThan(0);
  });

  it('drops the newest event once the queue is full and counts it in dropped and queueFullCount', async () => {
    const g = gated();
    const s = make({ downstream: g.sink, maxQueueSize: 2 });
    expect(s.tryEmit({ type: 'a.one' })).toBe(true);
    await tick(); // the worker takes a.one and blocks on the gate
    expect(s.tryEmit({ type: 'a.two' })).toBe(true);
    expect(s.tryEmit({ type: 'a.three' })).toBe(true);
    expect(s.tryEmit({ type: 'a.four' })).toBe(false);
    expect(s.metrics).toMatchObject({ dropped: 1, queueFullCount: 1, emitted: 3, offered: 4 });
    expect(s.metrics.lastDropTime).toBeGreaterThan(0);
    g.release();
    await s.stop();
    expect(g.received.map((e) => e.type)).toEqual(['a.one', 'a.two', 'a.three']);
  });

  it('computes the drop rate as a percentage: 8 emits + 2 drops is 20, 1 + 1 is 50', () => {
    const s = make({ maxQueueSize: 8 });
    for (let i = 0; i < 10; i++) s.tryEmit({ type: 'a.b' });
    expect(s.metrics.dropRatePercent).toBe(20);
    const t = make({ maxQueueSize: 1 });
    t.tryEmit({ type: 'a.b' });
    t.tryEmit({ type: 'a.b' });
    expect(t.metricsEvent().data).toMatchObject({ drop_rate_percent: 50 });
  });

  it('calls onDrop with exactly the dropped type and data', () => {
    const onDrop = vi.fn();
    const s = make({ maxQueueSize: 1, onDrop });
    s.tryEmit({ type: 'a.kept', data: { n: 1 } });
    s.tryEmit({ type: 'a.dropped', data: { n: 2 } });
    expect(onDrop).toHaveBeenCalledExactlyOnceWith('a.dropped', { n: 2 });
  });

  it('isolates an onDrop that throws: tryEmit returns false and the error goes to onError (reference bug: it propagated)', () => {
    const onError = vi.fn();
    const s = make({
      maxQueueSize: 1,
      onDrop: () => {
        throw new Error('boom');
      },
      onError,
    });
    s.tryEmit({ type: 'a.b' });
    expect(() => s.tryEmit({ type: 'a.c' })).not.toThrow();
    expect(onError).toHaveBeenCalledOnce();
    expect((onError.mock.calls[0]![0] as Error).message).toBe('boom');
    expect(s.metrics.dropped).toBe(1);
  });

  it('delivers all five queued events on stop with drain', async () => {
    const down = new CollectingEventSink();
    const s = make({ downstream: down });
    for (let i = 0; i < 5; i++) s.tryEmit({ type: 'a.b', data: { i } });
    await s.stop();
    expect(down.events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    expect(s.metrics.delivered).toBe(5);
  });

  it('discards the queue on stop without drain, without counting drops', async () => {
    const down = new CollectingEventSink();
    const s = make({ downstream: down });
    for (let i = 0; i < 5; i++) s.tryEmit({ type: 'a.b' });
    await s.stop({ drain: false });
    expect(down.events).toHaveLength(0);
    expect(s.metrics).toMatchObject({ emitted: 5, dropped: 0, discarded: 5, delivered: 0 });
  });

  it('goes from not running to running to stopped, and start and stop are idempotent', async () => {
    const s = make();
    expect(s.isRunning).toBe(false);
    s.start();
    s.start();
    expect(s.isRunning).toBe(true);
    await s.stop();
    await s.stop();
    expect(s.isRunning).toBe(false);
  });

  it('auto-starts on emit and on tryEmit', async () => {
    const a = make();
    await a.emit({ type: 'a.b' });
    expect(a.isRunning).toBe(true);
    const b = make();
    b.tryEmit({ type: 'a.b' });
    expect(b.isRunning).toBe(true);
  });

  it('keeps going after a failing downstream, attempts both events and counts the failure (reference bug: uncounted)', async () => {
    const attempted: string[] = [];
    const onError = vi.fn();
    const s = make({
      onError,
      downstream: {
        emit: (e) => {
          attempted.push(e.type);
          return e.type === 'a.bad' ? Promise.reject(new Error('downstream down')) : Promise.resolve();
        },
        tryEmit: () => undefined,
      },
    });
    s.tryEmit({ type: 'a.bad' });
    s.tryEmit({ type: 'a.good' });
    await s.stop();
    expect(attempted).toEqual(['a.bad', 'a.good']);
    expect(s.metrics).toMatchObject({ delivered: 1, failed: 1, emitted: 2 });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'downstream down' }), { type: 'a.bad' });
  });

  it('never lets a drain error escape stop(), even from a downstream that throws synchronously (reference bug)', async () => {
    const s = make({
      downstream: {
        emit: () => {
          throw new Error('sync throw');
        },
        tryEmit: () => undefined,
      },
    });
    for (let i = 0; i < 3; i++) s.tryEmit({ type: 'a.b' });
    await expect(s.stop()).resolves.toBeUndefined();
    expect(s.metrics.failed).toBe(3);
  });

  it('counts delivered separately from emitted (reference bug: emitted meant enqueued only)', async () => {
    const g = gated();
    const s = make({ downstream: g.sink });
    s.tryEmit({ type: 'a.b' });
    s.tryEmit({ type: 'a.c' });
    await tick();
    expect(s.metrics).toMatchObject({ emitted: 2, delivered: 0 });
    g.release();
    await s.flush();
    expect(s.metrics).toMatchObject({ emitted: 2, delivered: 2 });
  });

  it('keeps emitted + dropped = offered under 1000 rapid tryEmits, and delivered + failed = emitted after a drained stop', async () => {
    let n = 0;
    const s = make({
      maxQueueSize: 100,
      downstream: {
        emit: () => (++n % 7 === 0 ? Promise.reject(new Error('every 7th')) : Promise.resolve()),
        tryEmit: () => undefined,
      },
    });
    for (let i = 0; i < 1000; i++) s.tryEmit({ type: 'a.b' });
    const m = s.metrics;
    expect(m.offered).toBe(1000);
    expect(m.emitted + m.dropped).toBe(1000);
    expect(m.dropped).toBe(900);
    await s.stop();
    const after = s.metrics;
    expect(after.delivered + after.failed).toBe(after.emitted);
    expect(after.failed).toBe(Math.floor(100 / 7));
  });

  it('makes emit wait for room instead of dropping, preserving order', async () => {
    const g = gated();
    const s = make({ downstream: g.sink, maxQueueSize: 1 });
    s.tryEmit({ type: 'a.first' });
    await tick();
    s.tryEmit({ type: 'a.second' });
    let resolved = false;
    const waiting = s.emit({ type: 'a.third' }).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    expect(s.tryEmit({ type: 'a.jumper' })).toBe(false);
    g.release();
    await waiting;
    await s.stop();
    expect(g.received.map((e) => e.type)).toEqual(['a.first', 'a.second', 'a.third']);
    expect(s.metrics).toMatchObject({ offered: 4, emitted: 3, dropped: 1, delivered: 3 });
  });

  it('discards what is left when the drain times out and reports it to onError', async () => {
    const onError = vi.fn();
    const s = make({
      onError,
      downstream: { emit: () => new Promise<void>(() => undefined), tryEmit: () => undefined },
    });
    for (let i = 0; i < 3; i++) s.tryEmit({ type: 'a.b' });
    await s.stop({ timeoutMs: 20 });
    expect(s.queueSize).toBe(0);
    expect(s.metrics.discarded).toBe(2);
    expect(String((onError.mock.calls[0]![0] as Error).message)).toMatch(
      /drain timed out after 20 ms with 2 events left/,
    );
  });

  it('works in a plain synchronous script with no event loop task running (reference bug: RuntimeError outside a loop)', () => {
    const script = `
      import { BackpressureAwareEventSink, CollectingEventSink } from './src/sinks/index.ts';
      const down = new CollectingEventSink();
      const s = new BackpressureAwareEventSink({ downstream: down });
      const ok = s.tryEmit({ type: 'a.b', data: 1 });
      process.on('beforeExit', () => { console.log(JSON.stringify({ ok, delivered: down.events.length })); });
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ ok: true, delivered: 1 });
  });

  it('offers its metrics as a metrics.event_sink event that validates against the schema', async () => {
    const s = make({ maxQueueSize: 2, name: 'db-queue' });
    for (let i = 0; i < 5; i++) s.tryEmit({ type: 'a.b' });
    await s.stop();
    const event = s.metricsEvent();
    expect(event.type).toBe('metrics.event_sink');
    expect(validateMetricsEventSink(event.data)).toBe(true);
    expect(event.data).toMatchObject({
      emitted: 2,
      dropped: 3,
      queue_full_count: 3,
      drop_rate_percent: 60,
      delivered: 2,
      failed: 0,
      offered: 5,
      queue_size: 0,
      max_queue_size: 2,
      sink: 'db-queue',
    });
  });

  it('sends metrics to metricsSink every metricsIntervalMs while running', () => {
    vi.useFakeTimers();
    const metrics = new CollectingEventSink();
    const s = make({ metricsIntervalMs: 1000, metricsSink: metrics });
    s.start();
    vi.advanceTimersByTime(3500);
    expect(metrics.types).toEqual(['metrics.event_sink', 'metrics.event_sink', 'metrics.event_sink']);
    for (const e of metrics.events) expect(validateMetricsEventSink(e.data)).toBe(true);
  });

  it('warns once per streak of drops through the logger', async () => {
    const warn = vi.fn();
    const s = make({ maxQueueSize: 1, logger: { warn } });
    s.tryEmit({ type: 'a.b' });
    s.tryEmit({ type: 'a.b' });
    s.tryEmit({ type: 'a.b' });
    await s.flush();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[1]).toBe('BackpressureAwareEventSink: dropped 2 events (maxQueueSize=1)');
  });

  it('never drops with an unbounded queue (maxQueueSize 0)', async () => {
    const down = new CollectingEventSink();
    const s = make({ downstream: down, maxQueueSize: 0 });
    for (let i = 0; i < 5000; i++) expect(s.tryEmit({ type: 'a.b', data: i })).toBe(true);
    await s.stop();
    expect(down.events).toHaveLength(5000);
    expect(down.events[4999]?.data).toBe(4999);
  });

  it('uses a LoggingEventSink downstream by default', () => {
    const script = `
      import { BackpressureAwareEventSink } from './src/sinks/index.ts';
      const s = new BackpressureAwareEventSink();
      s.tryEmit({ type: 'a.b', data: { n: 1 } });
      await s.stop();
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
      encoding: 'utf8',
    });
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      name: 'stageflow.events',
      msg: 'Event: a.b',
      event_type: 'a.b',
      event_data: { n: 1 },
      level: 30,
    });
  });
});

describe('BackpressureAwareEventSink after shutdown (issue 9)', () => {
  it('refuses tryEmit and emit after shutdown(), counts the refusals and never reaches the shut-down downstream', async () => {
    const downstream = new CollectingEventSink();
    const onError = vi.fn();
    const sink = new BackpressureAwareEventSink({ downstream, onError });
    expect(sink.tryEmit({ type: 'a.before' })).toBe(true);
    await sink.shutdown();
    expect(sink.tryEmit({ type: 'a.after' })).toBe(false);
    await sink.emit({ type: 'a.after.emit' });
    await sink.flush();
    expect(downstream.events.map((e) => e.type)).toEqual(['a.before']);
    const m = sink.metrics;
    expect(m).toMatchObject({ offered: 3, emitted: 1, delivered: 1, dropped: 2, refused: 2, queueFullCount: 0 });
    expect(m.emitted + m.dropped).toBe(m.offered);
    expect(String((onError.mock.calls[0] as [Error])[0].message)).toMatch(/'a.after' refused after shutdown/);
  });

  it('hands what a stop without drain discards to onDiscard, oldest first', async () => {
    const never: EventSink = { emit: () => new Promise<void>(() => undefined), tryEmit: () => undefined };
    const sink = new BackpressureAwareEventSink({ downstream: never, maxQueueSize: 10 });
    for (const type of ['a.1', 'a.2', 'a.3']) sink.tryEmit({ type });
    await new Promise((r) => setImmediate(r));
    const discarded: string[] = [];
    await sink.stop({
      drain: true,
      timeoutMs: 20,
      onDiscard: (events) => discarded.push(...events.map((e) => e.type)),
    });
    // a.1 is stuck in the downstream; the rest is handed over
    expect(discarded).toEqual(['a.2', 'a.3']);
    expect(sink.metrics.discarded).toBe(2);
  });
});
