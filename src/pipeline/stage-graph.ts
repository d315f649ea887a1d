import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { getEventSink, withEventSink } from '../runtime/sink-registry.js';
import { ContractError } from '../errors.js';
import { nowIso } from '../runtime/index.js';
import type { EventSink } from '../runtime/types.js';
import {
  emitGuardRetryAttempt,
  emitGuardRetryExhausted,
  emitGuardRetryRecovered,
  emitGuardRetryScheduled,
  emitStageNameCompleted,
  emitStageNameFailed,
  emitStageNameSkipped,
  emitStageNameStarted,
} from '../../generated/index.js';
import type { ErrorAction, Interceptor } from './interceptor.js';
import { summarizePipelineError } from '../observability/error-summary.js';
import type { ErrorSummary } from '../observability/error-summary.js';
import { PipelineCancelledError, StageTimeoutError } from './errors.js';
import { PipelineContext } from './pipeline-context.js';
import type { InheritedRunOptions } from './pipeline-context.js';
import { EventPipelineRunLogger } from './pipeline-run-logger.js';
import type { PipelineRunLogger, RunIdentity } from './pipeline-run-logger.js';
import { StageContext } from './stage-context.js';
import type { DescriptorLookup } from './stage-context.js';
import { StageOutput } from './stage-output.js';
import { SubpipelineSpawner } from './subpipeline-spawner.js';
import { WideEventEmitter } from './wide-event-emitter.js';
import type { WideContextBlock, WideStageSummary } from './wide-event-emitter.js';

/** A stage's code: returns a {@link StageOutput} (nothing means `StageOutput.ok()`); a thrown error fails the stage. */
export type StageRunner = (ctx: StageContext) => StageOutput | void | Promise<StageOutput | void>;

/** The guard-retry policy of a guard stage (catalogue 3.4). */
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

/** Options of {@link StageGraph.run}. */
export interface PipelineRunOptions {
  /** Default: a fresh UUID. */
  readonly pipelineRunId?: string;
  readonly parentRunId?: string | null;
  /** Default: the graph's name, else the topology, else `pipeline`. */
  readonly pipelineName?: string;
  readonly requestId?: string | null;
  readonly sessionId?: string | null;
  readonly userId?: string | null;
  readonly orgId?: string | null;
  readonly topology?: string | null;
  readonly executionMode?: string | null;
  /** Default `pipeline`. */
  readonly service?: string;
  /** Every event of the run goes here. Default: {@link getEventSink} when the run starts. */
  readonly sink?: EventSink;
  /** Cancels the run when aborted. */
  readonly signal?: AbortSignal;
  readonly interceptors?: readonly Interceptor[];
  /** `true` emits `stage.wide` and `pipeline.wide` with the default names; an emitter sets the names. Default off. */
  readonly wideEvents?: boolean | WideEventEmitter;
  /** Called besides the built-in `pipeline.*` event logger. */
  readonly runLogger?: PipelineRunLogger;
  /** Default: a new spawner per root run; child runs share their parent's. */
  readonly spawner?: SubpipelineSpawner;
  /** The subpipeline level (set by the spawner). Default 0. */
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

const STAGE_NAME = /^[^.]+$/;

function sortedInterceptors(list: readonly Interceptor[]): Interceptor[] {
  return [...list].sort((a, b) => a.priority - b.priority);
}

function warnInterceptor(i: Interceptor, hook: string, e: unknown): void {
  process.emitWarning(
    `stageflow pipeline: interceptor '${i.name}' threw in ${hook}: ${e instanceof Error ? e.message : String(e)}`,
  );
}

function fingerprint(data: Readonly<Record<string, unknown>>, fields: readonly string[] | undefined): string {
  const picked: Record<string, unknown> = {};
  for (const k of (fields ?? Object.keys(data)).slice().sort()) picked[k] = data[k];
  return createHash('sha256').update(JSON.stringify(picked)).digest('hex');
}

function noop(): void {}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * A DAG of stages: a stage starts as soon as its dependencies have completed, independent stages run concurrently.
 * A run emits `pipeline.started` first, `stage.<name>.started|completed|failed|skipped` per stage, optional wide
 * events, and exactly one terminal `pipeline.completed|failed|cancelled` last, all to the sink captured at start.
 */
export class StageGraph {
  readonly name: string;
  readonly stages: ReadonlyMap<string, StageSpec>;

