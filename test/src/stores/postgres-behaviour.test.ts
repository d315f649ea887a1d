// PostgreSQL sink behaviour the round-trip and fault tests do not pin down: reading back by type, run and limit, the
// per-writer sequence numbers, and which errors fail fast. Written against the mutants `npm run mutation` found
// surviving in src/stores/postgres-event-sink.ts; against the PostgreSQL scripts/ci-services.sh starts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresEventSink, readPostgresEvents } from '../../../src/stores/index.js';
import { idsOf, makeEvents, readDeadLetterRecords } from '../../helpers/store-events.js';
import { POSTGRES_URL } from '../../helpers/store-servers.js';

const url = POSTGRES_URL ?? '';

describe.skipIf(!POSTGRES_URL)(
  `PostgreSQL sink behaviour${POSTGRES_URL ? '' : ' (skipped: STAGEFLOW_TEST_POSTGRES_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    let client: pg.Client;
    let dir: string;
    beforeAll(async () => {
      client = new pg.Client({ connectionString: url });
      await client.connect();
    });
    afterAll(async () => {
      await client.end();
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'pg-behaviour-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads back by type, by run and with a limit, oldest first', async () => {
      const runId = randomUUID();
      const events = makeEvents(7, 'r', runId); // types alternate: index 0, 3, 6 are stage.llm.completed
      const sink = new PostgresEventSink({ connectionString: url, batchSize: 3 });
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(idsOf(await readPostgresEvents(url, { pipelineRunId: runId }))).toEqual(idsOf(events));
      expect(idsOf(await readPostgresEvents(url, { pipelineRunId: runId, type: 'stage.llm.completed' }))).toEqual([
        'r-0',
        'r-3',
        'r-6',
      ]);
      expect(idsOf(await readPostgresEvents(url, { pipelineRunId: runId, limit: 2 }))).toEqual(['r-0', 'r-1']);
      expect(idsOf(await readPostgresEvents(url, { pipelineRunId: runId, type: 'tool.invoked', limit: 3 }))).toEqual([
        'r-1',
        'r-2',
        'r-4',
      ]);
      const byType = await readPostgresEvents(url, { type: `no.such.type.${randomUUID()}` });
      expect(byType).toEqual([]);
    });

    it("numbers a writer's rows 1, 2, 3, … across its batches", async () => {
      const runId = randomUUID();
      const sink = new PostgresEventSink({ connectionString: url, batchSize: 2 });
      for (const e of makeEvents(5, 's', runId)) sink.tryEmit(e);
      await sink.shutdown();
      const res = await client.query<{ seq: string }>(
        'SELECT seq::text AS seq FROM events WHERE pipeline_run_id = $1 ORDER BY id',
        [runId],
      );
      expect(res.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    });

    it('fails fast on a database that does not exist (SQLSTATE 3D000)', async () => {
      const u = new URL(url);
      u.pathname = `/no_such_db_${randomUUID().replaceAll('-', '')}`;
      const reports: string[] = [];
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new PostgresEventSink({
        connectionString: u.toString(),
        retry: { maxAttempts: 5 },
        sleep: () => Promise.resolve(),
        deadLetterPath,
        onError: (e, info) => reports.push(`${info.outcome}:${info.attempt}:${(e as { code?: string }).code}`),
      });
      sink.tryEmit({ type: 'a.b', data: { n: 1 } });
      await sink.shutdown();
      expect(reports).toEqual(['dead-lettered:1:3D000']);
      expect(readDeadLetterRecords(deadLetterPath)[0]?.error).toMatch(/does not exist/);
    });

    it('retries an error without a SQLSTATE (a refused connection) as transient', async () => {
      const reports: string[] = [];
      const sink = new PostgresEventSink({
        connectionString: 'postgres://nobody:x@127.0.0.1:1/none',
        connectTimeoutMs: 2000,
        retry: { maxAttempts: 2 },
        sleep: () => Promise.resolve(),
        onError: (_e, info) => reports.push(`${info.outcome}:${info.attempt}`),
      });
      sink.tryEmit({ type: 'a.b', data: {} });
      await sink.shutdown();
      expect(reports).toEqual(['retry:1', 'dropped:2']);
    });
  },
);
