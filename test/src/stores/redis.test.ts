import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import {
  RedisStreamEventSink,
  RedisStreamReader,
  connectRedis,
  createRedisStreamSink,
  storeSinkFromTarget,
  storeSourceFromTarget,
} from '../../../src/stores/index.js';
import { exactlyOnce, idsOf, makeEvents, readDeadLetter } from '../../helpers/store-events.js';
import { PrivateRedis, REDIS_URL, freePort } from '../../helpers/store-servers.js';

const url = REDIS_URL ?? '';
let dir: string;

async function readAll(redisUrl: string, stream: string): Promise<EventEnvelope[]> {
  const reader = new RedisStreamReader({
    url: redisUrl,
    streams: stream,
    group: `check-${randomUUID()}`,
    blockMs: 100,
  });
  const out: EventEnvelope[] = [];
  for await (const batch of reader.batches()) out.push(...batch);
  await reader.close();
  return out;
}

describe.skipIf(!REDIS_URL)(
  `Redis Streams stores${REDIS_URL ? '' : ' (skipped: STAGEFLOW_TEST_REDIS_URL is not set; run scripts/ci-services.sh)'}`,
  () => {
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'redis-store-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('appends events with XADD MAXLEN ~ and reads them back in order', async () => {
      const stream = `test:${randomUUID()}`;
      const sink = new RedisStreamEventSink({ url, stream, batchSize: 33, maxLen: 10_000 });
      const events = [...makeEvents(100), { type: 'no.data' }];
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(await readAll(url, stream)).toEqual(events);
      expect(sink.metrics).toMatchObject({ delivered: 101, dropped: 0 });
    });

    it('writes one stream per family when asked', async () => {
      const stream = `test:${randomUUID()}`;
      const sink = new RedisStreamEventSink({ url, stream, perFamily: true });
      const events = makeEvents(9);
      for (const e of events) sink.tryEmit(e);
      await sink.shutdown();
      expect(idsOf(await readAll(url, `${stream}:stage`))).toEqual(
        idsOf(events.filter((e) => e.type.startsWith('stage.'))),
      );
      expect(idsOf(await readAll(url, `${stream}:tool`))).toEqual(
        idsOf(events.filter((e) => e.type.startsWith('tool.'))),
      );
    });

    it('shares one stream between two producers and two consumers of a group, each event consumed once', async () => {
      const stream = `test:${randomUUID()}`;
      const producers = [
        new RedisStreamEventSink({ url, stream, batchSize: 20 }),
        new RedisStreamEventSink({ url, stream, batchSize: 20 }),
      ];
      const a = makeEvents(300, 'a');
      const b = makeEvents(300, 'b');
      const consumers = ['c1', 'c2'].map(
        (consumer) =>
          new RedisStreamReader({ url, streams: stream, group: 'workers', consumer, batchSize: 25, blockMs: 200 }),
      );
      const seen: string[][] = [[], []];
      const consuming = consumers.map(async (reader, i) => {
        for await (const batch of reader.batches()) {
          seen[i]?.push(...idsOf(batch));
          await new Promise((r) => setTimeout(r, 1));
        }
      });
      for (let i = 0; i < 300; i++) {
        await producers[0]?.emit(a[i] as EventEnvelope);
        await producers[1]?.emit(b[i] as EventEnvelope);
      }
      await Promise.all(producers.map((p) => p.shutdown()));
      expect(producers.map((p) => p.metrics.dropped)).toEqual([0, 0]);
      await Promise.all(consuming);
      await Promise.all(consumers.map((c) => c.close()));
      expect(seen[0]?.length).toBeGreaterThan(0);
      expect(seen[1]?.length).toBeGreaterThan(0);
      expect(exactlyOnce([...idsOf(a), ...idsOf(b)], seen[0] ?? [], seen[1] ?? [])).toEqual({
        missing: [],
        duplicated: [],
      });
      const client = await connectRedis(url);
      const pending = (await client.xpending(stream, 'workers')) as [number, ...unknown[]];
      await client.quit();
      expect(pending[0]).toBe(0);
    });

    it('delivers again an entry read but not acknowledged before the consumer stopped', async () => {
      const stream = `test:${randomUUID()}`;
      const sink = new RedisStreamEventSink({ url, stream });
      for (const e of makeEvents(5)) sink.tryEmit(e);
      await sink.shutdown();
      const first = new RedisStreamReader({ url, streams: stream, group: 'g', consumer: 'c', batchSize: 2 });
      expect(idsOf((await first.read()).flatMap((e) => (e.event ? [e.event] : [])))).toEqual(['e-0', 'e-1']);
      await first.close();
      const again = new RedisStreamReader({
        url,
        streams: stream,
        group: 'g',
        consumer: 'c',
        batchSize: 10,
        blockMs: 100,
      });
      const ids: string[] = [];
      for await (const batch of again.batches()) ids.push(...idsOf(batch));
      await again.close();
      expect(ids).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    });

    it('is reachable through redis:// targets, as a sink and as a consumer-group source', async () => {
      const stream = `test:${randomUUID()}`;
      const sink = storeSinkFromTarget(`${url}?stream=${encodeURIComponent(stream)}&maxLen=5000`);
      const events = makeEvents(50);
      for (const e of events) await sink?.emit(e);
      await sink?.shutdown();
      const source = storeSourceFromTarget(`${url}?stream=${encodeURIComponent(stream)}&group=replay`);
      const read: EventEnvelope[] = [];
      for await (const batch of source?.batches() ?? []) read.push(...batch);
      await source?.close();
      expect(read).toEqual(events);
    });

    describe('when the server stops mid-run', () => {
      let server: PrivateRedis;
      beforeEach(async () => {
        server = new PrivateRedis(await freePort());
        await server.start();
      });
      afterEach(async () => {
        await server.stop();
        rmSync(server.dir, { recursive: true, force: true });
      });

      it('reconnects after a restart and stores every event exactly once', async () => {
        const deadLetterPath = join(dir, 'dead.ndjson');
        const sink = createRedisStreamSink({
          url: server.url,
          stream: 's',
          batchSize: 50,
          flushIntervalMs: 10,
          retry: { initialDelayMs: 50, maxDelayMs: 300, maxAttempts: 40 },
          deadLetterPath,
        });
        const events = makeEvents(2000, 'restart');
        for (let i = 0; i < events.length; i += 100) {
          for (const e of events.slice(i, i + 100)) await sink.emit(e);
          await new Promise((r) => setTimeout(r, 15));
          if (i === 500) await server.stop();
          if (i === 1500) await server.start();
        }
        await sink.shutdown();
        const m = sink.metrics;
        expect(m.retried).toBeGreaterThan(0);
        expect(m).toMatchObject({ emitted: 2000, delivered: 2000, deadLettered: 0, dropped: 0 });
        expect(exactlyOnce(idsOf(events), idsOf(await readAll(server.url, 's')))).toEqual({
          missing: [],
          duplicated: [],
        });
      });

      it('dead-letters what it cannot deliver while the server is down, and replay of that file completes the stream exactly once', async () => {
        const deadLetterPath = join(dir, 'dead.ndjson');
        const sink = createRedisStreamSink({
          url: server.url,
          stream: 's',
          batchSize: 40,
          flushIntervalMs: 10,
          retry: { initialDelayMs: 20, maxAttempts: 3 },
          deadLetterPath,
        });
        const events = makeEvents(400, 'outage');
        for (const e of events.slice(0, 100)) await sink.emit(e);
        await sink.flush();
        await server.stop();
        for (const e of events.slice(100)) await sink.emit(e);
        await sink.flush();
        await server.start();
        await sink.shutdown();
        const m = sink.metrics;
        expect(m.emitted).toBe(m.delivered + m.deadLettered + m.dropped);
        expect(m).toMatchObject({ delivered: 100, deadLettered: 300, dropped: 0 });
        const deadLettered = readDeadLetter(deadLetterPath);
        expect(exactlyOnce(idsOf(events), idsOf(await readAll(server.url, 's')), idsOf(deadLettered))).toEqual({
          missing: [],
          duplicated: [],
        });
        const replay = storeSinkFromTarget(`${server.url}?stream=s`, { deadLetterPath: join(dir, 'dead-2.ndjson') });
        for (const e of deadLettered) await replay?.emit(e);
        await replay?.shutdown();
        expect(exactlyOnce(idsOf(events), idsOf(await readAll(server.url, 's')))).toEqual({
          missing: [],
          duplicated: [],
        });
      });
    });
  },
);