  /** Use {@link StageGraphBuilder}; the constructor checks names, dependencies, cycles and guard-retry policies. */
  constructor(name: string, stages: readonly StageSpec[]) {
    this.name = name;
    const map = new Map<string, StageSpec>();
    for (const s of stages) {
      if (!STAGE_NAME.test(s.name))
        throw new ContractError(
          'invalid_stage',
          `stage name '${s.name}' is invalid: expected a non-empty name without dots (^[^.]+$)`,
        );
      if (map.has(s.name)) throw new ContractError('invalid_stage', `stage '${s.name}' is declared twice`);
      map.set(s.name, s);
    }
    for (const s of stages) {
      for (const d of s.dependencies) {
        if (!map.has(d)) throw new ContractError('invalid_stage', `stage '${s.name}' depends on unknown stage '${d}'`);
      }
      const g = s.guardRetry;
      if (g !== undefined) {
        if (g.retryStage === s.name)
          throw new ContractError('invalid_stage', `guard '${s.name}': retryStage must not be the guard itself`);
        if (!s.dependencies.includes(g.retryStage))
          throw new ContractError(
            'invalid_stage',
            `guard '${s.name}': retryStage '${g.retryStage}' must be one of its dependencies (${s.dependencies.join(', ') || 'none'})`,
          );
      }
    }
    const state = new Map<string, 1 | 2>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 2) return;
      if (state.get(n) === 1)
        throw new ContractError('invalid_stage', `dependency cycle: ${[...path, n].join(' -> ')}`);
      state.set(n, 1);
      for (const d of map.get(n)?.dependencies ?? []) visit(d, [...path, n]);
      state.set(n, 2);
    };
    for (const n of map.keys()) visit(n, []);
    this.stages = map;
  }

  /** Runs the graph once; resolves with the run's result (a failed or cancelled run resolves too, it never rejects). */
  run(options: PipelineRunOptions = {}): Promise<PipelineRunResult> {
    const sink = options.sink ?? getEventSink();
    return withEventSink(sink, () => new GraphRun(this, options, sink).execute());
  }
}

/** Builds a {@link StageGraph} stage by stage. */
export class StageGraphBuilder {
  private readonly _name: string;
  private readonly _stages: StageSpec[] = [];

  /** `name` becomes the runs' `pipeline_name`. Default `pipeline`. */
  constructor(name = 'pipeline') {
    this._name = name;
  }

  /** Adds a stage; rejects a name that does not match `^[^.]+$` at once. */
  stage(
    name: string,
    runner: StageRunner,
    options: { dependencies?: readonly string[]; timeoutMs?: number; guardRetry?: GuardRetryPolicy } = {},
  ): this {
    if (!STAGE_NAME.test(name))
      throw new ContractError(
        'invalid_stage',
        `stage name '${name}' is invalid: expected a non-empty name without dots (^[^.]+$)`,
      );
    this._stages.push({
      name,
      runner,
      dependencies: options.dependencies ?? [],
      timeoutMs: options.timeoutMs,
      guardRetry: options.guardRetry,
    });
    return this;
  }

  /** Checks the stages and returns the graph. */
  build(): StageGraph {
    return new StageGraph(this._name, this._stages);
  }
}

class GraphRun {
  private readonly _graph: StageGraph;
  private readonly _options: PipelineRunOptions;
  private readonly _sink: EventSink;
  private readonly _interceptors: Interceptor[];
  private readonly _reversed: Interceptor[];
  private readonly _wide: WideEventEmitter | undefined;
  private readonly _controller = new AbortController();
  private readonly _ctx: PipelineContext;
  private readonly _results = new Map<string, StageRunResult>();
  private readonly _loggers: PipelineRunLogger[];
  private _open = true;
  private _cancelReason: string | undefined;
  private _cancelledByStage: string | undefined;

