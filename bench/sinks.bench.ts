// runtime core bench (issue 3): validated emit vs unvalidated, BackpressureAwareEventSink.tryEmit vs a bare array,
// the NDJSON recorder vs pino to a file, and replay with re-validation vs readline + JSON.parse; medians and ranges
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import {
  emitToolCompleted,
  findEventDescriptor,
  type ToolCompletedData,
  type ToolCompletedInput,
} from '../generated/index.js';
import { clearEventSink, setEventSink, withEventSink } from '../src/runtime/sink-registry.js';
import { describeSchema, replay } from '../src/replay/index.js';
import { emitEvent } from '../src/runtime/index.js';
import {
  BackpressureAwareEventSink,
  CompositeEventSink,
  NdjsonFileEventSink,
  NoOpEventSink,
  type EventSink,
} from '../src/sinks/index.js';
import { configureValidation } from '../src/runtime/validation-policy.js';
import { measure, printTable, rate, type CaseResult } from './harness.js';

const SAMPLE = new URL('../test/fixtures/snapshots/reference-sample.ndjson', import.meta.url);
const events = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as { type: string; data: unknown });
const event = events.find((e) => e.type === 'tool.completed') as { type: string; data: unknown };
const descriptor = findEventDescriptor(event.type);
if (descriptor === undefined || !descriptor.validate(event.data))
  throw new Error('bench: the sample tool.completed event must be valid');
const dir = mkdtempSync(join(tmpdir(), 'sfe-bench-'));

async function measureAsync(name: string, fn: () => Promise<number>, rounds: number): Promise<CaseResult> {
  await fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const n = await fn();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    median: rates[Math.floor(rates.length / 2)] ?? 0,
    min: rates[0] ?? 0,
    max: rates[rates.length - 1] ?? 0,
  };
}

function verdict(label: string, value: number, target: number, unit: string): void {
  console.log(
    `${value >= target ? 'MET' : 'NOT MET'}: ${label} ${unit === 'x' ? `${value.toFixed(2)}x` : rate(value)} (target ${unit === 'x' ? `${target}x` : rate(target)})`,
  );
}

function ratio(results: readonly CaseResult[], a: string, b: string): number {
  const x = results.find((r) => r.name === a);
  const y = results.find((r) => r.name === b);
  return x !== undefined && y !== undefined ? x.median / y.median : 0;
}

// 1. validated emit into NoOpEventSink vs the same emit with validation off, on two paths:
//    a. emitEvent with the sink passed in and the payload complete: the validator's cost against an emit that does
//       almost nothing (the issue's target);
//    b. the typed emitter as users call it: sink resolved through the registry, timestamp filled by the emitter.
{
  const sink = new NoOpEventSink();
  const data = event.data;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) emitEvent('tool.completed', data, descriptor, { sink });
  };
  const { timestamp: _ts, ...withoutTimestamp } = event.data as ToolCompletedData;
  const input: ToolCompletedInput = { ...withoutTimestamp };
  const typed = (n: number): void => {
    for (let i = 0; i < n; i++) emitToolCompleted(input);
  };
  setEventSink(sink);
  configureValidation({ default: 'off', unknown: 'off' });
  const off = measure('emitEvent, validation off (peer)', run);
  const typedOff = measure('typed emitter, validation off (peer b)', typed);
  configureValidation({ default: 'throw', unknown: 'throw' });
  const on = measure('emitEvent, validated (throw mode)', run);
  const typedOn = measure('typed emitter, validated (throw mode)', typed);
  configureValidation({ default: 'off', unknown: 'off' });
  const off2 = measure('emitEvent, validation off (peer, again)', run);
  const typedOff2 = measure('typed emitter, validation off (peer b, again)', typed);
  clearEventSink();
  const results = [off, on, off2, typedOff, typedOn, typedOff2];
  printTable('1. tool.completed into NoOpEventSink', results, 'emitEvent, validation off (peer)');
  verdict(
    'validated / unvalidated emitEvent',
    ratio(results, 'emitEvent, validated (throw mode)', 'emitEvent, validation off (peer)'),
    0.6,
    'x',
  );
  console.log(
    `(not a target) validated / unvalidated typed emitter: ${ratio(results, 'typed emitter, validated (throw mode)', 'typed emitter, validation off (peer b)').toFixed(2)}x`,
  );
}

