import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import {
  SqliteEventSink,
  SqlitePipelineRunLogger,
  createSqliteSink,
  readSqliteEvents,
  storeSinkFromTarget,
  storeSourceFromTarget,
} from '../../../src/stores/index.js';
import { exactlyOnce, idsOf, makeEvents, readDeadLetter } from '../../helpers/store-events.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteEventSink', () => {
  it('stores events in WAL mode with their indexed columns', async () => {
    const path = join(dir, 'events.db');
    const sink = new SqliteEventSink({ path, batchSize: 7 });
    const events = makeEvents(20);
    for (const e of events) sink.tryEmit(e);
    sink.tryEmit({ type: 'no.data' });
    await sink.shutdown();
    expect(readSqliteEvents(path)).toEqual([...events, { type: 'no.data' }]);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .sort();
    expect(indexes).toEqual(['events_pipeline_run_id_idx', 'events_timestamp_idx', 'events_type_idx']);
    const row = db
      .prepare('SELECT seq, type, pipeline_run_id, timestamp, recorded_at FROM events WHERE id = 2')
      .get() as Record<string, unknown>;
    expect(row).toMatchObject({
      seq: 2,
      type: 'tool.invoked',
      pipeline_run_id: events[1]?.data?.pipeline_run_id,
      timestamp: events[1]?.data?.timestamp,
    });
    db.close();
    expect(readSqliteEvents(path, { type: 'stage.llm.completed' })).toHaveLength(7);
  });

  it('retries while another process holds the write lock, then delivers everything once', async () => {
    const path = join(dir, 'locked.db');
    const sink = createSqliteSink({
      path,
      batchSize: 10,
      busyTimeoutMs: 1,
      retry: { initialDelayMs: 20, maxAttempts: 20 },
      deadLetterPath: join(dir, 'dead.ndjson'),
    });
    await sink.emit({ type: 'warm.up' });
    await sink.flush();
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    const events = makeEvents(50);
    for (const e of events) sink.tryEmit(e);
    await new Promise((r) => setTimeout(r, 150));
    other.exec('COMMIT');
    other.close();
    await sink.shutdown();
    const m = sink.metrics;
    expect(m.retried).toBeGreaterThan(0);
    expect(m).toMatchObject({ emitted: 51, delivered: 51, deadLettered: 0, dropped: 0 });
    expect(
      exactlyOnce(
        idsOf(events),
        idsOf(readSqliteEvents(path, { type: 'tool.invoked' })),
        idsOf(readSqliteEvents(path, { type: 'stage.llm.completed' })),
      ),
    ).toEqual({ missing: [], duplicated: [] });
  });

  it('dead-letters what it cannot write within its budget, and the dead-letter file loads later', async () => {
    const path = join(dir, 'busy.db');
    const deadLetterPath = join(dir, 'dead.ndjson');
    const sink = createSqliteSink({
      path,
      batchSize: 10,
      busyTimeoutMs: 1,
      retry: { initialDelayMs: 5, maxAttempts: 3 },
      deadLetterPath,
    });
    await sink.emit({ type: 'warm.up' });
    await sink.flush();
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    const events = makeEvents(30);
    for (const e of events) sink.tryEmit(e);
    await sink.flush();
    other.exec('COMMIT');
    other.close();
    await sink.shutdown();
    const m = sink.metrics;
    expect(m.emitted).toBe(m.delivered + m.deadLettered + m.dropped);
    expect(m).toMatchObject({ delivered: 1, deadLettered: 30, dropped: 0 });
    const again = new SqliteEventSink({ path });
    for (const e of readDeadLetter(deadLetterPath)) again.tryEmit(e);
    await again.shutdown();
    expect(exactlyOnce(idsOf(events), idsOf(readSqliteEvents(path).filter((e) => e.type !== 'warm.up')))).toEqual({
      missing: [],
      duplicated: [],
    });
  });

  it('is reachable through sqlite:<path> targets, as a sink and as a source', async () => {
    const path = join(dir, 'target.db');
    const sink = storeSinkFromTarget(`sqlite:${path}`);
    expect(sink).toBeDefined();
    const events = makeEvents(2500);
    for (const e of events) await sink?.emit(e);
    await sink?.shutdown();
    const source = storeSourceFromTarget(`sqlite:${path}`);
    const read: EventEnvelope[] = [];
    for await (const batch of source?.batches() ?? []) read.push(...batch);
    expect(read).toEqual(events);
    expect(storeSinkFromTarget('ndjson:out.ndjson')).toBeUndefined();
    expect(storeSourceFromTarget('file.ndjson')).toBeUndefined();
  });
});

describe('SqlitePipelineRunLogger', () => {
  it('records started, completed, failed and cancelled runs in pipeline_runs', async () => {
    const path = join(dir, 'runs.db');
    let t = Date.UTC(2026, 0, 1);
    const logger = new SqlitePipelineRunLogger({ path, now: () => new Date((t += 1000)) });
    await logger.logRunStarted({
      pipelineRunId: 'r1',
      pipelineName: 'chat',
      topology: 'chat_fast',
      executionMode: 'practice',
      userId: null,
    });
    await logger.logRunCompleted({
      pipelineRunId: 'r1',
      pipelineName: 'chat',
      durationMs: 812.4,
      status: 'completed',
      stageResults: {},
    });
    await logger.logRunStarted({ pipelineRunId: 'r2', pipelineName: 'chat' });
    await logger.logRunFailed({ pipelineRunId: 'r2', pipelineName: 'chat', error: 'boom', stage: 'llm' });
    await logger.logRunStarted({ pipelineRunId: 'r3', pipelineName: 'chat' });
    await logger.logRunCancelled({ pipelineRunId: 'r3', pipelineName: 'chat', reason: 'user left' });
    expect(logger.listRuns()).toEqual([
      {
        id: 'r1',
        pipelineName: 'chat',
        status: 'completed',
        startedAt: '2026-01-01T00:00:01.000Z',
        completedAt: '2026-01-01T00:00:02.000Z',
        failedAt: null,
        durationMs: 812,
        error: null,
        failedStage: null,
      },
      {
        id: 'r2',
        pipelineName: 'chat',
        status: 'failed',
        startedAt: '2026-01-01T00:00:03.000Z',
        completedAt: null,
        failedAt: '2026-01-01T00:00:04.000Z',
        durationMs: 1000,
        error: 'boom',
        failedStage: 'llm',
      },
      {
        id: 'r3',
        pipelineName: 'chat',
        status: 'cancelled',
        startedAt: '2026-01-01T00:00:05.000Z',
        completedAt: '2026-01-01T00:00:06.000Z',
        failedAt: null,
        durationMs: 1000,
        error: 'user left',
        failedStage: null,
      },
    ]);
    await logger.shutdown();
    await logger.shutdown();
  });
});
