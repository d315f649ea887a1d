import { performance } from 'node:perf_hooks';
import type { StageRunResult } from '../pipeline/types.js';
import type { StageContext } from '../pipeline/stage-context.js';
import type { Interceptor } from '../pipeline/interceptor.js';

/** What {@link MetricsInterceptor} records per stage as the observation `_interceptor.metrics`. */
export interface MetricsObservation {
  readonly stage: string;
  readonly status: string;
  /** Measured around the stage by the interceptor, in milliseconds (fractional). */
  readonly duration_ms: number;
  readonly pipeline_run_id: string;
}

/** The minimal logger {@link MetricsInterceptor} writes to (pino's `info` fits). */
export interface InfoLogger {
  info(obj: object, msg: string): void;
}

/**
 * Measures each stage's duration and status; its start-time state is keyed per stage (`_metrics.<stage>.start`), so
 * stages running in parallel never overwrite each other (the shared key of the Python framework we follow collides).
 */
export class MetricsInterceptor implements Interceptor {
  readonly name = 'metrics';
  readonly priority = 40;
  private readonly _logger: InfoLogger | undefined;

  /** `logger` receives one `stage metrics` line per stage; default: none (read the observations instead). */
  constructor(options: { readonly logger?: InfoLogger } = {}) {
    this._logger = options.logger;
  }

  before(stage: string, ctx: StageContext): void {
    ctx.pipeline.data.set(`_metrics.${stage}.start`, performance.now());
  }

  after(stage: string, result: StageRunResult, ctx: StageContext): void {
    const key = `_metrics.${stage}.start`;
    const start = ctx.pipeline.data.get(key);
    ctx.pipeline.data.delete(key);
    const observation: MetricsObservation = {
      stage,
      status: result.status,
      duration_ms: typeof start === 'number' ? performance.now() - start : result.durationMs,
      pipeline_run_id: ctx.pipelineRunId,
    };
    ctx.addObservation(this.name, observation);
    this._logger?.info(observation, `stage '${stage}' ${result.status}`);
  }
}
