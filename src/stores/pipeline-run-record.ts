/** What `logRunStarted` receives (the PipelineRunLogger protocol); extra keys are ignored. */
export interface RunStartedInput {
  readonly pipelineRunId: string;
  readonly pipelineName: string;
  readonly topology?: string | null | undefined;
  readonly executionMode?: string | null | undefined;
  readonly userId?: string | null | undefined;
}

/** What `logRunCompleted` receives; `status` is usually `completed`. */
export interface RunCompletedInput {
  readonly pipelineRunId: string;
  readonly pipelineName: string;
  readonly durationMs: number;
  readonly status?: string | undefined;
  readonly stageResults?: unknown;
}

/** What `logRunFailed` receives; `stage` names the stage that failed, when known. */
export interface RunFailedInput {
  readonly pipelineRunId: string;
  readonly pipelineName: string;
  readonly error: string;
  readonly stage?: string | null | undefined;
}

/** What `logRunCancelled` receives. */
export interface RunCancelledInput {
  readonly pipelineRunId: string;
  readonly pipelineName: string;
  readonly reason?: string | null | undefined;
}

/** One row of the `pipeline_runs` table, as the store loggers write it and `listRuns()` returns it. */
export interface PipelineRunRecord {
  readonly id: string;
  readonly pipelineName: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly failedAt: string | null;
  readonly durationMs: number | null;
  readonly error: string | null;
  readonly failedStage: string | null;
}