  constructor(graph: StageGraph, options: PipelineRunOptions, sink: EventSink) {
    this._graph = graph;
    this._options = options;
    this._sink = sink;
    this._interceptors = sortedInterceptors(options.interceptors ?? []);
    this._reversed = [...this._interceptors].reverse();
    this._wide =
      options.wideEvents === true
        ? new WideEventEmitter()
        : options.wideEvents === false
          ? undefined
          : options.wideEvents;
    this._loggers = [
      new EventPipelineRunLogger({ sink }),
      ...(options.runLogger === undefined ? [] : [options.runLogger]),
    ];
    const identity: RunIdentity = {
      pipelineRunId: options.pipelineRunId ?? randomUUID(),
      parentRunId: options.parentRunId ?? null,
      pipelineName: options.pipelineName ?? graph.name,
      requestId: options.requestId ?? null,
      sessionId: options.sessionId ?? null,
      userId: options.userId ?? null,
      orgId: options.orgId ?? null,
      topology: options.topology ?? null,
      executionMode: options.executionMode ?? null,
      service: options.service ?? 'pipeline',
    };
    const inherited: { -readonly [K in keyof InheritedRunOptions]: InheritedRunOptions[K] } = {};
    if (options.interceptors !== undefined) inherited.interceptors = options.interceptors;
    if (options.wideEvents !== undefined) inherited.wideEvents = options.wideEvents;
    if (options.runLogger !== undefined) inherited.runLogger = options.runLogger;
    if (options.lookupDescriptor !== undefined) inherited.lookupDescriptor = options.lookupDescriptor;
    if (options.cancelGraceMs !== undefined) inherited.cancelGraceMs = options.cancelGraceMs;
    this._ctx = new PipelineContext({
      identity,
      sink,
      signal: this._controller.signal,
      depth: options.depth ?? 0,
      spawner: options.spawner ?? new SubpipelineSpawner(),
      inherited,
    });
  }

  private wideContext(): WideContextBlock {
    return this._ctx.correlationKeys();
  }

  private stageBase(stage: string) {
    return { ...this._ctx.correlationKeys(), stage };
  }

  private cancel(reason: string, byStage?: string): void {
    if (this._controller.signal.aborted) return;
    this._cancelReason = reason;
    if (byStage !== undefined) this._cancelledByStage = byStage;
    // the cascade report comes first so descendants' pipeline.canceled precede their own terminal events
    const spawner = this._ctx.spawner;
    if (spawner.tracker.getChildren(this._ctx.pipelineRunId).size > 0)
      spawner.cancelWithChildren(this._ctx.pipelineRunId, reason, this._sink);
    this._controller.abort(new PipelineCancelledError(reason));
  }

