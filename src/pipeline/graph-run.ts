import { performance } from 'node:perf_hooks';
import {
  emitStageNameCompleted,
  emitStageNameFailed,
  emitStageNameSkipped,
  emitStageNameStarted,
  emitStageRetryScheduled,
} from '../../generated/index.js';
import { ensureOtelContextManager } from '../observability/otel-context.js';
import { summarizePipelineError } from '../observability/error-summary.js';
import { nowIso } from '../runtime/index.js';
import type { EventSink } from '../runtime/types.js';
import { PipelineCancelledError, asError } from './errors.js';
import { guardRetry } from './guard-retry.js';
import { InterceptorChain } from './interceptor-chain.js';
import { invokeUntilAborted, invokeWithTimeout } from './invoke-with-timeout.js';
import { PipelineContext } from './pipeline-context.js';
import type { InheritedRunOptions } from './pipeline-context.js';
import { EventPipelineRunLogger } from './pipeline-run-logger.js';
import type { PipelineRunLogger } from './pipeline-run-logger.js';
import { createRunIdentity } from './run-identity.js';
import { StageContext } from './stage-context.js';
import type { StageOutput } from './stage-output.js';
import { SubpipelineSpawner } from './subpipeline-spawner.js';
import type { PipelineRunOptions, PipelineRunResult, StageRunResult, StageSpec, StageStatus } from './types.js';
import { WideEventEmitter } from './wide-event-emitter.js';
import type { WideContextBlock, WideStageSummary } from './wide-event-emitter.js';

/** The stages a {@link GraphRun} schedules: a checked `StageGraph`'s name and stages. */
export interface RunnableGraph {
  readonly name: string;
  readonly stages: ReadonlyMap<string, StageSpec>;
}

function noop(): void {}

// a chain holds only its sorted hook lists, so runs without interceptors share one
const NO_INTERCEPTORS = new InterceptorChain([]);

interface StageAttempt {
  readonly ctx: StageContext;
  readonly controller: AbortController | undefined;
  readonly close: () => void;
}

interface ScheduleIndex {
  readonly specs: readonly StageSpec[];
  /** declaration indexes of the stages that depend on a stage, by its name */
  readonly dependents: ReadonlyMap<string, readonly number[]>;
  /** each stage's dependencies as declaration indexes, in the order the stage lists them */
  readonly dependencies: readonly (readonly number[])[];
}

// per graph (its stages never change once built), so a run does not rebuild it
const scheduleIndexes = new WeakMap<ReadonlyMap<string, StageSpec>, ScheduleIndex>();

function scheduleIndex(stages: ReadonlyMap<string, StageSpec>): ScheduleIndex {
  let index = scheduleIndexes.get(stages);
  if (index === undefined) {
    const specs = [...stages.values()];
    const dependents = new Map<string, number[]>();
    specs.forEach((spec, i) => {
      for (const d of spec.dependencies) {
        const list = dependents.get(d);
        if (list === undefined) dependents.set(d, [i]);
        else list.push(i);
      }
    });
    const at = new Map(specs.map((spec, i) => [spec.name, i]));
    const dependencies = specs.map((spec) => spec.dependencies.map((d) => at.get(d) ?? -1));
    index = { specs, dependents, dependencies };
    scheduleIndexes.set(stages, index);
  }
  return index;
}

/**
 * One run of a `StageGraph`: schedules its stages (a stage starts once its dependencies have completed), runs
 * each through the interceptor chain, its timeout and its guard retry, emits the lifecycle and wide events and the
 * run logs, and builds the {@link PipelineRunResult}.
 */
export class GraphRun {
  private readonly _graph: RunnableGraph;
  private readonly _options: PipelineRunOptions;
  private readonly _sink: EventSink;
  private readonly _interceptors: InterceptorChain;
  private readonly _wide: WideEventEmitter | undefined;
  // made on first use (see controller): most runs are never cancelled and never read their signal
  private _controllerOrUndefined: AbortController | undefined;
  private readonly _ctx: PipelineContext;
  private readonly _results = new Map<string, StageRunResult>();
  private readonly _loggers: PipelineRunLogger[];
  private _open = true;
  // one per run, handed to every stage's context (not a closure per stage)
  private readonly _isOpen = (): boolean => this._open;
  private _cancelReason: string | undefined;
  private _cancelledByStage: string | undefined;
  private _runAborted: Promise<never> | undefined;
  private _rejectRunAborted: ((e: Error) => void) | undefined;

