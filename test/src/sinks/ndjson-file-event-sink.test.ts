import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NdjsonFileEventSink } from '../../../src/sinks/index.js';
import { replay } from '../../../src/replay/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-rec-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('NdjsonFileEventSink', () => {
  it('writes one snapshot line per event with seq, recorded_at, the schema reference and the event', async () => {
    const path = join(dir, 'events.ndjson');
    const sink = new NdjsonFileEventSink({
      path,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      describe: (t) =>
        t === 'tool.completed' ? { schemaId: 'https://x/tool.completed.v1.json', version: 1 } : undefined,
    });
    sink.tryEmit({ type: 'tool.completed', data: { tool: 'a' } });
    await sink.emit({ type: 'custom.thing' });
    await sink.shutdown();
    expect(lines(path)).toEqual([
      {
        seq: 1,
        recorded_at: '2026-01-02T03:04:05.006+00:00',
        schema_id: 'https://x/tool.completed.v1.json',
        schema_version: 1,
        type: 'tool.completed',
        data: { tool: 'a' },
      },
      {
        seq: 2,
        recorded_at: '2026-01-02T03:04:05.006+00:00',
        schema_id: null,
        schema_version: null,
        type: 'custom.thing',
        data: null,
      },
    ]);
  });

  it('batches lines: nothing reaches the file before maxBatchLines or the interval, then one batch', async () => {
    vi.useFakeTimers();
    const path = join(dir, 'events.ndjson');
    const sink = new NdjsonFileEventSink({ path, maxBatchLines: 3, flushIntervalMs: 1000 });
    sink.tryEmit({ type: 'a.b' });
    sink.tryEmit({ type: 'a.b' });
    expect(statSync(path).size).toBe(0);
    sink.tryEmit({ type: 'a.b' });
    expect(lines(path)).toHaveLength(3);
    sink.tryEmit({ type: 'a.b' });
    expect(lines(path)).toHaveLength(3);
    vi.advanceTimersByTime(1000);
    expect(lines(path)).toHaveLength(4);
    await sink.shutdown();
  });

  it('flushes on shutdown, and shutdown is idempotent; events after it go to onError', async () => {
    const onError = vi.fn();
    const path = join(dir, 'events.ndjson');
    const sink = new NdjsonFileEventSink({ path, onError });
    sink.tryEmit({ type: 'a.b' });
    await sink.shutdown();
    await sink.shutdown();
    expect(lines(path)).toHaveLength(1);
    sink.tryEmit({ type: 'a.late' });
    expect(String((onError.mock.calls[0]![0] as Error).message)).toMatch(/event 'a.late' emitted after shutdown/);
  });

  it('rotates to events.1.ndjson, events.2.ndjson before a file would pass maxFileBytes, splitting only at line ends', async () => {
    const path = join(dir, 'events.ndjson');
    const sink = new NdjsonFileEventSink({ path, maxFileBytes: 400, maxBatchLines: 2 });
    for (let i = 0; i < 12; i++) sink.tryEmit({ type: 'a.b', data: { i, pad: 'p'.repeat(60) } });
    await sink.shutdown();
    // each line is about 170 bytes, so two fit in 400
    expect(sink.files).toEqual([path, ...[1, 2, 3, 4, 5].map((k) => join(dir, `events.${k}.ndjson`))]);
    expect(readdirSync(dir).sort()).toEqual([
      'events.1.ndjson',
      'events.2.ndjson',
      'events.3.ndjson',
      'events.4.ndjson',
      'events.5.ndjson',
      'events.ndjson',
    ]);
    const all = sink.files.flatMap((f) => {
      expect(statSync(f).size).toBeLessThanOrEqual(400);
      return lines(f);
    });
    expect(all.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('never throws from tryEmit on data JSON cannot encode; reports it and keeps seq contiguous', async () => {
    const onError = vi.fn();
    const path = join(dir, 'events.ndjson');
    const sink = new NdjsonFileEventSink({ path, onError });
    sink.tryEmit({ type: 'a.b', data: { n: 1n } });
    sink.tryEmit({ type: 'a.c', data: {} });
    await sink.shutdown();
    expect(onError).toHaveBeenCalledOnce();
    expect(lines(path).map((l) => [l.seq, l.type])).toEqual([[1, 'a.c']]);
  });

  it('loses at most the last partial line when the recording process is killed', async () => {
    const path = join(dir, 'events.ndjson');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('../../helpers/record-until-killed.ts', import.meta.url).pathname, path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let flushed = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        const last = b.toString().trim().split('\n').pop();
        flushed = Number(last);
        if (flushed >= 20_000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    const summary = await replay(path, { validate: false });
    expect(summary.corrupt).toBeLessThanOrEqual(1);
    if (summary.corrupt === 1) expect(summary.corruptLines[0]?.line).toBe(summary.read);
    expect(summary.replayed).toBeGreaterThanOrEqual(20_000);
    const seqs = readFileSync(path, 'utf8')
      .split('\n')
      .slice(0, summary.replayed)
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
  });
});
