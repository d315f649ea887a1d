import pg from 'pg';
import type { EventEnvelope } from '../runtime/types.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import { envelopeFromRow, eventRow } from './event-row.js';
import { migratePostgres } from './postgres-migrations.js';
import { ResilientSink, type ResilientSinkOptions } from './resilient-sink.js';
import type { StoredEventQuery } from './sqlite-event-sink.js';

/** Options of {@link PostgresEventSink}. */
export interface PostgresEventSinkOptions extends ResilientSinkOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string;
  /** How long a connection attempt may take, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/** Opens one client and applies the package's migrations (a no-op once they are recorded). */
export async function connectPostgresStore(connectionString: string, connectTimeoutMs = 5000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs });
  // a server restart surfaces as an 'error' event on an idle client; the next query fails and the writer reconnects
  client.on('error', () => undefined);
  try {
    await client.connect();
    await migratePostgres(client);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

// classes 22 (data exception) and 23 (integrity constraint) reject the payload itself: retrying cannot help
const isPermanentPgError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
};

class PostgresEventWriter implements BatchWriter {
  readonly name = 'postgres';
  private readonly _connectionString: string;
  private readonly _connectTimeoutMs: number;
  private _client: pg.Client | undefined;
  private _seq = 0;

  constructor(connectionString: string, connectTimeoutMs: number) {
    this._connectionString = connectionString;
    this._connectTimeoutMs = connectTimeoutMs;
  }

  async writeBatch(batch: WriteBatch): Promise<void> {
    this._client ??= await connectPostgresStore(this._connectionString, this._connectTimeoutMs);
    const client = this._client;
    if (batch.attempt > 1) {
      const seen = await client.query('SELECT 1 FROM stageflow_event_batches WHERE batch_id = $1', [batch.batchId]);
      if (seen.rowCount) return;
    }
    const n = batch.events.length;
    const seqs: number[] = new Array<number>(n);
    const types: string[] = new Array<string>(n);
    const runs: (string | null)[] = new Array<string | null>(n);
    const times: (string | null)[] = new Array<string | null>(n);
    const data: (string | null)[] = new Array<string | null>(n);
    const first = this._seq;
    for (let i = 0; i < n; i++) {
      const row = eventRow(batch.events[i] as EventEnvelope);
      seqs[i] = first + i + 1;
      types[i] = row.type;
      runs[i] = row.pipelineRunId;
      times[i] = row.timestamp;
      data[i] = row.json;
    }
    // one statement per batch whatever its size: unnest turns the parallel arrays into rows
    await client.query('BEGIN');
    try {
      await client.query(
        `INSERT INTO events (seq, type, pipeline_run_id, "timestamp", data)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]::jsonb[])`,
        [seqs, types, runs, times, data],
      );
      await client.query('INSERT INTO stageflow_event_batches (batch_id, events) VALUES ($1, $2)', [batch.batchId, n]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this._seq = first + n;
  }

  isTransient(error: unknown): boolean {
    return !isPermanentPgError(error);
  }

  async reset(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    await client?.end().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.reset();
  }
}

/** Stores events in PostgreSQL (`jsonb` payloads, one multi-row INSERT per batch, self-applied migrations), behind {@link ResilientSink}'s retries and dead-letter file. */
export class PostgresEventSink extends ResilientSink {
  constructor(options: PostgresEventSinkOptions) {
    super(new PostgresEventWriter(options.connectionString, options.connectTimeoutMs ?? 5000), options);
  }
}

/** Reads stored events back from PostgreSQL, oldest first, as `{type, data}` envelopes. */
export async function readPostgresEvents(
  connectionString: string,
  query: StoredEventQuery = {},
): Promise<EventEnvelope[]> {
  const client = await connectPostgresStore(connectionString);
  try {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.type !== undefined) where.push(`type = $${params.push(query.type)}`);
    if (query.pipelineRunId !== undefined) where.push(`pipeline_run_id = $${params.push(query.pipelineRunId)}`);
    const limit = query.limit !== undefined ? ` LIMIT $${params.push(query.limit)}` : '';
    const res = await client.query<{ type: string; data: string | null }>(
      `SELECT type, data::text AS data FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${limit}`,
      params,
    );
    return res.rows.map((r) => envelopeFromRow(r.type, r.data));
  } finally {
    await client.end();
  }
}