  constructor(graph: RunnableGraph, runOptions: PipelineRunOptions, sink: EventSink) {
    const parent = runOptions.parent;
    // a child run inherits its parent's interceptors, wide events, run logger, lookup and grace unless it sets them
    const options: PipelineRunOptions = parent === undefined ? runOptions : { ...parent.inherited, ...runOptions };
    this._graph = graph;
    this._options = options;
    this._sink = sink;
    this._interceptors =
      options.interceptors === undefined || options.interceptors.length === 0
        ? NO_INTERCEPTORS
        : new InterceptorChain(options.interceptors);
    this._wide =
      options.wideEvents === true
        ? new WideEventEmitter()
        : options.wideEvents === false
          ? undefined
          : options.wideEvents;
    const events = new EventPipelineRunLogger({ sink });
    this._loggers = options.runLogger === undefined ? [events] : [events, options.runLogger];
    const identity = createRunIdentity(options, graph.name, parent?.identity);
    const inherited: { -readonly [K in keyof InheritedRunOptions]: InheritedRunOptions[K] } = {};
    if (options.interceptors !== undefined) inherited.interceptors = options.interceptors;
    if (options.wideEvents !== undefined) inherited.wideEvents = options.wideEvents;
    if (options.runLogger !== undefined) inherited.runLogger = options.runLogger;
    if (options.lookupDescriptor !== undefined) inherited.lookupDescriptor = options.lookupDescriptor;
    if (options.cancelGraceMs !== undefined) inherited.cancelGraceMs = options.cancelGraceMs;
    this._ctx = new PipelineContext({
      identity,
      sink,
      signal: () => this.controller.signal,
      depth: parent === undefined ? (options.depth ?? 0) : parent.depth + 1,
      spawner: options.spawner ?? parent?.spawner ?? new SubpipelineSpawner(),
      inherited,
    });
  }

  private get controller(): AbortController {
    this._controllerOrUndefined ??= new AbortController();
    return this._controllerOrUndefined;
  }

  private wideContext(): WideContextBlock {
    return this._ctx.correlationKeys();
  }

  // the correlation keys plus the stage, written out: `{ ...keys, stage }` leaves V8's fast clone path on Node 20;
  // they must follow CORRELATION_KEYS (schemas/common/correlation-keys.v1.json), which test/src/pipeline/run-identity.test.ts checks
  private stageBase(stage: string) {
    const id = this._ctx.identity;
    return {
      pipeline_run_id: id.pipelineRunId,
      request_id: id.requestId,
      session_id: id.sessionId,
      user_id: id.userId,
      org_id: id.orgId,
      topology: id.topology,
      execution_mode: id.executionMode,
      service: id.service,
      stage,
    };
  }

  // one stage lifecycle payload (the keys in the order the emitters always produced them, timestamp last)
  private stagePayload<S extends 'started' | 'completed'>(stage: string, status: S) {
    const id = this._ctx.identity;
    return {
      pipeline_run_id: id.pipelineRunId,
      request_id: id.requestId,
      session_id: id.sessionId,
      user_id: id.userId,
      org_id: id.orgId,
      topology: id.topology,
      execution_mode: id.executionMode,
      service: id.service,
      stage,
      status,
    };
  }

  /**
   * Rejects with the run's abort reason once the run is cancelled; one per run, shared by every stage that has no
   * timeout of its own (instead of an AbortController, a guard promise and two listeners per stage). Only
   * {@link cancel} aborts the run's controller, so it rejects this directly: no abort listener either.
   */
  private runAborted(): Promise<never> {
    if (this._runAborted === undefined) {
      const controller = this._controllerOrUndefined;
      this._runAborted = new Promise<never>((_, reject) => {
        // no controller yet: the run was not cancelled
        if (controller?.signal.aborted === true) reject(asError(controller.signal.reason));
        else this._rejectRunAborted = reject;
      });
      this._runAborted.catch(() => undefined);
    }
    return this._runAborted;
  }

  private cancel(reason: string, byStage?: string): void {
    if (this.controller.signal.aborted) return;
    this._cancelReason = reason;
    if (byStage !== undefined) this._cancelledByStage = byStage;
    // the cascade report comes first so descendants' pipeline.canceled precede their own terminal events
    const spawner = this._ctx.spawner;
    if (spawner.tracker.getChildren(this._ctx.pipelineRunId).size > 0)
      spawner.cancelWithChildren(this._ctx.pipelineRunId, reason, this._sink);
    const error = new PipelineCancelledError(reason);
    // first, as the abort listener this replaces was registered before any stage's own listeners
    this._rejectRunAborted?.(error);
    this.controller.abort(error);
  }

