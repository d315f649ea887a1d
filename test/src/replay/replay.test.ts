import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSchema, parseSinkTarget, replay } from '../../../src/replay/index.js';
import { CollectingEventSink, NdjsonFileEventSink } from '../../../src/sinks/index.js';
import { ReplayError } from '../../../src/errors.js';

const SAMPLE = new URL('../../fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;
const sampleLines = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const sampleEvents = sampleLines.map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
const toolCompleted = sampleEvents.find((e) => e.type === 'tool.completed') as {
  type: string;
  data: Record<string, unknown>;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-replay-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function record(events: readonly { type: string; data?: unknown }[], now?: () => number): Promise<string> {
  const path = join(dir, 'events.ndjson');
  const rec = new NdjsonFileEventSink({ path, describe: describeSchema, ...(now === undefined ? {} : { now }) });
  for (const e of events) rec.tryEmit(e);
  await rec.shutdown();
  return path;
}

describe('replay', () => {
  it('replays bare {type, data} lines captured from the reference in the original order', async () => {
    const sink = new CollectingEventSink();
    const summary = await replay(SAMPLE, { sink });
    expect(summary).toMatchObject({ read: sampleLines.length, corrupt: 0, skipped: 0 });
    expect(summary.replayed + summary.invalid).toBe(sampleLines.length);
    const valid = sampleEvents.filter((e) => !(e.type in summary.drift));
    expect(sink.types.slice(0, 5)).toEqual(valid.slice(0, 5).map((e) => e.type));
  });

  it('round-trips its own snapshots: seq and schema fields are stripped, the events come back unchanged', async () => {
    const events = sampleEvents.slice(0, 40);
    const path = await record(events);
    const first = JSON.parse(readFileSync(path, 'utf8').split('\n')[0] as string) as Record<string, unknown>;
    expect(first).toMatchObject({
      seq: 1,
      schema_id: expect.stringMatching(/^https:\/\/stageflow-events.dev\/schemas\//),
      schema_version: 1,
    });
    const sink = new CollectingEventSink();
    const summary = await replay(path, { sink, validate: false });
    expect(summary.replayed).toBe(40);
    expect(sink.events).toEqual(events);
  });

  it('reads gzip and streams', async () => {
    const gz = file('s.ndjson.gz', gzipSync(readFileSync(SAMPLE)));
    expect((await replay(gz, { validate: false })).replayed).toBe(sampleLines.length);
    expect((await replay(Readable.from([`${sampleLines[0]}\n`]), { validate: false })).replayed).toBe(1);
  });

  it('reports drift per type with the failing fields, and does not replay invalid events', async () => {
    const { pipeline_run_id: _drop, ...withoutRunId } = toolCompleted.data;
    const path = file(
      'drift.ndjson',
      `${[
        JSON.stringify(toolCompleted),
        JSON.stringify({ type: 'tool.completed', data: { ...toolCompleted.data, surprise: 1 } }),
        JSON.stringify({ type: 'tool.completed', data: withoutRunId }),
        JSON.stringify({ type: 'tool.completed', data: { ...toolCompleted.data, surprise: 2 } }),
        JSON.stringify({ type: 'gone.event', data: {} }),
      ].join('\n')}\n`,
    );
    const sink = new CollectingEventSink();
    const summary = await replay(path, { sink });
    expect(summary).toMatchObject({ read: 5, replayed: 1, invalid: 4, corrupt: 0 });
    expect(summary.drift).toEqual({
      'tool.completed': { count: 3, fields: { '/surprise': 2, '/pipeline_run_id': 1 } },
      'gone.event': { count: 1, fields: {}, unknown: true },
    });
    expect(sink.events).toHaveLength(1);
    expect((await replay(path, { replayInvalid: true })).replayed).toBe(5);
  });

  it('skips torn and corrupt lines with their line numbers and still replays everything valid', async () => {
    const good = JSON.stringify(toolCompleted);
    const path = file(
      'torn.ndjson',
      Buffer.concat([
        Buffer.from(`${good}\nnot json\n${good}\n`),
        Buffer.from([0x00, 0xff, 0xfe, 0x0a]),
        Buffer.from(`[1,2]\n{"data":{}}\n${good}\n${good.slice(0, 40)}`),
      ]),
    );
    const summary = await replay(path, { sink: new CollectingEventSink() });
    expect(summary).toMatchObject({ read: 8, replayed: 3, invalid: 0, corrupt: 5 });
    expect(summary.corruptLines.map((c) => c.line)).toEqual([2, 4, 5, 6, 8]);
    expect(summary.corruptLines[0]?.reason).toMatch(/^invalid JSON/);
    expect(summary.corruptLines[2]?.reason).toBe("expected a JSON object with 'type' and 'data', got an array");
    expect(summary.corruptLines[3]?.reason).toBe("expected a non-empty string field 'type'");
    expect(summary.corruptLines[4]?.reason).toMatch(/^torn final line, no line break after it: invalid JSON/);
  });

  it('reports an over-long line as corrupt without buffering it', async () => {
    const path = file(
      'long.ndjson',
      `${JSON.stringify({ type: 'a.b', data: 'x'.repeat(5000) })}\n${JSON.stringify(toolCompleted)}\n`,
    );
    const summary = await replay(path, { maxLineBytes: 1000 });
    expect(summary.corruptLines).toEqual([{ line: 1, reason: expect.stringMatching(/over the 1000-byte limit/) }]);
    expect(summary.replayed).toBe(1);
  });

  it('filters by type glob, run id and predicate, counting the rest as skipped', async () => {
    const run = toolCompleted.data.pipeline_run_id as string;
    const byType = await replay(SAMPLE, { validate: false, filter: { type: 'tool.*' } });
    expect(byType.replayed).toBe(sampleEvents.filter((e) => e.type.startsWith('tool.')).length);
    expect(byType.skipped).toBe(sampleLines.length - byType.replayed);
    const byRun = await replay(SAMPLE, { validate: false, filter: { runId: run } });
    expect(byRun.replayed).toBe(sampleEvents.filter((e) => e.data?.pipeline_run_id === run).length);
    const byPredicate = await replay(SAMPLE, { validate: false, filter: (e) => e.type === 'tool.completed' });
    expect(byPredicate.replayed).toBe(sampleEvents.filter((e) => e.type === 'tool.completed').length);
  });

  it('keeps the recorded gaps scaled by speed', async () => {
    const t = Date.UTC(2026, 0, 1);
    const times = [0, 100, 100, 1100];
    let k = 0;
    const path = await record(
      [{ type: 'a.b' }, { type: 'a.b' }, { type: 'a.b' }, { type: 'a.b' }],
      () => t + (times[k++] ?? 0),
    );
    const slept: number[] = [];
    const summary = await replay(path, { validate: false, speed: 2, sleep: async (ms) => void slept.push(ms) });
    expect(summary.replayed).toBe(4);
    expect(slept).toEqual([50, 500]);
  });

  it('throws a ReplayError naming a file it cannot read', async () => {
    await expect(replay(join(dir, 'missing.ndjson'))).rejects.toThrow(ReplayError);
    await expect(replay(join(dir, 'missing.ndjson'))).rejects.toThrow(/cannot read '.*missing.ndjson': ENOENT/);
  });

  it('keeps memory flat on a large snapshot (streams, does not load the file)', async () => {
    const path = join(dir, 'big.ndjson');
    const line = `${JSON.stringify(toolCompleted)}\n`;
    writeFileSync(path, line.repeat(100_000));
    const size = line.length * 100_000;
    // Measure what replay retains, not garbage awaiting collection: the heap between
    // collections depends on the GC's timing, which a loaded CI machine makes arbitrary.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // heap plus external memory, so a file held in Buffers would count too
    const retained = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const before = retained();
    let peak = before;
    let n = 0;
    const summary = await replay(path, {
      sink: {
        emit: () => {
          if (++n % 10_000 === 0) peak = Math.max(peak, retained());
          return Promise.resolve();
        },
        tryEmit: () => undefined,
      },
    });
    expect(summary.replayed).toBe(100_000);
    expect(size).toBeGreaterThan(40_000_000);
    // a replay that loaded the file would retain tens of MB; a streaming one retains a batch or two
    expect(peak - before).toBeLessThan(size / 10);
  });
});

describe('parseSinkTarget', () => {
  it('makes an ndjson recorder factory, and rejects other targets naming the accepted forms', async () => {
    const path = join(dir, 'out.ndjson');
    const sink = parseSinkTarget(`ndjson:${path}`)();
    sink.tryEmit({ type: 'tool.completed', data: toolCompleted.data });
    await sink.shutdown?.();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ seq: 1, type: 'tool.completed', schema_version: 1 });
    expect(() => parseSinkTarget('kafka:topic')).toThrow(
      "unknown sink target 'kafka:topic' (expected ndjson:<path>, sqlite:<path>, postgres://..., or redis://...)",
    );
    expect(() => parseSinkTarget('ndjson:')).toThrow(/unknown sink target/);
  });
});
