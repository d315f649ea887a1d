import type { ErrorSummary } from '../observability/error-summary.js';
import type { EventSink } from '../runtime/types.js';
import type { Interceptor } from './interceptor.js';
import type { PipelineContext } from './pipeline-context.js';
import type { PipelineRunLogger } from './pipeline-run-logger.js';
import type { CorrelationKeyOptions } from './run-identity.js';
import type { DescriptorLookup, StageContext } from './stage-context.js';
import type { StageOutput } from './stage-output.js';
import type { SubpipelineSpawner } from './subpipeline-spawner.js';
import type { WideEventEmitter } from './wide-event-emitter.js';

// the public types of a stage graph and of one run; the checks and builder are in stage-graph.ts, the run in graph-run.ts

/** A stage's code: returns a {@link StageOutput} (nothing means `StageOutput.ok()`); a thrown error fails the stage. */
export type StageRunner = (ctx: StageContext) => StageOutput | void | Promise<StageOutput | void>;

/** The guard-retry policy of a guard stage. */
export interface GuardRetryPolicy {
  /** The stage re-run before the guard; it must be one of the guard's dependencies. */
  readonly retryStage: string;
  /** Default 2. */
  readonly maxAttempts?: number;
  /** Consecutive identical failure fingerprints that end the retries. Default 2. */
  readonly stagnationLimit?: number;
  /** Seconds since the first failure after which retries stop. Default null (no limit). */
  readonly timeoutSeconds?: number | null;
  /** The output data fields the fingerprint hashes. Default: all of them. */
  readonly hashFields?: readonly string[];
}

/** One stage of a {@link StageGraph}. */
export interface StageSpec {
  /** Matches `^[^.]+$`: the name is recovered from the type string `stage.<name>.<status>`. */
  readonly name: string;
  readonly runner: StageRunner;
  readonly dependencies: readonly string[];
  /** Fails the stage with a {@link StageTimeoutError} after this many milliseconds. Default: no timeout. */
  readonly timeoutMs?: number | undefined;
  readonly guardRetry?: GuardRetryPolicy | undefined;
}

/** How a stage ended. */
export type StageStatus = 'completed' | 'failed' | 'skipped' | 'cancelled';

/** One stage execution as interceptors and run results see it. */
export interface StageRunResult {
  readonly stage: string;
  readonly status: StageStatus;
  readonly data: Readonly<Record<string, unknown>>;
  readonly error?: Error;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Whole milliseconds (truncated). */
  readonly durationMs: number;
  readonly attempt: number;
}

/**
 * Options of {@link StageGraph.run}. The correlation keys (`pipelineRunId`, `requestId`, `sessionId`, `userId`,
 * `orgId`, `topology`, `executionMode`, `service`) come from `schemas/common/correlation-keys.v1.json`; see
 * {@link createRunIdentity} for their defaults.
 */
export interface PipelineRunOptions extends CorrelationKeyOptions {
  /**
   * The run this one is a child of: the child inherits its correlation keys (but the run id), sink, spawner and
   * inherited options (interceptors, wide events, run logger, lookup, grace), and runs one level deeper. Options
   * given here override what is inherited. Set by the spawner.
   */
  readonly parent?: PipelineContext;
  /** For a root run only (a child's parent is `parent`). Default null. */
  readonly parentRunId?: string | null;
  /** Default: the graph's name. */
  readonly pipelineName?: string;
  /** Every event of the run goes here. Default: {@link getEventSink} when the run starts. */
  readonly sink?: EventSink;
  /** Cancels the run when aborted. */
  readonly signal?: AbortSignal;
  readonly interceptors?: readonly Interceptor[];
  /** `true` emits `stage.wide` and `pipeline.wide` with the default names; an emitter sets the names. Default off. */
  readonly wideEvents?: boolean | WideEventEmitter;
  /** Called besides the built-in `pipeline.*` event logger. */
  readonly runLogger?: PipelineRunLogger;
  /** Default: the parent's spawner, else a new spawner per root run. */
  readonly spawner?: SubpipelineSpawner;
  /** The subpipeline level of a root run. Default 0; a child run is one level below its `parent`. */
  readonly depth?: number;
  /** Resolves custom event types for `StageContext.emitEvent` (the custom-event registry). */
  readonly lookupDescriptor?: DescriptorLookup;
  /** After a timeout or cancellation, how long a stage's runner may take to settle before it is abandoned. Default 1000 ms. */
  readonly cancelGraceMs?: number;
}

/** The outcome of {@link StageGraph.run}. */
export interface PipelineRunResult {
  readonly pipelineRunId: string;
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly durationMs: number;
  /** The last result of each stage that ended, in completion order. */
  readonly stages: ReadonlyMap<string, StageRunResult>;
  /** The failure (for a failed run) or the cancellation (for a cancelled one). */
  readonly error?: Error;
  readonly errorSummary?: ErrorSummary;
  readonly failedStage?: string;
  readonly cancelledByStage?: string;
  /** The output data of the last stage to complete, merged over the earlier ones. */
  readonly finalOutput: Readonly<Record<string, unknown>>;
  /** The run's context: data and interceptor observations (`getObservation('metrics', stage)`). */
  readonly context: PipelineContext;
}
