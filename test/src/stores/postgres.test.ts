import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import {
  PostgresEventSink,
  PostgresPipelineRunLogger,
  POSTGRES_MIGRATIONS,
  connectPostgresStore,
  createPostgresSink,
  migratePostgres,
  readPostgresEvents,
  storeSinkFromTarget,
  storeSourceFromTarget,
} from '../../../src/stores/index.js';
import { exactlyOnce, idsOf, makeEvents, readDeadLetter } from '../../helpers/store-events.js';
import { POSTGRES_URL } from '../../helpers/store-servers.js';

const url = POSTGRES_URL ?? '';
let admin: pg.Client;
let dir: string;
const dbName = (): string => new URL(url).pathname.slice(1);

async function idsInStore(runId: string): Promise<string[]> {
  return idsOf(await readPostgresEvents(url, { pipelineRunId: runId }));
}

/** Makes the database refuse connections and cuts the ones it has, as a restarting server would; returns a function that lets them in again. */
async function takeDatabaseDown(): Promise<() => Promise<void>> {
  await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [dbName()],
  );
  return async () => {
    await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
  };
}

describe.skipIf(!POSTGRES_URL)(
  `PostgreSQL stores${POSTGRES_URL ? '' : ' (skipped: STAGEFLOW_TEST_POSTGRES_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    beforeAll(async () => {
      const u = new URL(url);
      u.pathname = '/postgres';
      admin = new pg.Client({ connectionString: u.toString() });
      await admin.connect();
    });
    afterAll(async () => {
      await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
      await admin.end();
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'pg-store-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('applies its versioned migrations once: a second run is a no-op', async () => {
      const client = await connectPostgresStore(url);
      try {
        expect(await migratePostgres(client)).toEqual([]);
        const rows = (
          await client.query<{ version: number; name: string }>(
            'SELECT version, name FROM stageflow_events_migrations ORDER BY version',
          )
        ).rows;
        expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
        const type = (
          await client.query<{ data_type: string }>(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'data'",
          )
        ).rows[0];
        expect(type?.data_type).toBe('jsonb');
      } finally {
        await client.end();
      }
    });

    it('stores batches as jsonb rows that read back unchanged', async () => {
      const runId = randomUUID();
      const sink = new PostgresEventSink({ connectionString: url, batchSize: 64 });
      const events = makeEvents(200, 'pg', runId);
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(await readPostgresEvents(url, { pipelineRunId: runId })).toEqual(events);
      expect(sink.metrics).toMatchObject({ delivered: 200, batches: 4, dropped: 0 });
      const client = await connectPostgresStore(url);
      const n = await client.query(
        "SELECT count(*)::int AS n FROM events WHERE pipeline_run_id = $1 AND data->>'id' LIKE 'pg-%'",
        [runId],
      );
      await client.end();
      expect(n.rows[0]).toEqual({ n: 200 });
    });

    it('dead-letters a payload PostgreSQL rejects without retrying it', async () => {
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new PostgresEventSink({ connectionString: url, batchSize: 1, deadLetterPath });
      sink.tryEmit({ type: 'bad.payload', data: { text: 'nul \u0000 byte' } });
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ deadLettered: 1, retried: 0, delivered: 0 });
      expect(readDeadLetter(deadLetterPath)).toEqual([{ type: 'bad.payload', data: { text: 'nul \u0000 byte' } }]);
    });

    it('survives the database going away mid-run: everything is stored exactly once', async () => {
      const runId = randomUUID();
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = createPostgresSink({
        connectionString: url,
        batchSize: 50,
        flushIntervalMs: 10,
        retry: { initialDelayMs: 50, maxDelayMs: 400, maxAttempts: 30 },
        deadLetterPath,
      });
      const events = makeEvents(2000, 'restart', runId);
      let bringBack: (() => Promise<void>) | undefined;
      for (let i = 0; i < events.length; i += 100) {
        for (const e of events.slice(i, i + 100)) await sink.emit(e);
        await new Promise((r) => setTimeout(r, 15));
        if (i === 500) bringBack = await takeDatabaseDown();
        if (i === 1500) await bringBack?.();
      }
      await sink.shutdown();
      const m = sink.metrics;
      expect(m.retried).toBeGreaterThan(0);
      expect(m).toMatchObject({ emitted: 2000, delivered: 2000, deadLettered: 0, dropped: 0 });
      expect(exactlyOnce(idsOf(events), await idsInStore(runId))).toEqual({ missing: [], duplicated: [] });
    });

    it('dead-letters what it cannot deliver within its budget, and replay of that file completes the store exactly once', async () => {
      const runId = randomUUID();
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = createPostgresSink({
        connectionString: url,
        batchSize: 40,
        flushIntervalMs: 10,
        retry: { initialDelayMs: 20, maxAttempts: 3 },
        deadLetterPath,
      });
      const events = makeEvents(400, 'outage', runId);
      for (const e of events.slice(0, 100)) await sink.emit(e);
      await sink.flush();
      const bringBack = await takeDatabaseDown();
      for (const e of events.slice(100)) await sink.emit(e);
      await sink.flush();
      await bringBack();
      await sink.shutdown();
      const m = sink.metrics;
      expect(m.emitted).toBe(m.delivered + m.deadLettered + m.dropped);
      expect(m.deadLettered).toBeGreaterThan(0);
      expect(m.dropped).toBe(0);
      const stored = await idsInStore(runId);
      const deadLettered = readDeadLetter(deadLetterPath);
      expect(exactlyOnce(idsOf(events), stored, idsOf(deadLettered))).toEqual({ missing: [], duplicated: [] });
      const replay = storeSinkFromTarget(url, { deadLetterPath: join(dir, 'dead-2.ndjson') });
      for (const e of deadLettered) await replay?.emit(e);
      await replay?.shutdown();
      expect(exactlyOnce(idsOf(events), await idsInStore(runId))).toEqual({ missing: [], duplicated: [] });
    });

    it('reads the store back as a postgres:// source', async () => {
      const runId = randomUUID();
      const sink = storeSinkFromTarget(url);
      const events = makeEvents(30, 'src', runId);
      for (const e of events) await sink?.emit(e);
      await sink?.shutdown();
      const read: EventEnvelope[] = [];
      for await (const batch of storeSourceFromTarget(url)?.batches() ?? [])
        read.push(
          ...batch.filter((e) => (e.data as { pipeline_run_id?: string } | undefined)?.pipeline_run_id === runId),
        );
      expect(read).toEqual(events);
    });

    it('records pipeline runs with PostgresPipelineRunLogger', async () => {
      const id = randomUUID();
      let t = Date.UTC(2026, 0, 1);
      const logger = new PostgresPipelineRunLogger({ connectionString: url, now: () => new Date((t += 1500)) });
      await logger.logRunStarted({
        pipelineRunId: id,
        pipelineName: 'chat',
        topology: 'chat_fast',
        executionMode: 'practice',
        userId: null,
      });
      await logger.logRunFailed({ pipelineRunId: id, pipelineName: 'chat', error: 'boom', stage: 'llm' });
      const run = (await logger.listRuns()).find((r) => r.id === id);
      await logger.shutdown();
      expect(run).toEqual({
        id,
        pipelineName: 'chat',
        status: 'failed',
        startedAt: '2026-01-01T00:00:01.500Z',
        completedAt: null,
        failedAt: '2026-01-01T00:00:03.000Z',
        durationMs: 1500,
        error: 'boom',
        failedStage: 'llm',
      });
    });
  },
);