// 1c. the performance notes' composite path (item 8): the typed emitter inside a withEventSink scope (ALS getStore),
//     fanned out to [a no-op sink, a sink that serialises each event], so validation is set against serialisation
{
  let bytes = 0;
  const serialising: EventSink = {
    tryEmit: (e) => {
      bytes += JSON.stringify(e).length;
    },
    emit: async (e) => {
      bytes += JSON.stringify(e).length;
    },
  };
  const composite = new CompositeEventSink([new NoOpEventSink(), serialising]);
  const input = event.data as ToolCompletedInput;
  const scoped = (n: number): void =>
    withEventSink(composite, () => {
      for (let i = 0; i < n; i++) emitToolCompleted(input);
    });
  configureValidation({ default: 'off', unknown: 'off' });
  const off = measure('scoped composite + JSON.stringify, validation off (peer)', scoped);
  configureValidation({ default: 'throw', unknown: 'throw' });
  const on = measure('scoped composite + JSON.stringify, validated', scoped);
  configureValidation({ default: 'off', unknown: 'off' });
  const off2 = measure('scoped composite + JSON.stringify, validation off (peer, again)', scoped);
  const results = [off, on, off2];
  printTable(
    '1c. tool.completed, validated and serialised (performance notes item 8)',
    results,
    'scoped composite + JSON.stringify, validation off (peer)',
  );
  console.log(
    `(not a target) validated / unvalidated, serialised: ${ratio(results, 'scoped composite + JSON.stringify, validated', 'scoped composite + JSON.stringify, validation off (peer)').toFixed(2)}x; ${rate(on.median)} against the notes' budget of 150 k/s/core (${bytes > 0 ? 'serialised' : 'nothing serialised'})`,
  );
}

// 2. BackpressureAwareEventSink.tryEmit: offered events per second, with exact accounting checked after every round
{
  const e = { type: 'tool.completed', data: event.data };
  const noop = new NoOpEventSink();
  const ring: unknown[] = new Array(1024);
  const peer = measure('preallocated array slot write (peer)', (n) => {
    for (let i = 0; i < n; i++) ring[i & 1023] = e;
  });
  const sink = new BackpressureAwareEventSink({ downstream: noop });
  const full = measure('tryEmit, queue of 1000 full (drop path)', (n) => {
    const before = sink.metrics;
    for (let i = 0; i < n; i++) sink.tryEmit(e);
    const m = sink.metrics;
    if (m.offered - before.offered !== n || m.emitted + m.dropped !== m.offered)
      throw new Error('bench: accounting is off');
  });
  await sink.stop();
  const flowing = new BackpressureAwareEventSink({ downstream: noop, maxQueueSize: 4096 });
  const drained = await measureAsync(
    'tryEmit + drain, producer yields every 4096 (no drops)',
    async () => {
      const n = 1 << 20;
      for (let i = 0; i < n; i += 4096) {
        for (let k = 0; k < 4096; k++) flowing.tryEmit(e);
        await new Promise((r) => setImmediate(r));
      }
      await flowing.flush();
      const m = flowing.metrics;
      if (m.emitted + m.dropped !== m.offered || m.delivered + m.failed !== m.emitted)
        throw new Error('bench: accounting is off');
      return n;
    },
    5,
  );
  await flowing.stop();
  const results = [peer, full, drained];
  printTable(
    '2. BackpressureAwareEventSink.tryEmit (offered events/s)',
    results,
    'preallocated array slot write (peer)',
  );
  verdict('tryEmit offered/s (queue full)', full.median, 10e6, '/s');
  verdict('tryEmit offered/s (flowing, delivered end to end)', drained.median, 10e6, '/s');
  console.log(`accounting after the flowing case: ${JSON.stringify(flowing.metrics)}`);
}

