import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import type { PipelineContext } from '../pipeline/pipeline-context.js';
import type { PipelineRunResult, StageRunResult } from '../pipeline/types.js';
import type { StageContext } from '../pipeline/stage-context.js';
import type { Interceptor } from '../pipeline/interceptor.js';
import { ensureOtelContextManager } from '../observability/otel-context.js';
import { TenantContext } from './tenant-context.js';

/** Options of {@link TracingInterceptor}. */
export interface TracingInterceptorOptions {
  /** Default: `trace.getTracer('stageflow')` (a no-op tracer until an OpenTelemetry SDK is registered). */
  readonly tracer?: Tracer;
}

/** What {@link TracingInterceptor} records per stage as the observation `_interceptor.tracing`. */
export interface TracingObservation {
  readonly span_name: string;
  readonly trace_id: string;
  readonly span_id: string;
  readonly status?: string;
}

/**
 * Creates real OpenTelemetry spans: one `pipeline <name>` span per run with a child `stage <name>` span per stage
 * attempt, each the active span while it lasts (`trace.getActiveSpan()` in stage code, tools and interceptors returns
 * the stage's span; a subpipeline's spans nest under its spawning stage), carrying the run ids, the tenant's org id and
 * the outcome as attributes and span status (the interceptor of the Python framework we follow creates no span at all).
 */
export class TracingInterceptor implements Interceptor {
  readonly name = 'tracing';
  readonly priority = 20;
  private readonly _tracer: Tracer | undefined;
  private readonly _runs = new WeakMap<PipelineContext, Span>();
  // keyed by run and stage name, not by StageContext: an interceptor retry hands after() a fresh context
  private readonly _stages = new WeakMap<PipelineContext, Map<string, Span>>();

  constructor(options: TracingInterceptorOptions = {}) {
    this._tracer = options.tracer;
  }

  private tracer(): Tracer {
    return this._tracer ?? trace.getTracer('stageflow');
  }

  private baseAttributes(run: PipelineContext): Record<string, string> {
    const id = run.identity;
    const attrs: Record<string, string> = {
      'stageflow.pipeline_run_id': id.pipelineRunId,
      'stageflow.pipeline_name': id.pipelineName,
      'stageflow.service': id.service,
    };
    const org = id.orgId ?? TenantContext.current()?.orgId;
    if (org !== undefined && org !== null) attrs['stageflow.org_id'] = org;
    if (id.requestId !== null) attrs['stageflow.request_id'] = id.requestId;
    if (id.parentRunId !== null) attrs['stageflow.parent_run_id'] = id.parentRunId;
    return attrs;
  }

  /**
   * Starts the run's `pipeline <name>` span as a child of the active OpenTelemetry context (so a subpipeline's run
   * nests under the stage that spawned it) and makes it the active span for the whole run. Registers the
   * `@opentelemetry/context-async-hooks` context manager first when an SDK is present and none is set.
   */
  async aroundRun(run: PipelineContext, next: () => Promise<PipelineRunResult>): Promise<PipelineRunResult> {
    ensureOtelContextManager(this._tracer !== undefined);
    const span = this.tracer().startSpan(
      `pipeline ${run.identity.pipelineName}`,
      { kind: SpanKind.INTERNAL, attributes: this.baseAttributes(run) },
      context.active(),
    );
    this._runs.set(run, span);
    try {
      return await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      span.end();
      this._runs.delete(run);
    }
  }

  /**
   * Starts a `stage <name>` span per attempt under the run's span and makes it the active span for the attempt: its
   * `stage.*` events, the other interceptors' hooks, the stage code and the tools and subpipelines it calls.
   */
  async aroundStage(
    stage: string,
    run: PipelineContext,
    attempt: number,
    next: () => Promise<StageRunResult>,
  ): Promise<StageRunResult> {
    const parent = this._runs.get(run);
    const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
    const span = this.tracer().startSpan(
      `stage ${stage}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          ...this.baseAttributes(run),
          'stageflow.stage': stage,
          'stageflow.attempt': String(attempt),
        },
      },
      parentContext,
    );
    let byStage = this._stages.get(run);
    if (byStage === undefined) this._stages.set(run, (byStage = new Map()));
    byStage.set(stage, span);
    try {
      return await context.with(trace.setSpan(parentContext, span), next);
    } finally {
      span.end();
      if (byStage.get(stage) === span) byStage.delete(stage);
    }
  }

  before(stage: string, ctx: StageContext): void {
    const span = this._stages.get(ctx.pipeline)?.get(stage);
    if (span === undefined) return;
    const sc = span.spanContext();
    ctx.addObservation(this.name, {
      span_name: `stage ${stage}`,
      trace_id: sc.traceId,
      span_id: sc.spanId,
    } satisfies TracingObservation);
  }

  onError(stage: string, error: unknown, ctx: StageContext): 'fail' {
    const span = this._stages.get(ctx.pipeline)?.get(stage);
    if (span !== undefined && error instanceof Error) span.recordException(error);
    return 'fail';
  }

  after(stage: string, result: StageRunResult, ctx: StageContext): void {
    const span = this._stages.get(ctx.pipeline)?.get(stage);
    if (span === undefined) return;
    span.setAttribute('stageflow.stage.status', result.status);
    span.setAttribute('stageflow.stage.duration_ms', result.durationMs);
    if (result.status === 'failed')
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error?.message ?? 'failed' });
    else span.setStatus({ code: SpanStatusCode.OK });
    const sc = span.spanContext();
    ctx.addObservation(this.name, {
      span_name: `stage ${stage}`,
      trace_id: sc.traceId,
      span_id: sc.spanId,
      status: result.status,
    } satisfies TracingObservation);
  }

  onPipelineEnd(run: PipelineContext, result: PipelineRunResult): void {
    const span = this._runs.get(run);
    if (span === undefined) return;
    span.setAttribute('stageflow.pipeline.status', result.status);
    span.setAttribute('stageflow.pipeline.duration_ms', result.durationMs);
    if (result.status === 'failed')
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error?.message ?? 'failed' });
    else span.setStatus({ code: SpanStatusCode.OK });
  }
}
