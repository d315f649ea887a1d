// the pipeline runtime: graphs of stages that emit the lifecycle, wide and subpipeline events through the generated emitters
export { StageGraph, StageGraphBuilder } from './stage-graph.js';
export type {
  GuardRetryPolicy,
  PipelineRunOptions,
  PipelineRunResult,
  StageRunResult,
  StageRunner,
  StageSpec,
  StageStatus,
} from './types.js';
export { StageOutput } from './stage-output.js';
export type { StageOutcome } from './stage-output.js';
export { RESERVED_ENRICHMENT_KEYS, StageContext } from './stage-context.js';
export type { DescriptorLookup } from './stage-context.js';
export { PipelineContext } from './pipeline-context.js';
export { CORRELATION_KEY_NAMES, CORRELATION_KEYS, createRunIdentity, toCorrelationKeys } from './run-identity.js';
export type {
  CorrelationKeyOptions,
  CorrelationKeys,
  CorrelationKeysCamelCase,
  RunIdentity,
  RunIdentityOptions,
} from './run-identity.js';
export { WideEventEmitter } from './wide-event-emitter.js';
export type { WideContextBlock, WideEventEmitterOptions, WideStageSummary } from './wide-event-emitter.js';
export { ChildRunTracker, clearChildTracker, getChildTracker, setChildTracker } from './child-run-tracker.js';
export type { ChildRunTrackerMetrics } from './child-run-tracker.js';
export { DEFAULT_MAX_SUBPIPELINE_DEPTH, SubpipelineSpawner } from './subpipeline-spawner.js';
export type { SpawnOptions, SubpipelineResult, SubpipelineSpawnerOptions } from './subpipeline-spawner.js';
export { EventPipelineRunLogger, NoOpPipelineRunLogger } from './pipeline-run-logger.js';
export type {
  PipelineRunLogger,
  RunCancelledLog,
  RunCompletedLog,
  RunFailedLog,
  RunStartedLog,
} from './pipeline-run-logger.js';
export { MaxDepthExceededError, PipelineCancelledError, StageTimeoutError } from './errors.js';
export {
  MAX_ERROR_MESSAGE_LENGTH,
  errorSummaryToStagesPatch,
  errorSummaryToString,
  summarizePipelineError,
} from '../observability/error-summary.js';
export type { ErrorSummary, ErrorSummaryCode, SummarizePipelineErrorOptions } from '../observability/error-summary.js';
export type { ErrorAction, Interceptor } from './interceptor.js';
