// Redis sink behaviour the round-trip and fault tests do not pin down: the stream layout, entries without data, the
// batch markers a retry checks, and which failures are retried. Written against the mutants `npm run mutation` found
// surviving in src/stores/redis-stream-event-sink.ts; against the redis-server scripts/ci-services.sh starts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_REDIS_STREAM,
  RedisStreamEventSink,
  connectRedis,
  envelopeFromStreamFields,
  redisStreamFor,
} from '../../../src/stores/index.js';
import { freePort, REDIS_URL } from '../../helpers/store-servers.js';
import { makeEvents, readDeadLetterRecords } from '../../helpers/store-events.js';

describe('redisStreamFor', () => {
  it('uses the stream itself, or <stream>:<family> with perFamily, the whole type when it has no dot', () => {
    expect(redisStreamFor('stage.llm.completed', 's', false)).toBe('s');
    expect(redisStreamFor('stage.llm.completed', 's', true)).toBe('s:stage');
    expect(redisStreamFor('heartbeat', 's', true)).toBe('s:heartbeat');
    expect(redisStreamFor('.odd', 's', true)).toBe('s:');
  });
});

describe('envelopeFromStreamFields', () => {
  it('reads type and JSON data from the field list, in any order, ignoring other fields and a dangling name', () => {
    expect(envelopeFromStreamFields(['type', 'a.b', 'data', '{"n":1}'])).toEqual({ type: 'a.b', data: { n: 1 } });
    expect(envelopeFromStreamFields(['data', '[1]', 'other', 'x', 'type', 'a.b'])).toEqual({ type: 'a.b', data: [1] });
    expect(envelopeFromStreamFields(['type', 'a.b'])).toEqual({ type: 'a.b' });
    expect(envelopeFromStreamFields(['type', 'a.b', 'data'])).toEqual({ type: 'a.b' });
    expect(envelopeFromStreamFields(['type', 'a.b', 'data', 'null'])).toEqual({ type: 'a.b', data: null });
  });

  it('returns undefined without a type or with data that is not JSON', () => {
    expect(envelopeFromStreamFields([])).toBeUndefined();
    expect(envelopeFromStreamFields(['data', '{}'])).toBeUndefined();
    expect(envelopeFromStreamFields(['type'])).toBeUndefined();
    expect(envelopeFromStreamFields(['type', 'a.b', 'data', '{not json'])).toBeUndefined();
  });
});

describe('RedisStreamEventSink retries', () => {
  it('retries a refused connection as transient, then dead-letters after maxAttempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-refused-'));
    try {
      const port = await freePort(); // closed again: connecting is refused
      const reports: string[] = [];
      const deadLetterPath = join(dir, 'dead.ndjson');
      const sink = new RedisStreamEventSink({
        url: `redis://127.0.0.1:${port}/0`,
        connectTimeoutMs: 2000,
        retry: { maxAttempts: 3 },
        sleep: () => Promise.resolve(),
        deadLetterPath,
        onError: (_e, info) => reports.push(`${info.outcome}:${info.attempt}`),
      });
      sink.tryEmit({ type: 'a.b', data: { n: 1 } });
      await sink.shutdown();
      expect(reports).toEqual(['retry:1', 'retry:2', 'dead-lettered:3']);
      expect(readDeadLetterRecords(deadLetterPath)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const url = REDIS_URL ?? '';
let client: Redis;

describe.skipIf(!REDIS_URL)(
  `RedisStreamEventSink layout${REDIS_URL ? '' : ' (skipped: STAGEFLOW_TEST_REDIS_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    let stream: string;
    beforeAll(async () => {
      client = (await connectRedis(url)) as unknown as Redis;
    });
    afterAll(async () => {
      await client.quit();
    });
    beforeEach(() => {
      stream = `test:${randomUUID()}`;
    });
    afterEach(async () => {
      const keys = await client.keys(`${stream}*`);
      if (keys.length > 0) await client.del(...keys);
    });

    it('writes an event without data as an entry with only its type', async () => {
      const sink = new RedisStreamEventSink({ url, stream });
      sink.tryEmit({ type: 'a.no_data' });
      sink.tryEmit({ type: 'a.with_data', data: { n: 1 } });
      await sink.shutdown();
      const entries = await client.xrange(stream, '-', '+');
      expect(entries.map(([, fields]) => fields)).toEqual([
        ['type', 'a.no_data'],
        ['type', 'a.with_data', 'data', '{"n":1}'],
      ]);
      expect(sink.metrics).toMatchObject({ delivered: 2, batches: 1 });
    });

    it('leaves one batch marker per batch under <stream>:batch:, kept for a day', async () => {
      const sink = new RedisStreamEventSink({ url, stream, batchSize: 2 });
      for (const e of makeEvents(5)) sink.tryEmit(e);
      await sink.shutdown();
      const markers = await client.keys(`${stream}:batch:*`);
      expect(markers).toHaveLength(3);
      for (const m of markers) {
        expect(m).toMatch(new RegExp(`^${stream}:batch:[0-9a-f-]{36}$`));
        expect(await client.get(m)).toBe('1');
        const ttl = await client.ttl(m);
        expect(ttl).toBeGreaterThan(86_000);
        expect(ttl).toBeLessThanOrEqual(86_400);
      }
    });

    it(`writes to ${DEFAULT_REDIS_STREAM} when no stream is given`, async () => {
      expect(DEFAULT_REDIS_STREAM).toBe('stageflow:events');
      stream = `${DEFAULT_REDIS_STREAM}:batch:`; // afterEach removes only the batch markers, never the shared stream
      const marker = randomUUID();
      const sink = new RedisStreamEventSink({ url });
      sink.tryEmit({ type: 'a.default', data: { marker } });
      await sink.shutdown();
      const mine = (await client.xrange(DEFAULT_REDIS_STREAM, '-', '+')).filter(([, f]) =>
        f.join(' ').includes(marker),
      );
      expect(mine).toHaveLength(1);
      await client.xdel(DEFAULT_REDIS_STREAM, (mine[0] as [string, string[]])[0]);
    });
  },
);
