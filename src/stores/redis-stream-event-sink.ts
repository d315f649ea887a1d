import type { EventEnvelope } from '../runtime/types.js';
import type { BatchResult, BatchWriter, RejectedEvent, WriteBatch } from './batch-writer.js';
import { createRedisClient, type RedisClient } from './drivers.js';
import { ResilientSink, type ResilientSinkOptions } from './resilient-sink.js';

/** The stream key used when none is given. */
export const DEFAULT_REDIS_STREAM = 'stageflow:events';

/** Options of {@link RedisStreamEventSink}. */
export interface RedisStreamEventSinkOptions extends ResilientSinkOptions {
  /** `redis://[user:password@]host:port/db`. */
  readonly url: string;
  /** Stream key, or the key prefix with `perFamily`. Default {@link DEFAULT_REDIS_STREAM}. */
  readonly stream?: string;
  /** Writes each event family (the type's first dot segment) to its own stream `<stream>:<family>`. Default false. */
  readonly perFamily?: boolean;
  /** Approximate cap of each stream's length (`XADD MAXLEN ~`). Default 1,000,000. */
  readonly maxLen?: number;
  /** How long a connection attempt may take, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/** Opens a client that fails fast instead of queueing commands while disconnected, so that the caller's retry policy is the only one; loads the optional `ioredis` package on first use. */
export async function connectRedis(url: string, connectTimeoutMs = 5000): Promise<RedisClient> {
  const client = await createRedisClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: connectTimeoutMs,
  });
  // connection errors also reject the pending command, which is where they are handled; during connect the server's
  // reply (WRONGPASS, NOAUTH) arrives only here, and connect() itself rejects with a bare "Connection is closed."
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw lastError instanceof Error && lastError.name === 'ReplyError' ? lastError : error;
  }
  return client;
}

/** The stream an event goes to under the given layout. */
export function redisStreamFor(type: string, stream: string, perFamily: boolean): string {
  if (!perFamily) return stream;
  const dot = type.indexOf('.');
  return `${stream}:${dot === -1 ? type : type.slice(0, dot)}`;
}

const BATCH_MARKER_TTL_S = 86_400;

// replies that retrying cannot change: bad credentials or rights, a key of another type, a command the server refuses
const PERMANENT_REDIS = /^(WRONGPASS|NOAUTH|NOPERM|WRONGTYPE|ERR)\b/;

function isPermanentRedisError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError' && PERMANENT_REDIS.test(error.message);
}

class RedisStreamWriter implements BatchWriter {
  readonly name = 'redis';
  private readonly _options: RedisStreamEventSinkOptions;
  private readonly _stream: string;
  private readonly _maxLen: string;
  private _client: RedisClient | undefined;
  private _generation = 0;

  constructor(options: RedisStreamEventSinkOptions) {
    this._options = options;
    this._stream = options.stream ?? DEFAULT_REDIS_STREAM;
    this._maxLen = String(options.maxLen ?? 1_000_000);
  }

  private async _connect(): Promise<RedisClient> {
    if (this._client !== undefined) return this._client;
    const generation = this._generation;
    const client = await connectRedis(this._options.url, this._options.connectTimeoutMs);
    if (generation !== this._generation) {
      // reset() (an abandoned attempt) ran while connecting: this connection belongs to nobody
      client.disconnect();
      throw new Error('RedisStreamEventSink: connection abandoned');
    }
    this._client = client;
    return client;
  }

  async writeBatch(batch: WriteBatch): Promise<void | BatchResult> {
    const client = await this._connect();
    const marker = `${this._stream}:batch:${batch.batchId}`;
    // a retry after a lost EXEC reply must not add the batch twice: the marker is written in the same transaction
    if (batch.attempt > 1 && (await client.exists(marker)) === 1) return;
    const perFamily = this._options.perFamily ?? false;
    const keys = batch.events.map((e) => redisStreamFor(e.type, this._stream, perFamily));
    // MULTI does not roll back: a key of another type would fail its XADDs while the rest, marker included, ran.
    // Keys that are not streams are found first and their events refused before anything is written
    const distinct = [...new Set(keys)];
    const typeReplies = (await client.pipeline(distinct.map((k) => ['type', k])).exec()) ?? [];
    const notStream = new Map<string, string>();
    distinct.forEach((k, i) => {
      const [error, type] = typeReplies[i] ?? [new Error('no reply'), undefined];
      if (error) throw error;
      if (type !== 'stream' && type !== 'none') notStream.set(k, String(type));
    });
    const rejected: RejectedEvent[] = [];
    const sent: number[] = [];
    const multi = client.multi();
    batch.events.forEach((e, i) => {
      const key = keys[i] as string;
      const other = notStream.get(key);
      if (other !== undefined) {
        rejected.push({
          index: i,
          error: new Error(`RedisStreamEventSink: WRONGTYPE key '${key}' holds a ${other}, not a stream`),
        });
        return;
      }
      sent.push(i);
      if (e.data === undefined) multi.xadd(key, 'MAXLEN', '~', this._maxLen, '*', 'type', e.type);
      else multi.xadd(key, 'MAXLEN', '~', this._maxLen, '*', 'type', e.type, 'data', JSON.stringify(e.data));
    });
    multi.set(marker, '1', 'EX', BATCH_MARKER_TTL_S);
    const results = await multi.exec();
    if (results === null) throw new Error(`RedisStreamEventSink: transaction on '${this._stream}' was aborted`);
    // every reply is checked: an XADD that failed inside the transaction (the key changed type meanwhile) is refused,
    // never counted delivered; the others were applied and are
    for (let j = 0; j < sent.length; j++) {
      const error = results[j]?.[0];
      if (error) rejected.push({ index: sent[j] as number, error });
    }
    return rejected.length > 0 ? { rejected } : undefined;
  }

  isTransient(error: unknown): boolean {
    return !isPermanentRedisError(error);
  }

  reset(): Promise<void> {
    this._client?.disconnect();
    this._client = undefined;
    this._generation++;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    this._generation++;
    if (client) await client.quit().catch(() => client.disconnect());
  }
}

/** Appends events to a Redis stream (`XADD MAXLEN ~`), one MULTI per batch, so that many producer processes share one durable stream; behind {@link ResilientSink}'s retries and dead-letter file. */
export class RedisStreamEventSink extends ResilientSink {
  constructor(options: RedisStreamEventSinkOptions) {
    super(new RedisStreamWriter(options), options);
  }
}

/** Parses the field list of one stream entry into an envelope; returns undefined when it has no `type` or its `data` is not JSON. */
export function envelopeFromStreamFields(fields: readonly string[]): EventEnvelope | undefined {
  let type: string | undefined;
  let data: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'type') type = fields[i + 1];
    else if (fields[i] === 'data') data = fields[i + 1];
  }
  if (type === undefined) return undefined;
  if (data === undefined) return { type };
  try {
    return { type, data: JSON.parse(data) as unknown };
  } catch {
    return undefined;
  }
}
