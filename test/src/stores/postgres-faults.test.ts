// issue 9: the PostgreSQL sink under faults, against the real server scripts/ci-services.sh starts; each test works in
// a private schema (search_path) so that dropping a table cannot disturb the store tests running beside it
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replay } from '../../../src/replay/index.js';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import { PostgresEventSink, createPostgresSink, readPostgresEvents } from '../../../src/stores/index.js';
import { PgFaultProxy } from '../../helpers/pg-fault-proxy.js';
import { exactlyOnce, idsOf, makeEvents, readDeadLetter, readDeadLetterRecords } from '../../helpers/store-events.js';
import { POSTGRES_URL } from '../../helpers/store-servers.js';

const baseUrl = POSTGRES_URL ?? '';
let admin: pg.Client;
let dir: string;
let schema: string;
let url: string;

function inSchema(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function storedIds(): Promise<string[]> {
  return idsOf(await readPostgresEvents(url));
}

describe.skipIf(!POSTGRES_URL)(
  `PostgreSQL sink under faults${POSTGRES_URL ? '' : ' (skipped: STAGEFLOW_TEST_POSTGRES_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    beforeAll(async () => {
      admin = new pg.Client({ connectionString: baseUrl });
      await admin.connect();
    });
    afterAll(async () => {
      await admin.end();
    });
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pg-faults-'));
      schema = `faults_${randomUUID().replaceAll('-', '')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      url = inSchema(baseUrl);
    });
    afterEach(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores a batch with a NUL character and a lone surrogate in it, dead-lettering only those two events with the reason', async () => {
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new PostgresEventSink({ connectionString: url, batchSize: 500, deadLetterPath });
      const events: EventEnvelope[] = makeEvents(500);
      const nul = { type: 'bad.nul', data: { id: 'nul', text: 'a \u0000 b' } };
      const surrogate = { type: 'bad.surrogate', data: { id: 'surrogate', text: 'half \ud800 of a pair' } };
      events.splice(137, 1, nul);
      events.splice(402, 1, surrogate);
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ offered: 500, delivered: 498, deadLettered: 2, dropped: 0, retried: 0 });
      expect(await storedIds()).toEqual(idsOf(events.filter((e) => e !== nul && e !== surrogate)));
      const records = readDeadLetterRecords(deadLetterPath);
      expect(records.map((r) => r.type)).toEqual(['bad.nul', 'bad.surrogate']);
      expect(records[0]?.data).toEqual(nul.data);
      expect(records[0]?.error).toMatch(/Unicode escape|\\u0000/);
      expect(records[1]?.error).toMatch(/surrogate/);
    });

    it('stores a batch exactly once when the reply to its COMMIT is lost: the retry finds its batch id', async () => {
      const proxy = await PgFaultProxy.start({ host: new URL(baseUrl).hostname, port: Number(new URL(baseUrl).port) });
      try {
        const deadLetterPath = join(dir, 'dead.ndjson');
        const sink = new PostgresEventSink({
          connectionString: proxy.url(url),
          batchSize: 100,
          retry: { initialDelayMs: 1, maxAttempts: 5 },
          deadLetterPath,
        });
        await sink.emit({ type: 'warm.up', data: { id: 'warm' } });
        await sink.flush();
        proxy.loseNextCommitReply();
        const events = makeEvents(100);
        for (const e of events) sink.tryEmit(e);
        await sink.shutdown();
        expect(proxy.lostCommits).toBe(1);
        expect(sink.metrics).toMatchObject({ delivered: 101, deadLettered: 0, dropped: 0, retried: 100 });
        expect(exactlyOnce(['warm', ...idsOf(events)], await storedIds())).toEqual({ missing: [], duplicated: [] });
      } finally {
        await proxy.close();
      }
    });

    it('makes the re-send of a dead-letter file idempotent after a lost COMMIT reply and an outage past the retry budget', async () => {
      const proxy = await PgFaultProxy.start({ host: new URL(baseUrl).hostname, port: Number(new URL(baseUrl).port) });
      try {
        const deadLetterPath = join(dir, 'dead.ndjson');
        const sink = new PostgresEventSink({
          connectionString: proxy.url(url),
          batchSize: 500,
          retry: { initialDelayMs: 1, maxAttempts: 3 },
          deadLetterPath,
        });
        await sink.emit({ type: 'warm.up', data: { id: 'warm' } });
        await sink.flush();
        proxy.loseNextCommitReply({ thenDown: true });
        const events = makeEvents(1000);
        for (const e of events) sink.tryEmit(e);
        await sink.shutdown();
        // the first batch committed and was dead-lettered too: the server is down, nothing can tell
        expect(proxy.lostCommits).toBe(1);
        expect(sink.metrics).toMatchObject({ offered: 1001, delivered: 1, deadLettered: 1000, dropped: 0 });
        proxy.setDown(false);
        expect(readDeadLetterRecords(deadLetterPath).every((r) => typeof r.event_id === 'string')).toBe(true);
        // replay re-sends the dead-letter lines with their event ids: the 500 already stored are not stored again
        const again = new PostgresEventSink({ connectionString: url, deadLetterPath: join(dir, 'dead-2.ndjson') });
        const summary = await replay(deadLetterPath, { sink: again, validate: false });
        await again.shutdown();
        expect(summary.replayed).toBe(1000);
        expect(again.metrics).toMatchObject({ delivered: 1000, deadLettered: 0 });
        expect(exactlyOnce(['warm', ...idsOf(events)], await storedIds())).toEqual({ missing: [], duplicated: [] });
        // and a second re-send changes nothing either
        const third = new PostgresEventSink({ connectionString: url });
        for (const r of readDeadLetterRecords(deadLetterPath))
          third.tryEmit({ type: r.type, data: r.data, id: r.event_id });
        await third.shutdown();
        expect((await storedIds()).length).toBe(1001);
      } finally {
        await proxy.close();
      }
    });

    it('re-creates a table dropped under a migration ledger that says it exists', async () => {
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new PostgresEventSink({
        connectionString: url,
        batchSize: 10,
        retry: { initialDelayMs: 1, maxAttempts: 3 },
        deadLetterPath,
      });
      const events = makeEvents(20);
      for (const e of events.slice(0, 10)) sink.tryEmit(e);
      await sink.flush();
      await admin.query(`DROP TABLE ${schema}.events`);
      for (const e of events.slice(10)) sink.tryEmit(e);
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ delivered: 20, deadLettered: 0, dropped: 0 });
      expect(await storedIds()).toEqual(idsOf(events.slice(10)));
      // a fresh connection verifies the schema too
      await admin.query(`DROP TABLE ${schema}.events`);
      const fresh = new PostgresEventSink({ connectionString: url, deadLetterPath });
      fresh.tryEmit(events[0] as EventEnvelope);
      await fresh.shutdown();
      expect(fresh.metrics).toMatchObject({ delivered: 1, deadLettered: 0 });
    });

    it('fails fast with the server message on a wrong password instead of retrying it as transient', async () => {
      const u = new URL(url);
      u.password = 'wrong-password';
      const deadLetterPath = join(dir, 'dead.ndjson');
      const errors: string[] = [];
      const sink = new PostgresEventSink({
        connectionString: u.toString(),
        retry: { maxAttempts: 50, initialDelayMs: 60_000 },
        deadLetterPath,
        onError: (error, info) => errors.push(`${info.outcome}: ${(error as Error).message}`),
      });
      sink.tryEmit(makeEvents(1)[0] as EventEnvelope);
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ deadLettered: 1, retried: 0, delivered: 0 });
      expect(errors).toEqual([expect.stringMatching(/^dead-lettered: password authentication failed for user/)]);
      expect(readDeadLetterRecords(deadLetterPath)[0]?.error).toMatch(/password authentication failed/);
    });

    describe('against a host that accepts connections and never answers', () => {
      let blackHole: Server;
      const held = new Set<Socket>();
      let port = 0;
      beforeEach(async () => {
        blackHole = createServer((s) => {
          held.add(s);
          s.on('error', () => undefined);
        });
        await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
        const addr = blackHole.address();
        port = typeof addr === 'object' && addr ? addr.port : 0;
      });
      afterEach(async () => {
        for (const s of held) s.destroy();
        await new Promise<void>((resolve) => blackHole.close(() => resolve()));
      });

      it('shuts down once drainTimeoutMs has passed and dead-letters every event, dropping none', async () => {
        const deadLetterPath = join(dir, 'dead.ndjson');
        const sink = createPostgresSink({
          connectionString: `postgres://u:p@127.0.0.1:${port}/db`,
          // far longer than the test may take: only the drain timeout can end the shutdown
          connectTimeoutMs: 3_600_000,
          retry: { maxAttempts: 100, budgetMs: 3_600_000 },
          batchSize: 500,
          drainTimeoutMs: 300,
          deadLetterPath,
        });
        const events = makeEvents(3000);
        for (const e of events) sink.tryEmit(e);
        await sink.shutdown();
        const m = sink.metrics;
        expect(m).toMatchObject({ emitted: 3000, delivered: 0, deadLettered: 3000, dropped: 0, pending: 0 });
        expect(exactlyOnce(idsOf(events), idsOf(readDeadLetter(deadLetterPath)))).toEqual({
          missing: [],
          duplicated: [],
        });
      });
    });
  },
);
