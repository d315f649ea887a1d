import type { EventEnvelope } from '../runtime/types.js';
import { connectPostgresStore } from './postgres-event-sink.js';
import { envelopeFromRow } from './event-row.js';
import { DEFAULT_REDIS_STREAM } from './redis-stream-event-sink.js';
import { RedisStreamReader } from './redis-stream-reader.js';
import { openSqliteStore } from './sqlite-event-sink.js';
import { createPostgresSink, createRedisStreamSink, createSqliteSink, type StoreSink } from './store-sink.js';

/** Options of {@link storeSinkFromTarget}. */
export interface StoreTargetOptions {
  /** Dead-letter NDJSON file. Default `<path>.dead-letter.ndjson` for SQLite, `stageflow-events.dead-letter.ndjson` in the working directory otherwise. */
  readonly deadLetterPath?: string;
  /** Events per write. Default 500. */
  readonly batchSize?: number;
  /** Called with store failures (retries, dead-lettered and dropped batches). */
  readonly onError?: (
    error: unknown,
    info: {
      readonly attempt: number;
      readonly events: number;
      readonly outcome: 'retry' | 'dead-lettered' | 'dropped';
    },
  ) => void;
}

/** A source of stored events, read in batches (what `replay --from` consumes). */
export interface StoreSource {
  /** The target, with any password masked. */
  readonly name: string;
  /** Yields stored events oldest first, in batches; for Redis, each batch is acknowledged once the next one is requested. */
  batches(): AsyncIterable<EventEnvelope[]>;
  /** Releases the connection; calling it twice is harmless. */
  close(): Promise<void>;
}

const DEFAULT_DEAD_LETTER = 'stageflow-events.dead-letter.ndjson';
const REDIS_OWN_PARAMS = ['stream', 'perFamily', 'maxLen', 'group', 'consumer'] as const;

/** Masks the password of a URL for messages. */
export function maskTarget(spec: string): string {
  return spec.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

function splitRedisUrl(spec: string): { url: string; params: URLSearchParams } {
  const u = new URL(spec);
  const params = new URLSearchParams(u.search);
  for (const k of REDIS_OWN_PARAMS) u.searchParams.delete(k);
  return { url: u.toString(), params };
}

/**
 * Maps `sqlite:<path>`, `postgres://…` (or `postgresql://…`) and `redis://…[?stream=KEY&perFamily=1&maxLen=N]` to a
 * production store sink; returns undefined for any other spec so that the caller can try its own kinds.
 */
export function storeSinkFromTarget(spec: string, options: StoreTargetOptions = {}): StoreSink | undefined {
  const common = {
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return undefined;
    return createSqliteSink({
      path,
      deadLetterPath: options.deadLetterPath ?? `${path}.dead-letter.ndjson`,
      ...common,
    });
  }
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    return createPostgresSink({
      connectionString: spec,
      deadLetterPath: options.deadLetterPath ?? DEFAULT_DEAD_LETTER,
      ...common,
    });
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const { url, params } = splitRedisUrl(spec);
    const maxLen = params.get('maxLen');
    return createRedisStreamSink({
      url,
      stream: params.get('stream') ?? DEFAULT_REDIS_STREAM,
      perFamily: params.get('perFamily') === '1' || params.get('perFamily') === 'true',
      ...(maxLen !== null && Number(maxLen) > 0 ? { maxLen: Number(maxLen) } : {}),
      deadLetterPath: options.deadLetterPath ?? DEFAULT_DEAD_LETTER,
      ...common,
    });
  }
  return undefined;
}

const PAGE = 1000;

/**
 * Maps `sqlite:<path>` and `postgres://…` (every stored event, oldest first) and
 * `redis://…[?stream=KEY&group=NAME&consumer=NAME]` (a consumer group read until the stream is idle for a second) to a
 * {@link StoreSource}; returns undefined for any other spec.
 */
export function storeSourceFromTarget(spec: string): StoreSource | undefined {
  const name = maskTarget(spec);
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return undefined;
    return {
      name,
      async *batches() {
        const db = openSqliteStore(path);
        try {
          const page = db.prepare('SELECT id, type, data FROM events WHERE id > ? ORDER BY id LIMIT ?');
          for (let after = 0; ; ) {
            const rows = page.all(after, PAGE) as { id: number; type: string; data: string | null }[];
            if (rows.length === 0) return;
            after = (rows[rows.length - 1] as { id: number }).id;
            yield rows.map((r) => envelopeFromRow(r.type, r.data));
          }
        } finally {
          db.close();
        }
      },
      close: () => Promise.resolve(),
    };
  }
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    return {
      name,
      async *batches() {
        const client = await connectPostgresStore(spec);
        try {
          for (let after = '0'; ; ) {
            const res = await client.query<{ id: string; type: string; data: string | null }>(
              'SELECT id::text AS id, type, data::text AS data FROM events WHERE events.id > $1::bigint ORDER BY events.id LIMIT $2',
              [after, PAGE],
            );
            const last = res.rows[res.rows.length - 1];
            if (last === undefined) return;
            after = last.id;
            yield res.rows.map((r) => envelopeFromRow(r.type, r.data));
          }
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      close: () => Promise.resolve(),
    };
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const { url, params } = splitRedisUrl(spec);
    const reader = new RedisStreamReader({
      url,
      streams: (params.get('stream') ?? DEFAULT_REDIS_STREAM).split(','),
      group: params.get('group') ?? 'stageflow-events-replay',
      ...(params.get('consumer') !== null ? { consumer: params.get('consumer') as string } : {}),
    });
    return { name, batches: () => reader.batches({ untilIdle: true }), close: () => reader.close() };
  }
  return undefined;
}
