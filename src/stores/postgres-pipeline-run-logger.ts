import type {
  PipelineRunRecord,
  RunCancelledInput,
  RunCompletedInput,
  RunFailedInput,
  RunStartedInput,
} from './pipeline-run-record.js';
import type { PgClient, PgQueryResult } from './drivers.js';
import { connectPostgresStore } from './postgres-event-sink.js';
import { pipelineRunFromRow } from './sqlite-pipeline-run-logger.js';

/** Options of {@link PostgresPipelineRunLogger}. */
export interface PostgresPipelineRunLoggerOptions {
  readonly connectionString: string;
  /** Clock, for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Records pipeline runs in the `pipeline_runs` table of PostgreSQL (the PipelineRunLogger protocol); one row per run, upserted as it progresses. */
export class PostgresPipelineRunLogger {
  private readonly _connectionString: string;
  private readonly _now: () => Date;
  private _client: Promise<PgClient> | undefined;

  constructor(options: PostgresPipelineRunLoggerOptions) {
    this._connectionString = options.connectionString;
    this._now = options.now ?? (() => new Date());
  }

  /** Inserts the run as `running` with its start time (a second start of the same id restarts the row). */
  async logRunStarted(input: RunStartedInput): Promise<void> {
    await this._query(
      `INSERT INTO pipeline_runs (id, pipeline_name, status, started_at) VALUES ($1, $2, 'running', $3)
       ON CONFLICT (id) DO UPDATE SET pipeline_name = excluded.pipeline_name, status = 'running', started_at = excluded.started_at,
         completed_at = NULL, failed_at = NULL, duration_ms = NULL, error = NULL, failed_stage = NULL`,
      [input.pipelineRunId, input.pipelineName, this._now().toISOString()],
    );
  }

  /** Marks the run completed (or the given `status`) with its completion time and duration. */
  async logRunCompleted(input: RunCompletedInput): Promise<void> {
    await this._finish(
      input.pipelineRunId,
      input.pipelineName,
      input.status ?? 'completed',
      'completed_at',
      Math.round(input.durationMs),
      null,
      null,
    );
  }

  /** Marks the run failed with its failure time, the error and the stage that failed. */
  async logRunFailed(input: RunFailedInput): Promise<void> {
    await this._finish(
      input.pipelineRunId,
      input.pipelineName,
      'failed',
      'failed_at',
      null,
      input.error,
      input.stage ?? null,
    );
  }

  /** Marks the run cancelled, keeping the reason in `error`. */
  async logRunCancelled(input: RunCancelledInput): Promise<void> {
    await this._finish(
      input.pipelineRunId,
      input.pipelineName,
      'cancelled',
      'completed_at',
      null,
      input.reason ?? null,
      null,
    );
  }

  /** Every recorded run, oldest start first. */
  async listRuns(): Promise<PipelineRunRecord[]> {
    const res = await this._query(
      'SELECT id, pipeline_name, status, started_at, completed_at, failed_at, duration_ms, error, failed_stage FROM pipeline_runs ORDER BY started_at, id',
      [],
    );
    return (res.rows as Parameters<typeof pipelineRunFromRow>[0][]).map(pipelineRunFromRow);
  }

  /** Closes the connection; calling it twice is harmless. */
  async shutdown(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    if (client) await (await client).end().catch(() => undefined);
  }

  private async _query(sql: string, params: unknown[]): Promise<PgQueryResult<unknown>> {
    this._client ??= connectPostgresStore(this._connectionString);
    try {
      return await (await this._client).query(sql, params);
    } catch (error) {
      // a broken connection is replaced on the next call
      await this.shutdown();
      throw error;
    }
  }

  private async _finish(
    id: string,
    name: string,
    status: string,
    column: 'completed_at' | 'failed_at',
    durationMs: number | null,
    error: string | null,
    stage: string | null,
  ): Promise<void> {
    // the duration falls back to the time since the recorded start when the caller gives none
    await this._query(
      `INSERT INTO pipeline_runs (id, pipeline_name, status, ${column}, duration_ms, error, failed_stage) VALUES ($1, $2, $3, $4::timestamptz, $5::bigint, $6, $7)
       ON CONFLICT (id) DO UPDATE SET status = $3, ${column} = $4::timestamptz,
         duration_ms = COALESCE($5::bigint, ROUND(EXTRACT(EPOCH FROM ($4::timestamptz - pipeline_runs.started_at)) * 1000)::bigint),
         error = $6, failed_stage = $7`,
      [id, name, status, this._now().toISOString(), durationMs, error, stage],
    );
  }
}
