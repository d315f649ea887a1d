import { isSpanContextValid, trace } from '@opentelemetry/api';
import { activeOtelContext } from '../observability/otel-context.js';
import { nowIso } from '../runtime/index.js';
import type { EventSink } from '../runtime/types.js';
import {
  emitPipelineCancelled,
  emitPipelineCompleted,
  emitPipelineFailed,
  emitPipelineStarted,
} from '../../generated/index.js';
import type { ErrorSummaryCode } from '../observability/error-summary.js';
import { toCorrelationKeys, type CorrelationKeys, type RunIdentity } from './run-identity.js';

// the run identity lives beside PipelineContext (run-identity.ts); re-exported here, where it was first declared
export type { RunIdentity };

/** Fields every lifecycle call carries: the keyword arguments of the protocol of the Python framework we follow plus our full run identity. */
interface RunLogBase {
  readonly pipelineRunId: string;
  readonly pipelineName: string;
  readonly run: RunIdentity;
}

/** What {@link PipelineRunLogger.logRunStarted} receives. */
export interface RunStartedLog extends RunLogBase {
  readonly topology: string | null;
  readonly executionMode: string | null;
  readonly userId: string | null;
  readonly stages: readonly string[];
}

/** What {@link PipelineRunLogger.logRunCompleted} receives. */
export interface RunCompletedLog extends RunLogBase {
  /** Whole milliseconds. */
  readonly durationMs: number;
  readonly status: 'completed';
  /** Each stage's final status, by stage name. */
  readonly stageResults: Readonly<Record<string, string>>;
  readonly stageCounts: Readonly<Record<string, number>>;
}

/** What {@link PipelineRunLogger.logRunFailed} receives. */
export interface RunFailedLog extends RunLogBase {
  readonly durationMs: number;
  readonly error: string;
  readonly errorCode: ErrorSummaryCode;
  readonly retryable: boolean;
  readonly stage: string | null;
}

/** What {@link PipelineRunLogger.logRunCancelled} receives. */
export interface RunCancelledLog extends RunLogBase {
  readonly durationMs: number;
  readonly reason: string;
  readonly cancelledByStage: string | null;
}

/**
 * Observes the lifecycle of every run (the protocol of the Python framework we follow, whose runtime never calls it).
 * The runtime calls its built-in {@link EventPipelineRunLogger} and any logger given as `runLogger`; an async logger's
 * promise is not awaited, and its rejection is reported through `process.emitWarning`.
 */
export interface PipelineRunLogger {
  logRunStarted(input: RunStartedLog): void | Promise<void>;
  logRunCompleted(input: RunCompletedLog): void | Promise<void>;
  logRunFailed(input: RunFailedLog): void | Promise<void>;
  logRunCancelled(input: RunCancelledLog): void | Promise<void>;
}

/** A {@link PipelineRunLogger} that does nothing. */
export class NoOpPipelineRunLogger implements PipelineRunLogger {
  logRunStarted(): void {}
  logRunCompleted(): void {}
  logRunFailed(): void {}
  logRunCancelled(): void {}
}

// the keys every pipeline.* event starts with; callers add theirs with Object.assign (a spread followed by more keys
// leaves V8's fast clone path on Node 20)
function base(run: RunIdentity): CorrelationKeys & { pipeline_name: string; parent_run_id?: string } {
  const b: CorrelationKeys & { pipeline_name: string; parent_run_id?: string } = Object.assign(toCorrelationKeys(run), {
    pipeline_name: run.pipelineName,
  });
  if (run.parentRunId !== null) b.parent_run_id = run.parentRunId;
  return b;
}

/** Writes the run lifecycle as validated `pipeline.started|completed|failed|cancelled` events to a sink (default: the resolved sink). */
export class EventPipelineRunLogger implements PipelineRunLogger {
  private readonly _options: { sink?: EventSink };

  constructor(options: { readonly sink?: EventSink } = {}) {
    this._options = options.sink === undefined ? {} : { sink: options.sink };
  }

  logRunStarted(input: RunStartedLog): void {
    // the run's trace, when a span is active (the tracing interceptor's run span): lets a report link to the trace
    const span = trace.getSpanContext(activeOtelContext());
    const traceId = span !== undefined && isSpanContextValid(span) ? span.traceId : undefined;
    const payload: Parameters<typeof emitPipelineStarted>[0] = Object.assign(base(input.run), {
      stages: [...input.stages],
    });
    if (traceId !== undefined) payload.trace_id = traceId;
    // last, where the emitter would put it, without the emitter's copy of the payload
    payload.timestamp = nowIso();
    emitPipelineStarted(payload, this._options);
  }

  logRunCompleted(input: RunCompletedLog): void {
    emitPipelineCompleted(
      Object.assign(base(input.run), {
        duration_ms: input.durationMs,
        stage_counts: { ...input.stageCounts },
        timestamp: nowIso(),
      }),
      this._options,
    );
  }

  logRunFailed(input: RunFailedLog): void {
    emitPipelineFailed(
      Object.assign(base(input.run), {
        duration_ms: input.durationMs,
        error: input.error,
        error_code: input.errorCode,
        retryable: input.retryable,
        failed_stage: input.stage,
      }),
      this._options,
    );
  }

  logRunCancelled(input: RunCancelledLog): void {
    emitPipelineCancelled(
      {
        ...base(input.run),
        duration_ms: input.durationMs,
        reason: input.reason,
        cancelled_by_stage: input.cancelledByStage,
      },
      this._options,
    );
  }
}
