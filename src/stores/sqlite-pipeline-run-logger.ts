import type { SqliteDatabase } from './drivers.js';
import type {
  PipelineRunRecord,
  RunCancelledInput,
  RunCompletedInput,
  RunFailedInput,
  RunStartedInput,
} from './pipeline-run-record.js';
import { openSqliteStore } from './sqlite-event-sink.js';

/** Options of {@link SqlitePipelineRunLogger}. */
export interface SqlitePipelineRunLoggerOptions {
  /** The store file, shared with {@link SqliteEventSink} if you like. */
  readonly path: string;
  /** Clock, for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
}

interface RunRow {
  id: string;
  pipeline_name: string;
  status: string;
  started_at: string | null;
  completed_at: string | null;
  failed_at: string | null;
  duration_ms: number | null;
  error: string | null;
  failed_stage: string | null;
}

/** Converts a `pipeline_runs` row into a {@link PipelineRunRecord}. */
export function pipelineRunFromRow(r: RunRow): PipelineRunRecord {
  return {
    id: r.id,
    pipelineName: r.pipeline_name,
    status: r.status,
    startedAt: r.started_at === null ? null : new Date(r.started_at).toISOString(),
    completedAt: r.completed_at === null ? null : new Date(r.completed_at).toISOString(),
    failedAt: r.failed_at === null ? null : new Date(r.failed_at).toISOString(),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    error: r.error,
    failedStage: r.failed_stage,
  };
}

/** Records pipeline runs in the `pipeline_runs` table of a SQLite store (the PipelineRunLogger protocol); one row per run, upserted as it progresses. */
export class SqlitePipelineRunLogger {
  private readonly _path: string;
  private readonly _now: () => Date;
  private _db: SqliteDatabase | undefined;

  constructor(options: SqlitePipelineRunLoggerOptions) {
    this._path = options.path;
    this._now = options.now ?? (() => new Date());
  }

  /** Inserts the run as `running` with its start time (a second start of the same id restarts the row). */
  logRunStarted(input: RunStartedInput): Promise<void> {
    this._store()
      .prepare(
        `INSERT INTO pipeline_runs (id, pipeline_name, status, started_at) VALUES (?, ?, 'running', ?)
         ON CONFLICT (id) DO UPDATE SET pipeline_name = excluded.pipeline_name, status = 'running', started_at = excluded.started_at,
           completed_at = NULL, failed_at = NULL, duration_ms = NULL, error = NULL, failed_stage = NULL`,
      )
      .run(input.pipelineRunId, input.pipelineName, this._now().toISOString());
    return Promise.resolve();
  }

  /** Marks the run completed (or the given `status`) with its completion time and duration. */
  logRunCompleted(input: RunCompletedInput): Promise<void> {
    this._finish(
      input.pipelineRunId,
      input.pipelineName,
      input.status ?? 'completed',
      'completed_at',
      Math.round(input.durationMs),
      null,
      null,
    );
    return Promise.resolve();
  }

  /** Marks the run failed with its failure time, the error and the stage that failed. */
  logRunFailed(input: RunFailedInput): Promise<void> {
    this._finish(
      input.pipelineRunId,
      input.pipelineName,
      'failed',
      'failed_at',
      null,
      input.error,
      input.stage ?? null,
    );
    return Promise.resolve();
  }

  /** Marks the run cancelled, keeping the reason in `error`. */
  logRunCancelled(input: RunCancelledInput): Promise<void> {
    this._finish(
      input.pipelineRunId,
      input.pipelineName,
      'cancelled',
      'completed_at',
      null,
      input.reason ?? null,
      null,
    );
    return Promise.resolve();
  }

  /** Every recorded run, oldest start first. */
  listRuns(): PipelineRunRecord[] {
    return (this._store().prepare('SELECT * FROM pipeline_runs ORDER BY started_at, id').all() as RunRow[]).map(
      pipelineRunFromRow,
    );
  }

  /** Closes the database; calling it twice is harmless. */
  shutdown(): Promise<void> {
    this._db?.close();
    this._db = undefined;
    return Promise.resolve();
  }

  private _store(): SqliteDatabase {
    this._db ??= openSqliteStore(this._path);
    return this._db;
  }

  private _finish(
    id: string,
    name: string,
    status: string,
    column: 'completed_at' | 'failed_at',
    durationMs: number | null,
    error: string | null,
    stage: string | null,
  ): void {
    const at = this._now();
    const db = this._store();
    // the duration falls back to the time since the recorded start when the caller gives none
    db.prepare(
      `INSERT INTO pipeline_runs (id, pipeline_name, status, ${column}, duration_ms, error, failed_stage) VALUES (@id, @name, @status, @at, @duration, @error, @stage)
       ON CONFLICT (id) DO UPDATE SET status = @status, ${column} = @at,
         duration_ms = COALESCE(@duration, CAST(ROUND((julianday(@at) - julianday(started_at)) * 86400000) AS INTEGER)),
         error = @error, failed_stage = @stage`,
    ).run({ id, name, status, at: at.toISOString(), duration: durationMs, error, stage });
  }
}
