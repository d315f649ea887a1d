// events/s into each production store (SQLite, PostgreSQL, Redis Streams) at two batch sizes, against pino writing the
// same events to a file in the same run; then two producer and two consumer processes sharing one Redis stream
// (end-to-end throughput and p99 latency). A store whose STAGEFLOW_TEST_*_URL is unset is skipped, and says so.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { EventEnvelope } from '../src/runtime/types.js';
import {
  PostgresEventSink,
  RedisStreamEventSink,
  RedisStreamReader,
  SqliteEventSink,
  connectRedis,
  type ResilientSink,
} from '../src/stores/index.js';
import { printTable, rate, type CaseResult } from './harness.js';

const POSTGRES_URL = process.env.STAGEFLOW_TEST_POSTGRES_URL;
const REDIS_URL = process.env.STAGEFLOW_TEST_REDIS_URL;
const SAMPLE = new URL('../test/fixtures/snapshots/reference-sample.ndjson', import.meta.url);

// the reference payloads when they are at hand, else synthetic events of a similar size
function loadEvents(): EventEnvelope[] {
  if (!existsSync(SAMPLE))
    return Array.from({ length: 100 }, (_, i) => ({
      type: 'stage.llm.completed',
      data: {
        pipeline_run_id: randomUUID(),
        stage: 'llm',
        i,
        timestamp: new Date().toISOString(),
        model: 'gpt-4o-mini',
        tokens: 812,
      },
    }));
  return readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EventEnvelope);
}

async function measureAsync(name: string, n: number, fn: () => Promise<void>, rounds = 5): Promise<CaseResult> {
  await fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await fn();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    median: rates[Math.floor(rates.length / 2)] ?? 0,
    min: rates[0] ?? 0,
    max: rates[rates.length - 1] ?? 0,
  };
}

async function writeAll(sink: ResilientSink, events: readonly EventEnvelope[]): Promise<void> {
  for (const e of events) await sink.emit(e);
  await sink.flush();
  if (sink.metrics.dropped + sink.metrics.deadLettered > 0)
    throw new Error(`bench: ${sink.metrics.dropped} dropped, ${sink.metrics.deadLettered} dead-lettered`);
}

async function storeTable(): Promise<void> {
  const base = loadEvents();
  const N = 20_000;
  const events = Array.from({ length: N }, (_, i) => base[i % base.length] as EventEnvelope);
  const dir = mkdtempSync(join(tmpdir(), 'stores-bench-'));
  const results: CaseResult[] = [];
  const skipped: string[] = [];
  const logger = pino(pino.destination({ dest: join(dir, 'pino.log'), sync: true }));
  results.push(
    await measureAsync('pino → file (sync)', N, () => {
      for (const e of events) logger.info(e);
      return Promise.resolve();
    }),
  );
  for (const batchSize of [100, 1000]) {
    const sqlite = new SqliteEventSink({
      path: join(dir, `events-${batchSize}.db`),
      batchSize,
      maxPendingEvents: batchSize * 4,
    });
    results.push(await measureAsync(`sqlite batch ${batchSize}`, N, () => writeAll(sqlite, events)));
    await sqlite.shutdown();
    if (POSTGRES_URL) {
      const pgSink = new PostgresEventSink({
        connectionString: POSTGRES_URL,
        batchSize,
        maxPendingEvents: batchSize * 4,
      });
      results.push(await measureAsync(`postgres batch ${batchSize}`, N, () => writeAll(pgSink, events), 3));
      await pgSink.shutdown();
    } else skipped.push('postgres (STAGEFLOW_TEST_POSTGRES_URL is not set)');
    if (REDIS_URL) {
      const stream = `bench:${process.pid}:${batchSize}`;
      const redis = new RedisStreamEventSink({
        url: REDIS_URL,
        stream,
        batchSize,
        maxPendingEvents: batchSize * 4,
        maxLen: 100_000,
      });
      results.push(await measureAsync(`redis batch ${batchSize}`, N, () => writeAll(redis, events)));
      await redis.shutdown();
      const c = await connectRedis(REDIS_URL);
      await c.del(stream);
      await c.quit();
    } else skipped.push('redis (STAGEFLOW_TEST_REDIS_URL is not set)');
  }
  printTable(
    `events/s into each store, ${N} sample events per round (median of 5 rounds, 3 for postgres)`,
    results,
    'pino → file (sync)',
  );
  for (const s of new Set(skipped)) console.log(`skipped: ${s}`);
  rmSync(dir, { recursive: true, force: true });
}

