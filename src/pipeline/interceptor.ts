import type { PipelineContext } from './pipeline-context.js';
import type { PipelineRunResult, StageRunResult } from './types.js';
import type { StageContext } from './stage-context.js';
import type { StageOutput } from './stage-output.js';

/** What an interceptor's `onError` asks for: re-run the stage once (`retry`) or let it fail (`fail`). */
export type ErrorAction = 'retry' | 'fail';

/**
 * Code around every stage of a run: `before` in ascending priority (returning a {@link StageOutput} short-circuits the
 * stage with that output), `after` in descending priority, `onError` in descending priority until one asks for a retry.
 * Exceptions thrown by an interceptor are isolated and reported through `process.emitWarning`.
 */
export interface Interceptor {
  readonly name: string;
  /** Lower runs `before` earlier and `after` later. */
  readonly priority: number;
  before?(stage: string, ctx: StageContext): void | StageOutput | Promise<void | StageOutput>;
  after?(stage: string, result: StageRunResult, ctx: StageContext): void | Promise<void>;
  onError?(stage: string, error: unknown, ctx: StageContext): ErrorAction | Promise<ErrorAction>;
  /** Called once when the run starts, before any stage. */
  onPipelineStart?(ctx: PipelineContext): void;
  /** Called once when every stage has settled, before the terminal `pipeline.*` event. */
  onPipelineEnd?(ctx: PipelineContext, result: PipelineRunResult): void;
  /**
   * Runs around a whole run (its `pipeline.*` events, every hook and every stage): call `next` once and return its
   * result. Use it to make a context active for everything the run does (the tracing interceptor makes the run's span
   * the active OpenTelemetry span). Nested in ascending priority: the lowest priority is outermost.
   */
  aroundRun?(ctx: PipelineContext, next: () => Promise<PipelineRunResult>): Promise<PipelineRunResult>;
  /**
   * Runs around one attempt of a stage (its `stage.*` events, the `before`, `onError` and `after` hooks and the stage
   * code, including tools and subpipelines it calls): call `next` once and return its result. A guard retry's attempts
   * are separate calls. Nested in ascending priority: the lowest priority is outermost.
   */
  aroundStage?(
    stage: string,
    ctx: PipelineContext,
    attempt: number,
    next: () => Promise<StageRunResult>,
  ): Promise<StageRunResult>;
}
