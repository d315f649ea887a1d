// issue 9: "delivered" for the recorder means written and fsynced by flush() or shutdown(); the file system calls are
// observed (not replaced) through a spy on node:fs, since no real file system tells whether fsync ran
import { mkdtempSync, rmSync } from 'node:fs';
import type * as Fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  const spy =
    <A extends unknown[], R>(name: string, f: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(`${name}:${String(args[0])}`);
      return f(...args);
    };
  return {
    ...actual,
    writeSync: spy('write', actual.writeSync),
    fsyncSync: spy('fsync', actual.fsyncSync),
    closeSync: spy('close', actual.closeSync),
  };
});

const { NdjsonFileEventSink } = await import('../../../src/sinks/index.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-rec-fsync-'));
  calls.length = 0;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('NdjsonFileEventSink durability', () => {
  it('fsyncs after its last write before it closes the file on shutdown', async () => {
    const sink = new NdjsonFileEventSink({ path: join(dir, 'events.ndjson') });
    sink.tryEmit({ type: 'a.b' });
    await sink.shutdown();
    const mine = calls.filter((c) => /^(write|fsync|close):/.test(c));
    const lastWrite = mine.map((c) => c.startsWith('write:')).lastIndexOf(true);
    const fd = mine[lastWrite]?.split(':')[1];
    expect(lastWrite).toBeGreaterThanOrEqual(0);
    const fsync = mine.indexOf(`fsync:${fd}`, lastWrite);
    const close = mine.indexOf(`close:${fd}`, lastWrite);
    expect(fsync).toBeGreaterThan(lastWrite);
    expect(close).toBeGreaterThan(fsync);
  });

  it('fsyncs on flush, after writing the buffered lines', async () => {
    const sink = new NdjsonFileEventSink({ path: join(dir, 'events.ndjson'), flushIntervalMs: 0 });
    sink.tryEmit({ type: 'a.b' });
    calls.length = 0;
    await sink.flush();
    expect(calls[0]).toMatch(/^write:/);
    expect(calls[1]).toBe(`fsync:${calls[0]?.split(':')[1]}`);
    await sink.shutdown();
  });

  it('fsyncs the full file before rotating to the next one', async () => {
    const sink = new NdjsonFileEventSink({ path: join(dir, 'events.ndjson'), maxFileBytes: 150, maxBatchLines: 1 });
    sink.tryEmit({ type: 'a.b', data: { pad: 'p'.repeat(80) } });
    const fd = calls.find((c) => c.startsWith('write:'))?.split(':')[1];
    sink.tryEmit({ type: 'a.b', data: { pad: 'p'.repeat(80) } });
    expect(calls.indexOf(`fsync:${fd}`)).toBeGreaterThan(-1);
    expect(calls.indexOf(`fsync:${fd}`)).toBeLessThan(calls.indexOf(`close:${fd}`));
    await sink.shutdown();
  });
});
