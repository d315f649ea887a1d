import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  emitGuardRetryAttempt,
  emitGuardRetryExhausted,
  emitGuardRetryRecovered,
  emitGuardRetryScheduled,
} from '../../generated/index.js';
import type { EventSink } from '../runtime/types.js';
import type { PipelineContext } from './pipeline-context.js';
import type { GuardRetryPolicy, StageRunResult, StageSpec } from './types.js';

/** What {@link guardRetry} needs from the run it retries in. */
export interface GuardRetryRun {
  readonly ctx: PipelineContext;
  readonly sink: EventSink;
  /** The run's signal: no retry starts once it is aborted. */
  readonly signal: AbortSignal;
  /** Runs one attempt of a stage and records its result. */
  runStage(spec: StageSpec, attempt: number): Promise<StageRunResult>;
}

function fingerprint(data: Readonly<Record<string, unknown>>, fields: readonly string[] | undefined): string {
  const picked: Record<string, unknown> = {};
  for (const k of (fields ?? Object.keys(data)).slice().sort()) picked[k] = data[k];
  return createHash('sha256').update(JSON.stringify(picked)).digest('hex');
}

/**
 * The guard-retry loop after a guard's first failure: re-runs `retrySpec` then the guard until the guard passes or the
 * policy gives up (`max_attempts`, `stagnation` of identical failure fingerprints, or `timeout`), emitting
 * `guard_retry.attempt|scheduled|exhausted|recovered`. Resolves with the guard's last result.
 */
export async function guardRetry(
  spec: StageSpec,
  policy: GuardRetryPolicy,
  retrySpec: StageSpec,
  firstResult: StageRunResult,
  run: GuardRetryRun,
): Promise<StageRunResult> {
  let result = firstResult;
  const sink = run.sink;
  const maxAttempts = policy.maxAttempts ?? 2;
  const stagnationLimit = policy.stagnationLimit ?? 2;
  const timeoutSeconds = policy.timeoutSeconds ?? null;
  // the correlation keys the guard_retry.* schemas declare, from the run's one conversion
  const { pipeline_run_id, request_id, execution_mode } = run.ctx.correlationKeys();
  const idBase = { pipeline_run_id, request_id, execution_mode };
  const firstFailure = performance.now();
  let attempts = 0;
  let hits = 0;
  let previous: string | undefined;
  while (result.status === 'failed' && !run.signal.aborted) {
    attempts += 1;
    const fp = fingerprint({ ...result.data, error: result.error?.message ?? null }, policy.hashFields);
    hits = fp === previous ? hits + 1 : 0;
    previous = fp;
    const common = {
      guard: spec.name,
      retry_stage: policy.retryStage,
      stagnation_hits: hits,
      timeout_seconds: timeoutSeconds,
    };
    emitGuardRetryAttempt({ ...idBase, ...common, attempt: attempts, max_attempts: maxAttempts }, { sink });
    const elapsedS = (performance.now() - firstFailure) / 1000;
    const reason =
      timeoutSeconds !== null && elapsedS >= timeoutSeconds
        ? 'timeout'
        : hits >= stagnationLimit
          ? 'stagnation'
          : attempts >= maxAttempts
            ? 'max_attempts'
            : undefined;
    if (reason !== undefined) {
      emitGuardRetryExhausted(
        {
          ...idBase,
          guard: spec.name,
          attempts,
          stagnation_hits: hits,
          retry_stage: policy.retryStage,
          timeout_seconds: timeoutSeconds,
          reason,
        },
        { sink },
      );
      return result;
    }
    emitGuardRetryScheduled({ ...idBase, ...common, attempt: attempts }, { sink });
    const retried = await run.runStage(retrySpec, attempts + 1);
    if (retried.status === 'failed' || retried.status === 'cancelled') return result;
    result = await run.runStage(spec, attempts + 1);
  }
  if (result.status !== 'failed' && attempts > 0)
    emitGuardRetryRecovered({ ...idBase, guard: spec.name, attempts }, { sink });
  return result;
}
