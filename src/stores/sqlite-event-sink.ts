import Database from 'better-sqlite3';
import type { EventEnvelope } from '../runtime/types.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import type { SqliteDatabase } from './drivers.js';
import { eventRow, envelopeFromRow } from './event-row.js';
import { ResilientSink, type ResilientSinkOptions } from './resilient-sink.js';
import { SQLITE_SCHEMA } from './sqlite-schema.js';

/** Options of {@link SqliteEventSink}. */
export interface SqliteEventSinkOptions extends ResilientSinkOptions {
  /** The database file; created with its tables, indexes and WAL mode when missing. */
  readonly path: string;
  /** How long a write waits for another process's lock, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating if needed) a SQLite store file in WAL mode with the `events` and `pipeline_runs` tables. */
export function openSqliteStore(path: string, busyTimeoutMs = 5000): SqliteDatabase {
  const db: SqliteDatabase = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.exec(SQLITE_SCHEMA);
  return db;
}

const PERMANENT_SQLITE_CODES = new Set([
  'SQLITE_CONSTRAINT',
  'SQLITE_MISMATCH',
  'SQLITE_TOOBIG',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_READONLY',
]);

class SqliteEventWriter implements BatchWriter {
  readonly name = 'sqlite';
  private readonly _path: string;
  private readonly _busyTimeoutMs: number;
  private _db: SqliteDatabase | undefined;
  private _insert: ((rows: readonly EventEnvelope[]) => void) | undefined;
  private _seq = 0;

  constructor(path: string, busyTimeoutMs: number) {
    this._path = path;
    this._busyTimeoutMs = busyTimeoutMs;
  }

  writeBatch(batch: WriteBatch): Promise<void> {
    if (this._insert === undefined) {
      const db = openSqliteStore(this._path, this._busyTimeoutMs);
      const stmt = db.prepare(
        'INSERT INTO events (seq, type, pipeline_run_id, timestamp, recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)',
      );
      this._db = db;
      this._insert = db.transaction((events: readonly EventEnvelope[]) => {
        const recordedAt = new Date().toISOString();
        for (const e of events) {
          const row = eventRow(e);
          stmt.run(++this._seq, row.type, row.pipelineRunId, row.timestamp, recordedAt, row.json);
        }
      });
    }
    const seq = this._seq;
    try {
      this._insert(batch.events);
    } catch (error) {
      // the transaction rolled back, so the numbers it handed out are free again
      this._seq = seq;
      throw error;
    }
    return Promise.resolve();
  }

  isTransient(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    // extended codes (SQLITE_CONSTRAINT_UNIQUE) share the primary code's first two words
    return typeof code !== 'string' || !PERMANENT_SQLITE_CODES.has(code.split('_', 2).join('_'));
  }

  reset(): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this._insert = undefined;
    const db = this._db;
    this._db = undefined;
    if (db?.open) db.close();
    return Promise.resolve();
  }
}

/** Stores events in a SQLite file (the embedded default store), one transaction per batch, behind {@link ResilientSink}'s retries and dead-letter file. */
export class SqliteEventSink extends ResilientSink {
  constructor(options: SqliteEventSinkOptions) {
    super(new SqliteEventWriter(options.path, options.busyTimeoutMs ?? 5000), options);
  }
}

/** Filters of {@link readSqliteEvents}. */
export interface StoredEventQuery {
  readonly type?: string;
  readonly pipelineRunId?: string;
  /** Returns at most this many events, oldest first. */
  readonly limit?: number;
}

/** Reads stored events back from a SQLite store file, oldest first, as `{type, data}` envelopes. */
export function readSqliteEvents(path: string, query: StoredEventQuery = {}): EventEnvelope[] {
  const db = openSqliteStore(path);
  try {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.type !== undefined) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.pipelineRunId !== undefined) {
      where.push('pipeline_run_id = ?');
      params.push(query.pipelineRunId);
    }
    const sql = `SELECT type, data FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${query.limit !== undefined ? ' LIMIT ?' : ''}`;
    if (query.limit !== undefined) params.push(query.limit);
    const rows = db.prepare(sql).all(...params) as { type: string; data: string | null }[];
    return rows.map((r) => envelopeFromRow(r.type, r.data));
  } finally {
    db.close();
  }
}