  /** Runs the graph inside the interceptors' `aroundRun` hooks. */
  execute(): Promise<PipelineRunResult> {
    ensureOtelContextManager();
    return this._interceptors.aroundRun(this._ctx, () => this.executeRun());
  }

  private async executeRun(): Promise<PipelineRunResult> {
    const t0 = performance.now();
    const identity = this._ctx.identity;
    const outer = this._options.signal;
    const onOuterAbort = (): void => {
      const r: unknown = outer?.reason;
      // a bare abort() carries a generic AbortError: report it with the default reason of the Python framework we follow
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
    // the log inputs are written out: `{ ...who, key }` leaves V8's fast clone path on Node 20 (about a sixth of a
    // one-stage run's profile)
    const pipelineRunId = identity.pipelineRunId;
    const pipelineName = identity.pipelineName;
    this.log((l) =>
      l.logRunStarted({
        pipelineRunId,
        pipelineName,
        run: identity,
        topology: identity.topology,
        executionMode: identity.executionMode,
        userId: identity.userId,
        stages: [...this._graph.stages.keys()],
      }),
    );
    this._interceptors.pipelineStart(this._ctx);
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
    this._interceptors.pipelineEnd(this._ctx, result);
    this._open = false;
    if (result.status === 'completed') {
      const counts: Record<string, number> = {};
      const statuses: Record<string, string> = {};
      for (const r of this._results.values()) {
        counts[r.status] = (counts[r.status] ?? 0) + 1;
        statuses[r.stage] = r.status;
      }
      this.log((l) =>
        l.logRunCompleted({
          pipelineRunId,
          pipelineName,
          run: identity,
          durationMs,
          status: 'completed',
          stageResults: statuses,
          stageCounts: counts,
        }),
      );
    } else if (result.status === 'cancelled') {
      this.log((l) =>
        l.logRunCancelled({
          pipelineRunId,
          pipelineName,
          run: identity,
          durationMs,
          reason: this._cancelReason ?? 'user_requested',
          cancelledByStage: this._cancelledByStage ?? null,
        }),
      );
    } else {
      const s = result.errorSummary;
      this.log((l) =>
        l.logRunFailed({
          pipelineRunId,
          pipelineName,
          run: identity,
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
    const loggers = this._loggers;
    const events = loggers[0];
    if (events !== undefined) void call(events);
    // by index: a rest pattern made an array per log call
    for (let k = 1; k < loggers.length; k++) {
      const l = loggers[k] as PipelineRunLogger;
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
    for (const r of this._results.values()) {
      if (r.status !== 'completed') continue;
      // merged in place (one copy per run, not per stage); an own `__proto__` key must stay a key, so that takes a spread
      finalOutput = Object.hasOwn(r.data, '__proto__')
        ? { ...finalOutput, ...r.data }
        : Object.assign(finalOutput, r.data);
    }
    const pipelineRunId = this._ctx.pipelineRunId;
    const stages = this._results;
    const context = this._ctx;
    if (this._cancelReason !== undefined) {
      const error = new PipelineCancelledError(this._cancelReason);
      const errorSummary = summarizePipelineError(error);
      return this._cancelledByStage === undefined
        ? { pipelineRunId, durationMs, stages, finalOutput, context, status: 'cancelled', error, errorSummary }
        : {
            pipelineRunId,
            durationMs,
            stages,
            finalOutput,
            context,
            status: 'cancelled',
            error,
            errorSummary,
            cancelledByStage: this._cancelledByStage,
          };
    }
    let failed: StageRunResult | undefined;
    for (const r of this._results.values())
      if (r.status === 'failed') {
        failed = r;
        break;
      }
    if (failed !== undefined) {
      const error = failed.error ?? new Error(`stage '${failed.stage}' failed`);
      return {
        pipelineRunId,
        durationMs,
        stages,
        finalOutput,
        context,
        status: 'failed',
        error,
        errorSummary: summarizePipelineError(error, { stage: failed.stage }),
        failedStage: failed.stage,
      };
    }
    return { pipelineRunId, durationMs, stages, finalOutput, context, status: 'completed' };
  }

  private async schedule(): Promise<void> {
    const { specs, dependents, dependencies } = scheduleIndex(this._graph.stages);
    const n = specs.length;
    // flags by declaration index: still to start or skip, and worth looking at in a pass
    // (plain arrays: a typed array's backing store costs more to make than a short run's whole schedule)
    const pending: number[] = new Array<number>(n).fill(1);
    const marked: number[] = new Array<number>(n).fill(1);
    let pendingCount = n;
    // by declaration index: the failed stage a blocked stage traces back to, and whether a stage succeeded
    const blocked: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
    const succeeded: boolean[] = new Array<boolean>(n).fill(false);
    const running = new Map<string, Promise<void>>();
    // a ready queue instead of a scan of every pending stage per pass (which made a 100-stage chain quadratic): a pass
    // looks at the marked stages in declaration order, as the scan did; a stage marked during a pass is looked at in
    // that pass if it comes later in declaration order, else in the next pass, exactly when the scan would have
    let queue: number[] = [];
    for (let i = 0; i < n; i++) queue.push(i);
    let next: number[] = [];
    let cursor = -1; // the declaration index the current pass is at; -1 between passes
    let q = 0; // the current pass's position in `queue`
    const mark = (i: number): void => {
      if (marked[i] === 1) return;
      marked[i] = 1;
      if (cursor >= 0 && i > cursor) {
        // later in declaration order than the stage being looked at: this pass, in order
        let j = queue.length;
        queue.push(i);
        while (j > q && (queue[j - 1] as number) > i) {
          queue[j] = queue[j - 1] as number;
          j--;
        }
        queue[j] = i;
      } else next.push(i);
    };
    const settled = (name: string): void => {
      const list = dependents.get(name);
      if (list !== undefined) for (const i of list) mark(i);
    };
    // once the run is cancelled every pending stage from `from` on is skipped, in declaration order
    const skipPending = (from: number): void => {
      for (let i = from; i < n && pendingCount > 0; i++) {
        if (pending[i] === 0) continue;
        pending[i] = 0;
        pendingCount--;
        this.skip((specs[i] as StageSpec).name, 'pipeline cancelled');
      }
    };
    while (true) {
      let progressed = true;
      while (progressed) {
        progressed = false;
        if (pendingCount === 0) break;
        // cancel() sets the reason as it aborts the run (a field read; `signal.aborted` per stage per pass was 5% of a profile)
        if (this._cancelReason !== undefined) {
          skipPending(0);
          break;
        }
        if (queue.length === 0) {
          if (next.length === 0) break;
          queue = next.length === 1 ? next : next.sort((a, b) => a - b);
          next = [];
        }
        for (q = 0; q < queue.length; q++) {
          const i = queue[q] as number;
          cursor = i;
          if (this._cancelReason !== undefined) {
            skipPending(i);
            break;
          }
          marked[i] = 0;
          if (pending[i] === 0) continue;
          const spec = specs[i] as StageSpec;
          const name = spec.name;
          const deps = dependencies[i] as readonly number[];
          // the first dependency (in the stage's order) that failed or was skipped for a failure, then whether all succeeded
          let bad = -1;
          let ready = true;
          for (const d of deps) {
            if (d >= 0 && blocked[d] !== undefined) {
              bad = d;
              break;
            }
            if (d < 0 || !succeeded[d]) ready = false;
          }
          if (bad >= 0) {
            const badName = (specs[bad] as StageSpec).name;
            pending[i] = 0;
            pendingCount--;
            const root = blocked[bad] ?? badName;
            blocked[i] = root;
            settled(name);
            this.skip(
              name,
              root === badName
                ? `dependency '${badName}' failed`
                : `dependency '${badName}' was skipped because '${root}' failed`,
            );
            progressed = true;
            continue;
          }
          if (ready) {
            pending[i] = 0;
            pendingCount--;
            running.set(
              name,
              this.runStageWithGuard(spec).then((r) => {
                running.delete(name);
                if (r.status === 'failed' || r.status === 'cancelled') blocked[i] = name;
                else succeeded[i] = true;
                settled(name);
              }),
            );
          }
        }
        cursor = -1;
        queue = [];
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
    const result = await this.runStage(spec, 1);
    const policy = spec.guardRetry;
    if (policy === undefined || result.status !== 'failed') return result;
    const retrySpec = this._graph.stages.get(policy.retryStage);
    if (retrySpec === undefined) return result;
    return guardRetry(spec, policy, retrySpec, result, {
      ctx: this._ctx,
      sink: this._sink,
      signal: this.controller.signal,
      runStage: (s, attempt) => this.runStage(s, attempt),
    });
  }

  private inputsOf(spec: StageSpec): Record<string, Readonly<Record<string, unknown>>> {
    const inputs: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const d of spec.dependencies) inputs[d] = this._results.get(d)?.data ?? {};
    return inputs;
  }

  private runStage(spec: StageSpec, attempt: number): Promise<StageRunResult> {
    return this._interceptors.aroundStage(spec.name, this._ctx, attempt, () => this.runAttempt(spec, attempt));
  }

  private async runAttempt(spec: StageSpec, attempt: number): Promise<StageRunResult> {
    const name = spec.name;
    const inputs = this.inputsOf(spec);
    // each try with a timeout gets its own controller: a timed-out first try must not abort an interceptor-requested
    // retry; a stage without a timeout can only be aborted with its run, so it shares the run's signal
    const timed = spec.timeoutMs !== undefined && spec.timeoutMs > 0;
    const open = (): StageAttempt => {
      if (!timed) {
        const ctx = new StageContext({
          pipeline: this._ctx,
          stage: name,
          // the run's signal, made only if the stage reads it
          inputs,
          attempt,
          lookup: this._options.lookupDescriptor,
          isOpen: this._isOpen,
        });
        return { ctx, controller: undefined, close: noop };
      }
      const controller = new AbortController();
      const runSignal = this.controller.signal;
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
        isOpen: this._isOpen,
      });
      return { ctx, controller, close: () => runSignal.removeEventListener('abort', onRunAbort) };
    };
    let current = open();
    const startedAt = nowIso();
    const t0 = performance.now();
    const started: Parameters<typeof emitStageNameStarted>[1] = this.stagePayload(name, 'started');
    started.timestamp = startedAt; // the same instant: one clock read, not two
    emitStageNameStarted(name, started, { sink: this._sink });
    let output: StageOutput | undefined;
    let error: Error | undefined;
    try {
      output = this._interceptors.hasBefore ? await this._interceptors.before(name, current.ctx) : undefined;
      if (output === undefined) {
        try {
          output = await this.invoke(spec, current);
        } catch (e) {
          if ((await this._interceptors.onError(name, e, current.ctx)) !== 'retry' || this.controller.signal.aborted)
            throw e;
          const { pipeline_run_id, request_id, execution_mode, topology, service } = this._ctx.correlationKeys();
          emitStageRetryScheduled(
            {
              stage: name,
              attempt,
              delay_ms: 0,
              error: asError(e).message,
              backoff_strategy: 'constant',
              pipeline_run_id,
              request_id,
              execution_mode,
              topology,
              service,
            },
            { sink: this._sink },
          );
          current.close();
          current = open();
          output = await this.invoke(spec, current);
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
    const result: StageRunResult =
      error === undefined
        ? { stage: name, status, data, startedAt, endedAt, durationMs, attempt }
        : { stage: name, status, data, error, startedAt, endedAt, durationMs, attempt };
    if (this._interceptors.hasAfter) await this._interceptors.after(name, result, ctx);
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
      const payload: Parameters<typeof emitStageNameCompleted>[1] & { cancelled?: boolean } = this.stagePayload(
        name,
        'completed',
      );
      payload.duration_ms = durationMs;
      payload.data_keys = Object.keys(data).sort();
      if (status === 'cancelled') payload.cancelled = true;
      // emitted when the stage ended unless `after` hooks ran in between (they may take time)
      payload.timestamp = this._interceptors.hasAfter ? nowIso() : endedAt;
      emitStageNameCompleted(name, payload, sinkOpt);
    }
    this._results.delete(name);
    this._results.set(name, result);
    this._wide?.emitStageEvent(this._sink, this.wideContext(), this.summary(result));
    if (status === 'cancelled')
      this.cancel(typeof data.cancel_reason === 'string' ? data.cancel_reason : 'cancelled by stage', name);
    return result;
  }

  private invoke(
    spec: StageSpec,
    attempt: { ctx: StageContext; controller: AbortController | undefined },
  ): Promise<StageOutput | undefined> {
    if (attempt.controller === undefined)
      return invokeUntilAborted(spec, attempt.ctx, this.runAborted(), this._options.cancelGraceMs ?? 1000);
    return invokeWithTimeout(spec, attempt.ctx, attempt.controller, this._options.cancelGraceMs ?? 1000);
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
}
