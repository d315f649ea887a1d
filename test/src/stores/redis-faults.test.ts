// issue 9: the Redis sink never counts an event delivered unless its XADD succeeded, trims with MAXLEN ~, and fails
// fast on a permanent error; against the real redis-server scripts/ci-services.sh starts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisStreamEventSink, connectRedis } from '../../../src/stores/index.js';
import { idsOf, makeEvents, readDeadLetter, readDeadLetterRecords } from '../../helpers/store-events.js';
import { REDIS_URL } from '../../helpers/store-servers.js';

const url = REDIS_URL ?? '';
let dir: string;
let client: Redis;

async function streamIds(key: string): Promise<string[]> {
  const entries = await client.xrange(key, '-', '+');
  return entries.map(([, fields]) => {
    const data = fields[fields.indexOf('data') + 1] as string;
    return (JSON.parse(data) as { id: string }).id;
  });
}

describe.skipIf(!REDIS_URL)(
  `Redis sink under faults${REDIS_URL ? '' : ' (skipped: STAGEFLOW_TEST_REDIS_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    beforeAll(async () => {
      // connectRedis returns an ioredis client typed by its structural subset; the test uses more commands
      client = (await connectRedis(url)) as unknown as Redis;
    });
    afterAll(async () => {
      await client.quit();
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'redis-faults-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('never counts events delivered whose stream key holds another type: they are dead-lettered with the reason', async () => {
      const stream = `test:${randomUUID()}`;
      await client.set(stream, 'not a stream');
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new RedisStreamEventSink({
        url,
        stream,
        batchSize: 10,
        retry: { maxAttempts: 3, initialDelayMs: 1 },
        deadLetterPath,
      });
      const events = makeEvents(25);
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ offered: 25, delivered: 0, deadLettered: 25, dropped: 0, retried: 0 });
      expect(idsOf(readDeadLetter(deadLetterPath))).toEqual(idsOf(events));
      expect(readDeadLetterRecords(deadLetterPath)[0]?.error).toMatch(/WRONGTYPE key '.*' holds a string/);
      expect(await client.get(stream)).toBe('not a stream');
    });

    it('with perFamily, stores the families whose streams are fine and dead-letters only the events aimed at a key of another type', async () => {
      const stream = `test:${randomUUID()}`;
      await client.hset(`${stream}:tool`, 'f', 'v');
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new RedisStreamEventSink({ url, stream, perFamily: true, batchSize: 50, deadLetterPath });
      const events = makeEvents(30);
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      const stage = events.filter((e) => e.type.startsWith('stage.'));
      const tool = events.filter((e) => e.type.startsWith('tool.'));
      expect(await streamIds(`${stream}:stage`)).toEqual(idsOf(stage));
      expect(idsOf(readDeadLetter(deadLetterPath))).toEqual(idsOf(tool));
      expect(sink.metrics).toMatchObject({ delivered: stage.length, deadLettered: tool.length, dropped: 0 });
    });

    it('trims the stream with XADD MAXLEN ~ to about maxLen entries', async () => {
      const stream = `test:${randomUUID()}`;
      const sink = new RedisStreamEventSink({ url, stream, batchSize: 500, maxLen: 100 });
      const events = makeEvents(3000);
      for (const e of events) await sink.emit(e);
      await sink.shutdown();
      expect(sink.metrics.delivered).toBe(3000);
      // approximate trimming removes whole radix-tree nodes (100 entries each by default): at least maxLen stay
      const len = await client.xlen(stream);
      expect(len).toBeGreaterThanOrEqual(100);
      expect(len).toBeLessThan(600);
      // the newest events are the ones kept
      const kept = await streamIds(stream);
      expect(kept).toEqual(idsOf(events.slice(3000 - len)));
    });

    it('fails fast on an authentication error: dead-lettered on the first attempt with the server message', async () => {
      const u = new URL(url);
      u.username = 'nobody';
      u.password = 'wrong-password';
      const deadLetterPath = join(dir, 'dead.ndjson');
      const errors: string[] = [];
      const sink = new RedisStreamEventSink({
        url: u.toString(),
        stream: `test:${randomUUID()}`,
        retry: { maxAttempts: 50, initialDelayMs: 60_000 },
        deadLetterPath,
        onError: (error, info) => errors.push(`${info.outcome}: ${(error as Error).message}`),
      });
      sink.tryEmit(makeEvents(1)[0]!);
      await sink.shutdown();
      expect(sink.metrics).toMatchObject({ deadLettered: 1, retried: 0, delivered: 0 });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^dead-lettered: .*(AUTH|WRONGPASS)/);
    });
  },
);
