import type { RedisClient } from './drivers.js';
import type { EventEnvelope } from '../runtime/types.js';
import { connectRedis, DEFAULT_REDIS_STREAM, envelopeFromStreamFields } from './redis-stream-event-sink.js';

/** Options of {@link RedisStreamReader}. */
export interface RedisStreamReaderOptions {
  readonly url: string;
  /** Stream key or keys to read. Default {@link DEFAULT_REDIS_STREAM}. */
  readonly streams?: string | readonly string[];
  /** Consumer group; created (with the stream) when missing. Default `stageflow-events`. */
  readonly group?: string;
  /** This consumer's name, unique within the group. Default `consumer-<pid>`. */
  readonly consumer?: string;
  /** Where a new group starts: `0` reads the whole stream, `$` only new entries. Default `0`. */
  readonly startId?: string;
  /** Entries per read. Default 100. */
  readonly batchSize?: number;
  /** How long one read waits for new entries, in ms. Default 1000. */
  readonly blockMs?: number;
}

/** One entry read from a stream: where it came from and the event it carries (undefined when the entry is malformed). */
export interface StreamEntry {
  readonly stream: string;
  readonly id: string;
  readonly event: EventEnvelope | undefined;
}

type XReadGroupReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Reads events from Redis streams as one consumer of a consumer group (XREADGROUP) and acknowledges them (XACK), so that
 * several consumers share the work and an entry not acknowledged before a crash is delivered again to the same consumer.
 */
export class RedisStreamReader {
  private readonly _url: string;
  private readonly _streams: readonly string[];
  private readonly _group: string;
  private readonly _consumer: string;
  private readonly _startId: string;
  private readonly _batchSize: number;
  private readonly _blockMs: number;
  private _client: RedisClient | undefined;
  // after a restart the consumer first re-reads its own pending entries (id 0), then new ones (>)
  private _pendingFirst = true;

  constructor(options: RedisStreamReaderOptions) {
    this._url = options.url;
    const streams = options.streams ?? DEFAULT_REDIS_STREAM;
    this._streams = typeof streams === 'string' ? [streams] : [...streams];
    this._group = options.group ?? 'stageflow-events';
    this._consumer = options.consumer ?? `consumer-${process.pid}`;
    this._startId = options.startId ?? '0';
    this._batchSize = options.batchSize ?? 100;
    this._blockMs = options.blockMs ?? 1000;
  }

  /** Reads up to `batchSize` entries, waiting at most `blockMs`; an empty array means nothing arrived in time. */
  async read(): Promise<StreamEntry[]> {
    const client = await this._connect();
    for (;;) {
      const ids = this._streams.map(() => (this._pendingFirst ? '0' : '>'));
      const args: (string | number)[] = ['GROUP', this._group, this._consumer, 'COUNT', this._batchSize];
      if (!this._pendingFirst) args.push('BLOCK', this._blockMs);
      const reply = (await client.call('XREADGROUP', ...args, 'STREAMS', ...this._streams, ...ids)) as XReadGroupReply;
      const out: StreamEntry[] = [];
      for (const [stream, entries] of reply ?? []) {
        // a pending entry trimmed away by MAXLEN comes back with null fields
        for (const [id, fields] of entries)
          out.push({ stream, id, event: fields ? envelopeFromStreamFields(fields) : undefined });
      }
      if (this._pendingFirst && out.length === 0) {
        this._pendingFirst = false;
        continue;
      }
      return out;
    }
  }

  /** Acknowledges entries so that the group never delivers them again. */
  async ack(entries: readonly StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const client = await this._connect();
    const byStream = new Map<string, string[]>();
    for (const e of entries) {
      const ids = byStream.get(e.stream);
      if (ids) ids.push(e.id);
      else byStream.set(e.stream, [e.id]);
    }
    for (const [stream, ids] of byStream) await client.xack(stream, this._group, ...ids);
  }

  /** Yields batches of events until one read returns nothing (with `untilIdle`, the default) or forever, acknowledging each batch once the loop asks for the next. */
  async *batches(options: { readonly untilIdle?: boolean } = {}): AsyncGenerator<EventEnvelope[]> {
    const untilIdle = options.untilIdle ?? true;
    for (;;) {
      const entries = await this.read();
      if (entries.length === 0) {
        if (untilIdle) return;
        continue;
      }
      const events: EventEnvelope[] = [];
      for (const e of entries) if (e.event) events.push(e.event);
      if (events.length > 0) yield events;
      await this.ack(entries);
    }
  }

  /** Closes the connection; calling it twice is harmless. */
  async close(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  private async _connect(): Promise<RedisClient> {
    if (this._client) return this._client;
    const client = await connectRedis(this._url);
    for (const stream of this._streams) {
      try {
        await client.xgroup('CREATE', stream, this._group, this._startId, 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).startsWith('BUSYGROUP')) {
          client.disconnect();
          throw error;
        }
      }
    }
    this._client = client;
    return client;
  }
}