const PER_PRODUCER = 20_000;

async function producer(url: string, stream: string): Promise<void> {
  const sink = new RedisStreamEventSink({ url, stream, batchSize: 200, flushIntervalMs: 5, maxLen: 1_000_000 });
  for (let i = 0; i < PER_PRODUCER; i++)
    await sink.emit({
      type: 'bench.event',
      data: { i, pid: process.pid, sent_at: performance.timeOrigin + performance.now() },
    });
  await sink.shutdown();
}

async function consumer(url: string, stream: string, name: string, total: number): Promise<void> {
  const reader = new RedisStreamReader({
    url,
    streams: stream,
    group: 'bench',
    consumer: name,
    batchSize: 500,
    blockMs: 2000,
  });
  const latencies: number[] = [];
  let last = 0;
  for await (const batch of reader.batches()) {
    const now = performance.timeOrigin + performance.now();
    for (const e of batch) latencies.push(now - (e.data as { sent_at: number }).sent_at);
    last = now;
    if (latencies.length >= total) break;
  }
  await reader.close();
  process.stdout.write(`${JSON.stringify({ latencies, last })}\n`);
}

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench child ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function redisFanTable(): Promise<void> {
  if (!REDIS_URL) {
    console.log('\nskipped: two-producer, two-consumer Redis run (STAGEFLOW_TEST_REDIS_URL is not set)');
    return;
  }
  const rows: { throughput: number; p50: number; p99: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const stream = `bench:fan:${process.pid}:${round}`;
    const c = await connectRedis(REDIS_URL);
    await c.xgroup('CREATE', stream, 'bench', '$', 'MKSTREAM');
    const start = performance.timeOrigin + performance.now();
    const consumers = [child(['--consumer', REDIS_URL, stream, 'c1']), child(['--consumer', REDIS_URL, stream, 'c2'])];
    await Promise.all([child(['--producer', REDIS_URL, stream]), child(['--producer', REDIS_URL, stream])]);
    const outs = (await Promise.all(consumers)).map(
      (o) => JSON.parse(o.trim()) as { latencies: number[]; last: number },
    );
    await c.del(stream);
    await c.quit();
    const latencies = outs.flatMap((o) => o.latencies).sort((a, b) => a - b);
    if (latencies.length !== 2 * PER_PRODUCER)
      throw new Error(`bench: consumed ${latencies.length} of ${2 * PER_PRODUCER}`);
    const end = Math.max(...outs.map((o) => o.last));
    rows.push({
      throughput: latencies.length / ((end - start) / 1000),
      p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
      p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    });
  }
  const by = <K extends keyof (typeof rows)[number]>(k: K): number[] => rows.map((r) => r[k]).sort((a, b) => a - b);
  const fmt = (v: number[], f: (x: number) => string): string => `${f(v[1] ?? 0)} (${f(v[0] ?? 0)} – ${f(v[2] ?? 0)})`;
  console.log(
    `\nRedis stream shared by 2 producer and 2 consumer processes, ${2 * PER_PRODUCER} events per round (median of 3 rounds, range)`,
  );
  console.log('| end-to-end throughput | p50 latency | p99 latency |');
  console.log('| --- | --- | --- |');
  console.log(
    `| ${fmt(by('throughput'), rate)} | ${fmt(by('p50'), (x) => `${x.toFixed(1)} ms`)} | ${fmt(by('p99'), (x) => `${x.toFixed(1)} ms`)} |`,
  );
  console.log(
    '(end-to-end: from the producers starting to the last event consumed and acknowledged; process start-up included)',
  );
}

const role = process.argv[2];
if (role === '--producer') await producer(process.argv[3] as string, process.argv[4] as string);
else if (role === '--consumer')
  await consumer(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string, PER_PRODUCER * 2);
else {
  await storeTable();
  await redisFanTable();
}