  async execute(): Promise<PipelineRunResult> {
    const t0 = performance.now();
    const identity = this._ctx.identity;
    const outer = this._options.signal;
    const onOuterAbort = (): void => {
      const r: unknown = outer?.reason;
      // a bare abort() carries a generic AbortError: report it with the reference's default reason
      const generic = r === undefined || (r instanceof Error && r.name === 'AbortError');
      this.cancel(
        generic
          ? 'user_requested'
          : r instanceof PipelineCancelledError
            ? r.reason
            : r instanceof Error
              ? r.message || 'user_requested'
              : String(r),
      );
    };
    const who = { pipelineRunId: identity.pipelineRunId, pipelineName: identity.pipelineName, run: identity };
    this.log((l) =>
      l.logRunStarted({
        ...who,
        topology: identity.topology,
        executionMode: identity.executionMode,
        userId: identity.userId,
        stages: [...this._graph.stages.keys()],
      }),
    );
    for (const i of this._interceptors) {
      try {
        i.onPipelineStart?.(this._ctx);
      } catch (e) {
        warnInterceptor(i, 'onPipelineStart', e);
      }
    }
    if (outer?.aborted === true) onOuterAbort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      await this.schedule();
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
    }
    const durationMs = Math.trunc(performance.now() - t0);
    const result = this.buildResult(durationMs);
    if (this._wide !== undefined) {
      const details = [...this._results.values()].map((r) => this.summary(r));
      this._wide.emitPipelineEvent(
        this._sink,
        WideEventEmitter.buildPipelinePayload(this.wideContext(), details, {
          pipelineName: identity.pipelineName,
          status: result.status,
          durationMs,
        }),
      );
    }
    for (const i of this._reversed) {
      try {
        i.onPipelineEnd?.(this._ctx, result);
      } catch (e) {
        warnInterceptor(i, 'onPipelineEnd', e);
      }
    }
    this._open = false;
    if (result.status === 'completed') {
      const counts: Record<string, number> = {};
      const statuses: Record<string, string> = {};
      for (const r of this._results.values()) {
        counts[r.status] = (counts[r.status] ?? 0) + 1;
        statuses[r.stage] = r.status;
      }
      this.log((l) =>
        l.logRunCompleted({ ...who, durationMs, status: 'completed', stageResults: statuses, stageCounts: counts }),
      );
    } else if (result.status === 'cancelled') {
      this.log((l) =>
        l.logRunCancelled({
          ...who,
          durationMs,
          reason: this._cancelReason ?? 'user_requested',
          cancelledByStage: this._cancelledByStage ?? null,
        }),
      );
    } else {
      const s = result.errorSummary;
      this.log((l) =>
        l.logRunFailed({
          ...who,
          durationMs,
          error: s?.message ?? 'failed',
          errorCode: s?.code ?? 'UNKNOWN',
          retryable: s?.retryable ?? false,
          stage: result.failedStage ?? null,
        }),
      );
    }
    return result;
  }

  // the built-in event logger throws on an invalid event like any emitter; a caller's logger is isolated
  private log(call: (l: PipelineRunLogger) => void | Promise<void>): void {
    const [events, ...others] = this._loggers;
    if (events !== undefined) void call(events);
    for (const l of others) {
      try {
        const p = call(l);
        if (p !== undefined)
          p.catch((e: unknown) =>
            process.emitWarning(`stageflow pipeline: run logger failed: ${e instanceof Error ? e.message : String(e)}`),
          );
      } catch (e) {
        process.emitWarning(`stageflow pipeline: run logger failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private buildResult(durationMs: number): PipelineRunResult {
    let finalOutput: Record<string, unknown> = {};
    for (const r of this._results.values()) if (r.status === 'completed') finalOutput = { ...finalOutput, ...r.data };
    const base = {
      pipelineRunId: this._ctx.pipelineRunId,
      durationMs,
      stages: this._results,
      finalOutput,
      context: this._ctx,
    };
    if (this._cancelReason !== undefined) {
      const error = new PipelineCancelledError(this._cancelReason);
      return {
        ...base,
        status: 'cancelled',
        error,
        errorSummary: summarizePipelineError(error),
        ...(this._cancelledByStage === undefined ? {} : { cancelledByStage: this._cancelledByStage }),
      };
    }
    const failed = [...this._results.values()].find((r) => r.status === 'failed');
    if (failed !== undefined) {
      const error = failed.error ?? new Error(`stage '${failed.stage}' failed`);
      return {
        ...base,
        status: 'failed',
        error,
        errorSummary: summarizePipelineError(error, { stage: failed.stage }),
        failedStage: failed.stage,
      };
    }
    return { ...base, status: 'completed' };
  }

  private async schedule(): Promise<void> {
    const pending = new Set(this._graph.stages.keys());
    const blocked = new Map<string, string>();
    const running = new Map<string, Promise<void>>();
    const succeeded = new Set<string>();
    while (true) {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const name of [...pending]) {
          const spec = this._graph.stages.get(name);
          if (spec === undefined) continue;
          if (this._controller.signal.aborted) {
            pending.delete(name);
            this.skip(name, 'pipeline cancelled');
            continue;
          }
          const bad = spec.dependencies.find((d) => blocked.has(d));
          if (bad !== undefined) {
            pending.delete(name);
            const root = blocked.get(bad) ?? bad;
            blocked.set(name, root);
            this.skip(
              name,
              root === bad ? `dependency '${bad}' failed` : `dependency '${bad}' was skipped because '${root}' failed`,
            );
            progressed = true;
            continue;
          }
          if (spec.dependencies.every((d) => succeeded.has(d))) {
            pending.delete(name);
            running.set(
              name,
              this.runStageWithGuard(spec).then((r) => {
                running.delete(name);
                if (r.status === 'failed' || r.status === 'cancelled') blocked.set(name, name);
                else succeeded.add(name);
              }),
            );
          }
        }
      }
      if (running.size === 0) return;
      await Promise.race(running.values());
    }
  }

  private skip(name: string, reason: string): void {
    const id = this._ctx.identity;
    emitStageNameSkipped(
      name,
      { stage: name, reason, pipeline_run_id: id.pipelineRunId, request_id: id.requestId },
      { sink: this._sink },
    );
  }

  private async runStageWithGuard(spec: StageSpec): Promise<StageRunResult> {
    let result = await this.runStage(spec, 1);
    const policy = spec.guardRetry;
    if (policy === undefined || result.status !== 'failed') return result;
    const retrySpec = this._graph.stages.get(policy.retryStage);
    if (retrySpec === undefined) return result;
    const maxAttempts = policy.maxAttempts ?? 2;
    const stagnationLimit = policy.stagnationLimit ?? 2;
    const timeoutSeconds = policy.timeoutSeconds ?? null;
    const idBase = {
      pipeline_run_id: this._ctx.pipelineRunId,
      request_id: this._ctx.identity.requestId,
      execution_mode: this._ctx.identity.executionMode,
    };
    const firstFailure = performance.now();
    let attempts = 0;
    let hits = 0;
    let previous: string | undefined;
    while (result.status === 'failed' && !this._controller.signal.aborted) {
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
      emitGuardRetryAttempt(
        { ...idBase, ...common, attempt: attempts, max_attempts: maxAttempts },
        { sink: this._sink },
      );
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
          { sink: this._sink },
        );
        return result;
      }
      emitGuardRetryScheduled({ ...idBase, ...common, attempt: attempts }, { sink: this._sink });
      const retried = await this.runStage(retrySpec, attempts + 1);
      if (retried.status === 'failed' || retried.status === 'cancelled') return result;
      result = await this.runStage(spec, attempts + 1);
    }
    if (result.status !== 'failed' && attempts > 0)
      emitGuardRetryRecovered({ ...idBase, guard: spec.name, attempts }, { sink: this._sink });
    return result;
  }

  private inputsOf(spec: StageSpec): Record<string, Readonly<Record<string, unknown>>> {
    const inputs: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const d of spec.dependencies) inputs[d] = this._results.get(d)?.data ?? {};
    return inputs;
  }

  private async runStage(spec: StageSpec, attempt: number): Promise<StageRunResult> {
    const name = spec.name;
    const runSignal = this._controller.signal;
    const inputs = this.inputsOf(spec);
    // each try gets its own controller: a timed-out first try must not abort an interceptor-requested retry
    const open = (): { ctx: StageContext; controller: AbortController; close: () => void } => {
      const controller = new AbortController();
      const onRunAbort = (): void => controller.abort(runSignal.reason);
      if (runSignal.aborted) onRunAbort();
      else runSignal.addEventListener('abort', onRunAbort, { once: true });
      const ctx = new StageContext({
        pipeline: this._ctx,
        stage: name,
        signal: controller.signal,
        inputs,
        attempt,
        lookup: this._options.lookupDescriptor,
        isOpen: () => this._open,
      });
      return { ctx, controller, close: () => runSignal.removeEventListener('abort', onRunAbort) };
    };
    let current = open();
    const startedAt = nowIso();
    const t0 = performance.now();
    emitStageNameStarted(name, { ...this.stageBase(name), status: 'started' }, { sink: this._sink });
    let output: StageOutput | undefined;
    let error: Error | undefined;
    try {
      output = await this.before(name, current.ctx);
      if (output === undefined) {
        try {
          output = await this.invoke(spec, current.ctx, current.controller);
        } catch (e) {
          if ((await this.onError(name, e, current.ctx)) !== 'retry' || runSignal.aborted) throw e;
          current.close();
          current = open();
          output = await this.invoke(spec, current.ctx, current.controller);
        }
      }
    } catch (e) {
      error = asError(e);
    } finally {
      current.close();
    }
    const ctx = current.ctx;
    const durationMs = Math.trunc(performance.now() - t0);
    const endedAt = nowIso();
    let status: StageStatus;
    let data: Readonly<Record<string, unknown>> = {};
    if (error !== undefined) status = 'failed';
    else if (output === undefined) status = 'completed';
    else {
      data = output.data;
      status =
        output.outcome === 'ok'
          ? 'completed'
          : output.outcome === 'skip'
            ? 'skipped'
            : output.outcome === 'cancel'
              ? 'cancelled'
              : 'failed';
      if (output.outcome === 'fail') error = output.error ?? new Error(`stage '${name}' failed`);
    }
    const result: StageRunResult = {
      stage: name,
      status,
      data,
      ...(error === undefined ? {} : { error }),
      startedAt,
      endedAt,
      durationMs,
      attempt,
    };
    await this.after(name, result, ctx);
    const sinkOpt = { sink: this._sink };
    if (status === 'failed') {
      emitStageNameFailed(
        name,
        {
          ...this.stageBase(name),
          status: 'failed',
          error: error?.message ?? 'failed',
          error_type: error?.name ?? 'Error',
          duration_ms: durationMs,
        },
        sinkOpt,
      );
    } else if (status === 'skipped') {
      const reason = typeof data.reason === 'string' ? data.reason : 'skipped';
      emitStageNameSkipped(
        name,
        {
          stage: name,
          reason,
          duration_ms: durationMs,
          pipeline_run_id: this._ctx.pipelineRunId,
          request_id: this._ctx.identity.requestId,
        },
        sinkOpt,
      );
    } else {
      emitStageNameCompleted(
        name,
        {
          ...this.stageBase(name),
          status: 'completed',
          duration_ms: durationMs,
          data_keys: Object.keys(data).sort(),
          ...(status === 'cancelled' ? { cancelled: true } : {}),
        },
        sinkOpt,
      );
    }
    this._results.delete(name);
    this._results.set(name, result);
    this._wide?.emitStageEvent(this._sink, this.wideContext(), this.summary(result));
    if (status === 'cancelled')
      this.cancel(typeof data.cancel_reason === 'string' ? data.cancel_reason : 'cancelled by stage', name);
    return result;
  }

  private summary(r: StageRunResult): WideStageSummary {
    return {
      stage: r.stage,
      status: r.status === 'failed' ? 'failed' : 'completed',
      started_at: r.startedAt,
      ended_at: r.endedAt,
      duration_ms: r.durationMs,
      error: r.error?.message ?? null,
      data_keys: Object.keys(r.data),
    };
  }

  private async invoke(
    spec: StageSpec,
    ctx: StageContext,
    controller: AbortController,
  ): Promise<StageOutput | undefined> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
        const ms = spec.timeoutMs;
        timer = setTimeout(() => {
          const e = new StageTimeoutError(spec.name, ms);
          controller.abort(e);
          reject(e);
        }, ms);
      }
      onAbort = (): void => reject(asError(controller.signal.reason));
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    const running = Promise.resolve().then(() => spec.runner(ctx));
    try {
      const out = await Promise.race([running, guard]);
      return out instanceof StageOutput ? out : undefined;
    } catch (e) {
      // let a runner that honours its signal (a child run, say) finish reporting before the stage is recorded as ended
      if (controller.signal.aborted) await this.settle(running);
      throw e;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
      guard.catch(() => undefined);
    }
  }

  private async settle(running: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this._options.cancelGraceMs ?? 1000);
    });
    await Promise.race([running.then(noop, noop), grace]);
    clearTimeout(timer);
  }

  private async before(name: string, ctx: StageContext): Promise<StageOutput | undefined> {
    for (const i of this._interceptors) {
      if (i.before === undefined) continue;
      try {
        const r = await i.before(name, ctx);
        if (r instanceof StageOutput) return r;
      } catch (e) {
        warnInterceptor(i, 'before', e);
      }
    }
    return undefined;
  }

  private async after(name: string, result: StageRunResult, ctx: StageContext): Promise<void> {
    for (const i of this._reversed) {
      if (i.after === undefined) continue;
      try {
        await i.after(name, result, ctx);
      } catch (e) {
        warnInterceptor(i, 'after', e);
      }
    }
  }

  private async onError(name: string, error: unknown, ctx: StageContext): Promise<ErrorAction> {
    for (const i of this._reversed) {
      if (i.onError === undefined) continue;
      try {
        if ((await i.onError(name, error, ctx)) === 'retry') return 'retry';
      } catch (e) {
        warnInterceptor(i, 'onError', e);
      }
    }
    return 'fail';
  }
}
