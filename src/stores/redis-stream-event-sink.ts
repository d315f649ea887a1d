import { Redis } from 'ioredis';
import type { EventEnvelope } from '../runtime/types.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
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

/** Opens a client that fails fast instead of queueing commands while disconnected, so that the caller's retry policy is the only one. */
export async function connectRedis(url: string, connectTimeoutMs = 5000): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: connectTimeoutMs,
  });
  // connection errors also reject the pending command, which is where they are handled
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
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

class RedisStreamWriter implements BatchWriter {
  readonly name = 'redis';
  private readonly _options: RedisStreamEventSinkOptions;
  private readonly _stream: string;
  private readonly _maxLen: string;
  private _client: Redis | undefined;

  constructor(options: RedisStreamEventSinkOptions) {
    this._options = options;
    this._stream = options.stream ?? DEFAULT_REDIS_STREAM;
    this._maxLen = String(options.maxLen ?? 1_000_000);
  }

  async writeBatch(batch: WriteBatch): Promise<void> {
    this._client ??= await connectRedis(this._options.url, this._options.connectTimeoutMs);
    const client = this._client;
    const marker = `${this._stream}:batch:${batch.batchId}`;
    // a retry after a lost EXEC reply must not add the batch twice: the marker is written in the same transaction
    if (batch.attempt > 1 && (await client.exists(marker)) === 1) return;
    const multi = client.multi();
    const perFamily = this._options.perFamily ?? false;
    for (const e of batch.events) {
      const key = redisStreamFor(e.type, this._stream, perFamily);
      if (e.data === undefined) multi.xadd(key, 'MAXLEN', '~', this._maxLen, '*', 'type', e.type);
      else multi.xadd(key, 'MAXLEN', '~', this._maxLen, '*', 'type', e.type, 'data', JSON.stringify(e.data));
    }
    multi.set(marker, '1', 'EX', BATCH_MARKER_TTL_S);
    const results = await multi.exec();
    if (results === null) throw new Error(`RedisStreamEventSink: transaction on '${this._stream}' was aborted`);
    for (const [error] of results) if (error) throw error;
  }

  reset(): Promise<void> {
    this._client?.disconnect();
    this._client = undefined;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const client = this._client;
    this._client = undefined;
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
