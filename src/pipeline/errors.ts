import { ContractError } from '../errors.js';

/** A stage ran longer than its `timeoutMs`; {@link summarizePipelineError} reports it as `TIMEOUT`. */
export class StageTimeoutError extends ContractError {
  readonly stage: string;
  readonly timeoutMs: number;
  constructor(stage: string, timeoutMs: number) {
    super('stage_timeout', `stage '${stage}' timed out after ${timeoutMs} ms`);
    this.stage = stage;
    this.timeoutMs = timeoutMs;
  }
}

/** A stage or run was cancelled (by a `StageOutput.cancel`, the caller's `AbortSignal` or a parent run); summarised as `CANCELLED`. */
export class PipelineCancelledError extends ContractError {
  readonly reason: string;
  constructor(reason: string) {
    super('pipeline_cancelled', `pipeline cancelled: ${reason}`);
    this.reason = reason;
  }
}

/** A subpipeline spawn would exceed the spawner's `maxDepth`. */
export class MaxDepthExceededError extends ContractError {
  readonly depth: number;
  readonly maxDepth: number;
  constructor(depth: number, maxDepth: number) {
    super('max_depth_exceeded', `subpipeline depth ${depth + 1} exceeds maxDepth ${maxDepth}`);
    this.depth = depth;
    this.maxDepth = maxDepth;
  }
}

/** `e` itself when it is an `Error`, else an `Error` whose message is `String(e)`. */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