// 3. the recorder vs pino writing the same events to a file (both batched, synchronous writes)
{
  const recPath = join(dir, 'rec.ndjson');
  const rec = new NdjsonFileEventSink({ path: recPath, describe: describeSchema, flushIntervalMs: 0 });
  const recorder = measure('NdjsonFileEventSink', (n) => {
    for (let i = 0; i < n; i++) rec.tryEmit(events[i % events.length] as { type: string; data: unknown });
    void rec.flush();
  });
  await rec.shutdown();
  const dest = pino.destination({ dest: join(dir, 'pino.ndjson'), sync: true, minLength: 8 * 1024 });
  const logger = pino({ name: 'stageflow.events' }, dest);
  const pinoCase = measure('pino to a file (peer)', (n) => {
    for (let i = 0; i < n; i++) {
      const ev = events[i % events.length] as { type: string; data: unknown };
      logger.info({ event_type: ev.type, event_data: ev.data }, `Event: ${ev.type}`);
    }
    dest.flushSync();
  });
  const results = [pinoCase, recorder];
  printTable('3. recording the reference sample events to a file', results, 'pino to a file (peer)');
  verdict('recorder events/s', recorder.median, 250e3, '/s');
  verdict('recorder / pino', ratio(results, 'NdjsonFileEventSink', 'pino to a file (peer)'), 1.5, 'x');
}

// 4. replay with re-validation of a 1 M event snapshot vs readline + JSON.parse of the same file
{
  const path = join(dir, 'big.ndjson');
  const valid = events.filter((e) => findEventDescriptor(e.type)?.validate(e.data) === true);
  const fd = openSync(path, 'w');
  const N = 1_000_000;
  let seq = 0;
  for (let i = 0; i < N; i += 10_000) {
    let chunk = '';
    for (let k = 0; k < 10_000; k++) {
      const ev = valid[(i + k) % valid.length] as { type: string; data: unknown };
      chunk += `{"seq":${++seq},"recorded_at":"2026-11-25T17:49:11.000+00:00","schema_id":null,"schema_version":null,"type":${JSON.stringify(ev.type)},"data":${JSON.stringify(ev.data)}}\n`;
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
  let peakRss = process.memoryUsage.rss();
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const startRss = process.memoryUsage.rss();
  const sink = new NoOpEventSink();
  const replayed = await measureAsync(
    'replay, re-validated, into NoOpEventSink',
    async () => {
      const s = await replay(path, { sink });
      if (s.replayed !== N || s.invalid !== 0 || s.corrupt !== 0)
        throw new Error(`bench: replay summary is off: ${JSON.stringify(s)}`);
      return N;
    },
    3,
  );
  const peer = await measureAsync(
    'readline + JSON.parse, no validation (peer)',
    async () => {
      let n = 0;
      for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
        if (line !== '' && JSON.parse(line) !== null) n++;
      return n;
    },
    3,
  );
  clearInterval(rssTimer);
  const results = [peer, replayed];
  printTable('4. replaying a 1 M event snapshot', results, 'readline + JSON.parse, no validation (peer)');
  verdict('replay with re-validation events/s', replayed.median, 250e3, '/s');
  console.log(
    `peak RSS during both replay cases: ${(peakRss / 2 ** 20).toFixed(0)} MiB (RSS before: ${(startRss / 2 ** 20).toFixed(0)} MiB; snapshot ${((await import('node:fs')).statSync(path).size / 2 ** 20).toFixed(0)} MiB)`,
  );
}

rmSync(dir, { recursive: true, force: true });
