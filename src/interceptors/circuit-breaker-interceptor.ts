import { CircuitBreaker, CircuitBreakerOpenError } from '../observability/circuit-breaker.js';
import { StageOutput } from '../pipeline/stage-output.js';
import type { StageRunResult } from '../pipeline/types.js';
import type { StageContext } from '../pipeline/stage-context.js';
import type { Interceptor } from '../pipeline/interceptor.js';

/** Options of {@link CircuitBreakerInterceptor}. */
export interface CircuitBreakerInterceptorOptions {
  /** Keep one breaker across runs so its state survives them. Default: a new {@link CircuitBreaker} with its defaults. */
  readonly breaker?: CircuitBreaker;
  /** The `operation` half of the breaker key `<operation>/<stage>`. Default `stage`. */
  readonly operation?: string;
}

/**
 * Guards each stage with a {@link CircuitBreaker} keyed `<operation>/<stage>`: an open breaker short-circuits the stage
 * as a failure ({@link CircuitBreakerOpenError}, summarised as `CIRCUIT_OPEN`) that is not itself counted, and each
 * real failure is counted once (the Python framework we follow reports the short-circuit as completed, which resets the
 * breaker, and counts a thrown error twice).
 */
export class CircuitBreakerInterceptor implements Interceptor {
  readonly name = 'circuit_breaker';
  readonly priority = 10;
  /** The breaker; pass the same one to later runs to keep its state. */
  readonly breaker: CircuitBreaker;
  private readonly _operation: string;
  private readonly _shortCircuited = new WeakMap<StageContext['pipeline'], Set<string>>();

  constructor(options: CircuitBreakerInterceptorOptions = {}) {
    this.breaker = options.breaker ?? new CircuitBreaker();
    this._operation = options.operation ?? 'stage';
  }

  before(stage: string, ctx: StageContext): StageOutput | undefined {
    if (this.breaker.tryAcquire(`${this._operation}/${stage}`)) return undefined;
    let set = this._shortCircuited.get(ctx.pipeline);
    if (set === undefined) this._shortCircuited.set(ctx.pipeline, (set = new Set()));
    set.add(stage);
    return StageOutput.fail(new CircuitBreakerOpenError(this._operation, stage));
  }

  after(stage: string, result: StageRunResult, ctx: StageContext): void {
    if (this._shortCircuited.get(ctx.pipeline)?.delete(stage) === true) return;
    const key = `${this._operation}/${stage}`;
    if (result.status === 'failed') this.breaker.recordFailure(key, result.error?.message);
    else this.breaker.recordSuccess(key);
  }
}
