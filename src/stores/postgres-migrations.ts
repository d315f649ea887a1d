import type { PgClient } from './drivers.js';

/** One versioned schema change; versions only grow and a version, once released, never changes. */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  /** Idempotent DDL (`IF NOT EXISTS`), so that it can be applied again when its objects have gone. */
  readonly sql: string;
  /** A query returning one row `{ ok: boolean }`: whether the objects this migration creates exist (checked on every connect). */
  readonly present?: string;
}

/** The migrations the PostgreSQL stores apply to themselves, in order. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'events',
    sql: `CREATE TABLE IF NOT EXISTS events (
  id BIGSERIAL PRIMARY KEY,
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  pipeline_run_id TEXT,
  "timestamp" TIMESTAMPTZ,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  data JSONB
);
CREATE INDEX IF NOT EXISTS events_type_idx ON events (type);
CREATE INDEX IF NOT EXISTS events_pipeline_run_id_idx ON events (pipeline_run_id);
CREATE INDEX IF NOT EXISTS events_timestamp_idx ON events ("timestamp");`,
    present: `SELECT to_regclass('events') IS NOT NULL AS ok`,
  },
  {
    version: 2,
    name: 'pipeline_runs',
    sql: `CREATE TABLE IF NOT EXISTS pipeline_runs (
  id TEXT PRIMARY KEY,
  pipeline_name TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  failed_at TIMESTAMPTZ,
  duration_ms BIGINT,
  error TEXT,
  failed_stage TEXT
);
CREATE INDEX IF NOT EXISTS pipeline_runs_status_idx ON pipeline_runs (status);`,
    present: `SELECT to_regclass('pipeline_runs') IS NOT NULL AS ok`,
  },
  {
    version: 3,
    name: 'event_batches',
    // a batch id committed with its rows lets a retry after a lost COMMIT reply tell that the batch is already stored
    sql: `CREATE TABLE IF NOT EXISTS stageflow_event_batches (
  batch_id UUID PRIMARY KEY,
  events INTEGER NOT NULL,
  committed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);`,
    present: `SELECT to_regclass('stageflow_event_batches') IS NOT NULL AS ok`,
  },
  {
    version: 4,
    name: 'event_ids',
    // each event's idempotency key: a re-send of a stored event (a dead-letter file replayed after a lost COMMIT reply) is a no-op
    sql: `ALTER TABLE events ADD COLUMN IF NOT EXISTS event_id TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id_idx ON events (event_id);`,
    present: `SELECT to_regclass('events_event_id_idx') IS NOT NULL AS ok`,
  },
];

// any constant works; it only has to be the same in every process that migrates this database
const MIGRATION_LOCK_KEY = 0x5f1e_e7e5;

/**
 * Applies the migrations not yet recorded in `stageflow_events_migrations`, under an advisory lock so that concurrent
 * producers migrate once, and applies again a recorded one whose objects have gone (a dropped table); returns the
 * versions applied (none on a second run over an intact schema).
 */
export async function migratePostgres(
  client: Pick<PgClient, 'query'>,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS stageflow_events_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM stageflow_events_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) {
        // the ledger can outlive the schema (a table dropped by hand): verify, and re-create what is missing
        if (m.present === undefined) continue;
        const present = await client.query<{ ok: boolean }>(m.present);
        if (present.rows[0]?.ok === true) continue;
        await client.query(m.sql);
        applied.push(m.version);
        continue;
      }
      await client.query(m.sql);
      await client.query('INSERT INTO stageflow_events_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}
