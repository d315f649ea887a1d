// issue 9: the recorder on a full file system and restarted on the same path. The full-disk case mounts a 64 KiB tmpfs
// (needs root, as in CI); where mount is impossible that one test is skipped with the reason, /dev/full still runs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackpressureAwareEventSink, NdjsonFileEventSink } from '../../../src/sinks/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-rec-faults-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const rawLines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);

function event(i: number): { type: string; data: unknown } {
  return { type: 'agent.turn.started', data: { turn: i, note: 'x'.repeat(100) } };
}

describe('NdjsonFileEventSink on a full device', () => {
  it('rejects emit on /dev/full, counts the event failed and reports it through onError', async () => {
    const onError = vi.fn();
    const sink = new NdjsonFileEventSink({ path: '/dev/full', onError });
    await expect(sink.emit(event(1))).rejects.toThrow(/not recorded, the write to '\/dev\/full' failed: ENOSPC/);
    sink.tryEmit(event(2));
    await sink.shutdown();
    expect(sink.metrics).toEqual({ offered: 2, delivered: 0, failed: 2, dropped: 0, pending: 0 });
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('lets a backpressure queue in front count the failed writes as failed, never delivered', async () => {
    const recorder = new NdjsonFileEventSink({ path: '/dev/full', onError: () => undefined });
    const queue = new BackpressureAwareEventSink({ downstream: recorder, maxQueueSize: 0 });
    for (let i = 0; i < 100; i++) queue.tryEmit(event(i));
    await queue.shutdown();
    expect(queue.metrics).toMatchObject({ emitted: 100, delivered: 0, failed: 100 });
  });
});

const mountPoint = mkdtempSync(join(tmpdir(), 'sfe-rec-tmpfs-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { encoding: 'utf8' });
const mountError =
  mounted.status === 0 ? undefined : (mounted.stderr || mounted.error?.message || 'mount failed').trim();
if (mountError !== undefined) rmSync(mountPoint, { recursive: true, force: true });

describe.skipIf(mountError !== undefined)(
  `NdjsonFileEventSink on a full 64 KiB tmpfs${mountError === undefined ? '' : ` (skipped: cannot mount a tmpfs: ${mountError})`}`,
  () => {
    afterAll(() => {
      spawnSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('counts every lost write failed, leaves only whole lines, and records again once space returns', async () => {
      const filler = join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(24 * 1024));
      const path = join(mountPoint, 'events.ndjson');
      const onError = vi.fn();
      const recorder = new NdjsonFileEventSink({ path, onError });
      const queue = new BackpressureAwareEventSink({ downstream: recorder, maxQueueSize: 0 });
      for (let i = 0; i < 3000; i++) queue.tryEmit(event(i));
      await queue.flush();
      const failedWhileFull = queue.metrics.failed;
      expect(failedWhileFull).toBeGreaterThan(0);
      // space returns
      unlinkSync(filler);
      for (let i = 3000; i < 6000; i++) queue.tryEmit(event(i));
      await queue.shutdown();
      const q = queue.metrics;
      const r = recorder.metrics;
      expect(q.emitted).toBe(6000);
      expect(q.delivered + q.failed).toBe(6000);
      expect(q.failed).toBeGreaterThan(failedWhileFull);
      expect(r).toMatchObject({ offered: 6000, delivered: q.delivered, failed: q.failed, pending: 0 });
      expect(onError).toHaveBeenCalled();
      // only whole lines, exactly the delivered ones, in order; the turns written after space returned are there
      const lines = rawLines(path);
      expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
      const parsed = lines.map((l) => JSON.parse(l) as { seq: number; data: { turn: number } });
      expect(parsed).toHaveLength(q.delivered);
      const turns = parsed.map((p) => p.data.turn);
      expect(turns).toEqual([...turns].sort((a, b) => a - b));
      expect(turns.some((t) => t >= 3000)).toBe(true);
      expect(statSync(path).size).toBeLessThanOrEqual(64 * 1024);
    });
  },
);

describe('NdjsonFileEventSink restarted on the same path', () => {
  it('cuts the torn last line of a crashed run instead of gluing the next line to it', async () => {
    const path = join(dir, 'events.ndjson');
    const first = new NdjsonFileEventSink({ path });
    first.tryEmit(event(1));
    first.tryEmit(event(2));
    await first.shutdown();
    // the crash: half of a third line
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"seq":3,"recorded_at":"2026-`, { flag: 'w' });
    const onError = vi.fn();
    const second = new NdjsonFileEventSink({ path, onError });
    await second.emit(event(3));
    await second.shutdown();
    const lines = rawLines(path);
    expect(lines.map((l) => (JSON.parse(l) as { data: { turn: number } }).data.turn)).toEqual([1, 2, 3]);
    expect(String((onError.mock.calls[0] as [Error])[0].message)).toMatch(/cut a torn last line \(\d+ bytes\)/);
  });

  it('continues the rotation sequence instead of appending to every full file', async () => {
    const path = join(dir, 'events.ndjson');
    const options = { path, maxFileBytes: 400, maxBatchLines: 1 };
    const first = new NdjsonFileEventSink(options);
    for (let i = 0; i < 5; i++) first.tryEmit(event(i));
    await first.shutdown();
    const before = new Map(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]));
    const second = new NdjsonFileEventSink(options);
    for (let i = 5; i < 10; i++) second.tryEmit(event(i));
    await second.shutdown();
    expect(second.files[0]).toBe(first.files[first.files.length - 1]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(400);
    // the full files of the first run are untouched
    for (const f of first.files.slice(0, -1)) expect(statSync(f).size).toBe(before.get(f.slice(dir.length + 1)));
    const turns = [...first.files.slice(0, -1), ...second.files].flatMap((f) =>
      rawLines(f).map((l) => (JSON.parse(l) as { data: { turn: number } }).data.turn),
    );
    expect(turns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('NdjsonFileEventSink counters and edges', () => {
  it('counts unencodable data failed (emit rejects) and events after shutdown dropped', async () => {
    const onError = vi.fn();
    const sink = new NdjsonFileEventSink({ path: join(dir, 'events.ndjson'), onError });
    sink.tryEmit({ type: 'a.big', data: { n: 1n } });
    await expect(sink.emit({ type: 'a.big', data: { n: 2n } })).rejects.toThrow(/BigInt/);
    await sink.emit({ type: 'a.ok' });
    await sink.shutdown();
    sink.tryEmit({ type: 'a.late' });
    await expect(sink.emit({ type: 'a.later' })).rejects.toThrow(/'a.later' emitted after shutdown/);
    expect(sink.metrics).toEqual({ offered: 5, delivered: 1, failed: 2, dropped: 2, pending: 0 });
    expect(onError).toHaveBeenCalledTimes(4);
  });

  it('cuts a torn tail longer than its read window, and a file that is one torn line', async () => {
    const path = join(dir, 'events.ndjson');
    const whole = '{"seq":1,"type":"a.b","data":null}\n';
    const torn = `{"seq":2,"type":"a.b","data":"${'y'.repeat(150_000)}`;
    writeFileSync(path, whole + torn);
    const onError = vi.fn();
    const sink = new NdjsonFileEventSink({ path, onError });
    await sink.emit({ type: 'a.c' });
    await sink.shutdown();
    expect(rawLines(path).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['a.b', 'a.c']);
    expect(String((onError.mock.calls[0] as [Error])[0].message)).toContain(`(${Buffer.byteLength(torn)} bytes)`);
    const only = join(dir, 'only-torn.ndjson');
    writeFileSync(only, '{"seq":1,"ty');
    const again = new NdjsonFileEventSink({ path: only });
    await again.emit({ type: 'a.d' });
    await again.shutdown();
    expect(rawLines(only).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['a.d']);
  });

  it('leaves a file that ends with a whole line alone, and rotates a path without an extension as path.1', async () => {
    const path = join(dir, 'events');
    writeFileSync(path, '{"seq":1,"type":"a.b","data":null}\n');
    const onError = vi.fn();
    const sink = new NdjsonFileEventSink({ path, maxFileBytes: 100, maxBatchLines: 1, onError });
    sink.tryEmit({ type: 'a.c', data: { pad: 'p'.repeat(60) } });
    sink.tryEmit({ type: 'a.d', data: { pad: 'p'.repeat(60) } });
    await sink.shutdown();
    expect(onError).not.toHaveBeenCalled();
    expect(sink.files).toEqual([path, `${path}.1`, `${path}.2`]);
    expect(rawLines(path)).toHaveLength(1);
  });
});
