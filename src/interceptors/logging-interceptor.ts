import { pino } from 'pino';
import type { StageRunResult } from '../pipeline/types.js';
import type { StageContext } from '../pipeline/stage-context.js';
import type { Interceptor } from '../pipeline/interceptor.js';
import type { InfoLogger } from './metrics-interceptor.js';

let defaultLogger: InfoLogger | undefined;

/** Logs a starting line and a completed line per stage, with the stage, run id, topology, status and duration. */
export class LoggingInterceptor implements Interceptor {
  readonly name = 'logging';
  readonly priority = 50;
  private readonly _logger: InfoLogger | undefined;

  /** `logger` defaults to a pino logger named `stage_interceptor` writing to stderr. */
  constructor(options: { readonly logger?: InfoLogger } = {}) {
    this._logger = options.logger;
  }

  private logger(): InfoLogger {
    return this._logger ?? (defaultLogger ??= pino({ name: 'stage_interceptor' }, pino.destination(2)));
  }

  before(stage: string, ctx: StageContext): void {
    this.logger().info(
      { stage, pipeline_run_id: ctx.pipelineRunId, topology: ctx.pipeline.identity.topology },
      `stage '${stage}' starting`,
    );
  }

  after(stage: string, result: StageRunResult, ctx: StageContext): void {
    this.logger().info(
      { stage, status: result.status, duration_ms: result.durationMs, pipeline_run_id: ctx.pipelineRunId },
      `stage '${stage}' ${result.status}`,
    );
  }
}
