import type { EventEnvelope } from '../runtime/types.js';
import type { BatchResult, BatchWriter, RejectedEvent, WriteBatch } from './batch-writer.js';
import { createPgClient, type PgClient } from './drivers.js';
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

/** Opens one client and applies the package's migrations (a no-op once they are recorded); loads the optional `pg` package on first use. */
export async function connectPostgresStore(connectionString: string, connectTimeoutMs = 5000): Promise<PgClient> {
  const client = await createPgClient({ connectionString, connectionTimeoutMillis: connectTimeoutMs });
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

// SQLSTATE classes that retrying cannot fix: 22 data exception and 23 integrity constraint (the payload itself),
// 28 invalid authorization (a wrong password), 3D invalid catalog (no such database), 3F invalid schema and 42 syntax
// or access rule (insufficient privilege); 42P01 (undefined table) is retried: the reconnect re-creates a dropped table
const PERMANENT_PG = /^(22|23|28|3D|3F|42)/;

function isPermanentPgError(error: unknown): boolean {
  if (error instanceof TypeError) return true; // a malformed connection string
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT_PG.test(code) && code !== '42P01';
}

// the payload of one event is what PostgreSQL refused (a NUL character or a lone surrogate in jsonb, a timestamp out of range)
const isDataError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
};

interface Rows {
  readonly seqs: number[];
  readonly types: string[];
  readonly runs: (string | null)[];
  readonly times: (string | null)[];
  readonly data: (string | null)[];
  readonly ids: string[];
}

const INSERT_EVENTS = `INSERT INTO events (seq, type, pipeline_run_id, "timestamp", data, event_id)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]::jsonb[], $6::text[])
  ON CONFLICT (event_id) DO NOTHING`;

class PostgresEventWriter implements BatchWriter {
  readonly name = 'postgres';
  private readonly _connectionString: string;
  private readonly _connectTimeoutMs: number;
  private _client: PgClient | undefined;
  private _generation = 0;
  private _seq = 0;

  constructor(connectionString: string, connectTimeoutMs: number) {
    this._connectionString = connectionString;
    this._connectTimeoutMs = connectTimeoutMs;
  }

  private async _connect(): Promise<PgClient> {
    if (this._client !== undefined) return this._client;
    const generation = this._generation;
    const client = await connectPostgresStore(this._connectionString, this._connectTimeoutMs);
    if (generation !== this._generation) {
      // reset() (an abandoned attempt) ran while connecting: this connection belongs to nobody
      await client.end().catch(() => undefined);
      throw new Error('PostgresEventSink: connection abandoned');
    }
    this._client = client;
    return client;
  }

  async writeBatch(batch: WriteBatch): Promise<void | BatchResult> {
    const client = await this._connect();
    if (batch.attempt > 1) {
      // a retry after a lost COMMIT reply: the batch id was committed with the rows
      const seen = await client.query('SELECT 1 FROM stageflow_event_batches WHERE batch_id = $1', [batch.batchId]);
      if (seen.rowCount) return;
    }
    const n = batch.events.length;
    const rows: Rows = {
      seqs: new Array<number>(n),
      types: new Array<string>(n),
      runs: new Array<string | null>(n),
      times: new Array<string | null>(n),
      data: new Array<string | null>(n),
      ids: new Array<string>(n),
    };
    const first = this._seq;
    for (let i = 0; i < n; i++) {
      const row = eventRow(batch.events[i] as EventEnvelope);
      rows.seqs[i] = first + i + 1;
      rows.types[i] = row.type;
      rows.runs[i] = row.pipelineRunId;
      rows.times[i] = row.timestamp;
      rows.data[i] = row.json;
      rows.ids[i] = batch.eventIds[i] as string;
    }
    const rejected: RejectedEvent[] = [];
    await client.query('BEGIN');
    try {
      // one statement per batch whatever its size: unnest turns the parallel arrays into rows
      await this._insert(client, rows, 0, n, rejected);
      await client.query('INSERT INTO stageflow_event_batches (batch_id, events) VALUES ($1, $2)', [batch.batchId, n]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this._seq = first + n;
    return rejected.length > 0 ? { rejected } : undefined;
  }

  // inserts rows [lo, hi); when PostgreSQL refuses a payload, bisects under savepoints so that only the refused events
  // are left out (about 2 log2(n) statements for one bad event), each with the server's reason
  private async _insert(
    client: PgClient,
    rows: Rows,
    lo: number,
    hi: number,
    rejected: RejectedEvent[],
  ): Promise<void> {
    const all = lo === 0 && hi === rows.seqs.length;
    const params = [rows.seqs, rows.types, rows.runs, rows.times, rows.data, rows.ids].map((a) =>
      all ? a : a.slice(lo, hi),
    );
    await client.query('SAVEPOINT stageflow_rows');
    try {
      await client.query(INSERT_EVENTS, params);
      await client.query('RELEASE SAVEPOINT stageflow_rows');
      return;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT stageflow_rows');
      await client.query('RELEASE SAVEPOINT stageflow_rows');
      if (hi - lo === 1) {
        rejected.push({ index: lo, error });
        return;
      }
    }
    const mid = lo + Math.floor((hi - lo) / 2);
    await this._insert(client, rows, lo, mid, rejected);
    await this._insert(client, rows, mid, hi, rejected);
  }

  isTransient(error: unknown): boolean {
    return !isPermanentPgError(error);
  }

  async reset(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    this._generation++;
    await client?.end().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.reset();
  }
}

/**
 * Stores events in PostgreSQL (`jsonb` payloads, one multi-row INSERT per batch, self-applied and self-verified
 * migrations, each event's id unique so that a re-send is a no-op; an event whose payload PostgreSQL refuses is
 * dead-lettered alone with the server's reason), behind {@link ResilientSink}'s retries and dead-letter file.
 */
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
