import type { EventSink } from '../sinks/event-sink.js';
import { emitPipelineCancelled, emitPipelineCompleted, emitPipelineFailed, emitPipelineStarted } from '../../generated/index.js';
import type { ErrorSummaryCode } from '../observability/error-summary.js';

/** The identity of a run that every `pipeline.*` lifecycle event carries. */
export interface RunIdentity {
  readonly pipelineRunId: string;
  readonly parentRunId: string | null;
  readonly pipelineName: string;
  readonly requestId: string | null;
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly orgId: string | null;
  readonly topology: string | null;
  readonly executionMode: string | null;
  readonly service: string;
}

/** What {@link PipelineRunLogger.logRunFailed} receives. */
export interface RunFailure {
  readonly durationMs: number;
  readonly error: string;
  readonly errorCode: ErrorSummaryCode;
  readonly retryable: boolean;
  readonly stage: string | null;
}

/**
 * Observes the lifecycle of every run (the reference's protocol, which its runtime never calls); the runtime calls
 * its built-in {@link EventPipelineRunLogger} and any logger given as `runLogger`, synchronously.
 */
export interface PipelineRunLogger {
  logRunStarted(run: RunIdentity, stages: readonly string[]): void;
  logRunCompleted(run: RunIdentity, result: { readonly durationMs: number; readonly stageCounts: Readonly<Record<string, number>> }): void;
  logRunFailed(run: RunIdentity, failure: RunFailure): void;
  logRunCancelled(run: RunIdentity, cancel: { readonly durationMs: number; readonly reason: string; readonly cancelledByStage: string | null }): void;
}

/** A {@link PipelineRunLogger} that does nothing. */
export class NoOpPipelineRunLogger implements PipelineRunLogger {
  logRunStarted(): void {}
  logRunCompleted(): void {}
  logRunFailed(): void {}
  logRunCancelled(): void {}
}

function base(run: RunIdentity) {
  const b = {
    pipeline_run_id: run.pipelineRunId,
    request_id: run.requestId,
    session_id: run.sessionId,
    user_id: run.userId,
    org_id: run.orgId,
    topology: run.topology,
    execution_mode: run.executionMode,
    service: run.service,
    pipeline_name: run.pipelineName,
  };
  return run.parentRunId === null ? b : { ...b, parent_run_id: run.parentRunId };
}

/** Writes the run lifecycle as validated `pipeline.started|completed|failed|cancelled` events to a sink (default: the resolved sink). */
export class EventPipelineRunLogger implements PipelineRunLogger {
  private readonly _options: { sink?: EventSink };

  constructor(options: { readonly sink?: EventSink } = {}) {
    this._options = options.sink === undefined ? {} : { sink: options.sink };
  }

  logRunStarted(run: RunIdentity, stages: readonly string[]): void {
    emitPipelineStarted({ ...base(run), stages: [...stages] }, this._options);
  }

  logRunCompleted(run: RunIdentity, result: { readonly durationMs: number; readonly stageCounts: Readonly<Record<string, number>> }): void {
    emitPipelineCompleted({ ...base(run), duration_ms: result.durationMs, stage_counts: { ...result.stageCounts } }, this._options);
  }

  logRunFailed(run: RunIdentity, failure: RunFailure): void {
    emitPipelineFailed(
      { ...base(run), duration_ms: failure.durationMs, error: failure.error, error_code: failure.errorCode, retryable: failure.retryable, failed_stage: failure.stage },
      this._options,
    );
  }

  logRunCancelled(run: RunIdentity, cancel: { readonly durationMs: number; readonly reason: string; readonly cancelledByStage: string | null }): void {
    emitPipelineCancelled({ ...base(run), duration_ms: cancel.durationMs, reason: cancel.reason, cancelled_by_stage: cancel.cancelledByStage }, this._options);
  }
}
