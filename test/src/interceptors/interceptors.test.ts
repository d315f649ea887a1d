import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { ChildRunTracker, StageGraphBuilder, StageOutput, SubpipelineSpawner } from '../../../src/pipeline/index.js';
import type { Interceptor, StageRunResult } from '../../../src/pipeline/index.js';
import { CircuitBreaker } from '../../../src/observability/index.js';
import {
  CircuitBreakerInterceptor,
  ChildTrackerMetricsInterceptor,
  LoggingInterceptor,
  MetricsInterceptor,
  PrometheusMetricsInterceptor,
  TenantContext,
  TracingInterceptor,
} from '../../../src/interceptors/index.js';
import type { MetricsObservation, TracingObservation } from '../../../src/interceptors/index.js';
import { deferred } from '../../helpers/deferred.js';

type Data = Record<string, unknown>;

function parallel() {
  const gate = deferred();
  let arrived = 0;
  const hold = async () => {
    if (++arrived === 2) gate.resolve();
    await gate.promise;
    return StageOutput.ok({ done: true });
  };
  return new StageGraphBuilder('par').stage('left', hold).stage('right', hold).build();
}

describe('interceptor framework', () => {
  it('runs before in ascending priority, after in descending priority, and isolates interceptor errors', async () => {
    const order: string[] = [];
    const mk = (name: string, priority: number): Interceptor => ({
      name,
      priority,
      before: () => void order.push(`before ${name}`),
      after: () => void order.push(`after ${name}`),
    });
    const broken: Interceptor = {
      name: 'broken',
      priority: 30,
      before: () => {
        throw new Error('interceptor bug');
      },
    };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const result = await new StageGraphBuilder()
      .stage('a', () => undefined)
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [mk('late', 50), mk('early', 10), broken] });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(result.status).toBe('completed');
    expect(order).toEqual(['before early', 'before late', 'after late', 'after early']);
    expect(warnings).toContain("stageflow pipeline: interceptor 'broken' threw in before: interceptor bug");
  });

  it('short-circuits a stage whose before returns an output', async () => {
    const sink = new CollectingEventSink();
    let ran = false;
    const gate: Interceptor = {
      name: 'gate',
      priority: 1,
      before: () => StageOutput.fail('Circuit breaker open for a/stage'),
    };
    const result = await new StageGraphBuilder()
      .stage('a', () => {
        ran = true;
      })
      .build()
      .run({ sink, interceptors: [gate] });
    expect(ran).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.errorSummary?.code).toBe('CIRCUIT_OPEN');
  });

  it('re-runs a stage once when onError asks for a retry', async () => {
    let calls = 0;
    const retry: Interceptor = { name: 'retry', priority: 15, onError: () => 'retry' };
    const result = await new StageGraphBuilder()
      .stage('flaky', () => {
        if (++calls === 1) throw new Error('transient');
        return StageOutput.ok({ calls });
      })
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [retry] });
    expect(result.status).toBe('completed');
    expect(calls).toBe(2);
  });
});

describe('interceptor retry after a timeout', () => {
  it('gives the retry a fresh signal, so a stage that timed out once can succeed (the reference never retries timeouts)', async () => {
    let calls = 0;
    const retry: Interceptor = { name: 'retry', priority: 15, onError: () => 'retry' };
    const result = await new StageGraphBuilder()
      .stage(
        'slow_once',
        async (ctx) => {
          calls += 1;
          if (calls === 1)
            await new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
            );
          return StageOutput.ok({ aborted: ctx.signal.aborted });
        },
        { timeoutMs: 20 },
      )
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [retry] });
    expect(result.status).toBe('completed');
    expect(result.stages.get('slow_once')?.data).toEqual({ aborted: false });
  });
});

describe('MetricsInterceptor', () => {
  it('has the reference name and priority', () => {
    expect(new MetricsInterceptor()).toMatchObject({ name: 'metrics', priority: 40 });
  });

  it('keeps its start time under a per-stage key while the stage runs and removes it after', async () => {
    let during = false;
    const result = await new StageGraphBuilder()
      .stage('a', (ctx) => {
        during = ctx.pipeline.data.has('_metrics.a.start');
      })
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [new MetricsInterceptor()] });
    expect(during).toBe(true);
    expect(result.context.data.has('_metrics.a.start')).toBe(false);
  });

  it('records a per-stage observation readable after the run, without collisions between parallel stages', async () => {
    const lines: Array<[object, string]> = [];
    const result = await parallel().run({
      sink: new CollectingEventSink(),
      interceptors: [new MetricsInterceptor({ logger: { info: (o, m) => lines.push([o, m]) } })],
    });
    const left = result.context.getObservation('metrics', 'left') as MetricsObservation;
    const right = result.context.getObservation('metrics', 'right') as MetricsObservation;
    expect(left).toMatchObject({ stage: 'left', status: 'completed', pipeline_run_id: result.pipelineRunId });
    expect(right).toMatchObject({ stage: 'right', status: 'completed' });
    expect(left.duration_ms).toBeGreaterThanOrEqual(0);
    expect(result.context.data.has('_metrics.left.start')).toBe(false);
    expect(result.context.data.has('_interceptor.metrics')).toBe(true);
    expect(lines.map((l) => l[1]).sort()).toEqual(["stage 'left' completed", "stage 'right' completed"]);
  });
});

describe('TracingInterceptor', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.disable();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => trace.disable());
  beforeEach(() => exporter.reset());

  it('has the reference name and priority', () => {
    expect(new TracingInterceptor()).toMatchObject({ name: 'tracing', priority: 20 });
  });

  it('creates a pipeline span with a child span per stage, with status and attributes', async () => {
    const graph = new StageGraphBuilder('traced')
      .stage('ok', () => undefined)
      .stage('bad', () => {
        throw new Error('exploded');
      })
      .build();
    const orgId = '3c7c3f1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b';
    const result = await graph.run({
      sink: new CollectingEventSink(),
      interceptors: [new TracingInterceptor()],
      orgId,
    });
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'pipeline traced');
    const ok = spans.find((s) => s.name === 'stage ok');
    const bad = spans.find((s) => s.name === 'stage bad');
    expect(root?.attributes).toMatchObject({
      'stageflow.pipeline_run_id': result.pipelineRunId,
      'stageflow.org_id': orgId,
      'stageflow.pipeline.status': 'failed',
    });
    expect(root?.status.code).toBe(SpanStatusCode.ERROR);
    expect(ok?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(ok?.spanContext().traceId).toBe(root?.spanContext().traceId);
    expect(ok?.status.code).toBe(SpanStatusCode.OK);
    expect(ok?.attributes).toMatchObject({ 'stageflow.stage': 'ok', 'stageflow.stage.status': 'completed' });
    expect(bad?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'exploded' });
    expect(bad?.events.map((e) => e.name)).toContain('exception');
    const obs = result.context.getObservation('tracing', 'ok') as TracingObservation;
    expect(obs).toMatchObject({
      span_name: 'stage ok',
      trace_id: ok?.spanContext().traceId,
      span_id: ok?.spanContext().spanId,
      status: 'completed',
    });
  });

  it('puts the TenantContext org id on spans when the run has none', async () => {
    const tenant = new TenantContext({ orgId: 'org-42' });
    await tenant.run(() =>
      new StageGraphBuilder('t')
        .stage('a', () => undefined)
        .build()
        .run({ sink: new CollectingEventSink(), interceptors: [new TracingInterceptor()] }),
    );
    expect(exporter.getFinishedSpans().every((s) => s.attributes['stageflow.org_id'] === 'org-42')).toBe(true);
  });
});

describe('TenantContext', () => {
  it('is current inside run and gives a logger that stamps the org id', async () => {
    const tenant = new TenantContext({ orgId: 'org-1', userId: 'user-1' });
    expect(TenantContext.current()).toBeUndefined();
    const seen = await tenant.run(async () => {
      await Promise.resolve();
      return TenantContext.current();
    });
    expect(seen).toBe(tenant);
    const { pino } = await import('pino');
    const lines: string[] = [];
    const base = pino({ base: null, timestamp: false }, { write: (s: string) => void lines.push(s) });
    tenant.logger(base).info('hello');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ org_id: 'org-1', user_id: 'user-1', msg: 'hello' });
  });
});

describe('ChildTrackerMetricsInterceptor', () => {
  it('has the reference name and priority', () => {
    expect(new ChildTrackerMetricsInterceptor()).toMatchObject({ name: 'child_tracker_metrics', priority: 45 });
  });

  it('emits metrics.child_run_tracker after each stage of a child run from the spawner tracker (the reference only logs)', async () => {
    const sink = new CollectingEventSink();
    const tracker = new ChildRunTracker();
    const interceptors = [new ChildTrackerMetricsInterceptor()];
    const child = new StageGraphBuilder('child').stage('c', () => undefined).build();
    const parent = new StageGraphBuilder('parent')
      .stage('p', async (ctx) => void (await ctx.spawnSubpipeline(child, { runOptions: { interceptors } })))
      .build();
    await parent.run({ sink, interceptors, spawner: new SubpipelineSpawner({ tracker }) });
    const events = sink.ofType('metrics.child_run_tracker');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      component: 'ChildRunTracker',
      is_child_run: true,
      registration_count: 1,
      active_children: 1,
      total_relationships: 1,
    });
    expect((events[0]!.data as Data).pipeline_run_id).toBe(
      (sink.ofType('pipeline.spawned_child')[0]!.data as Data).child_run_id,
    );
  });
});

describe('LoggingInterceptor', () => {
  it('logs a starting and a completed line per stage', async () => {
    const lines: Array<[Data, string]> = [];
    await new StageGraphBuilder()
      .stage('a', () => undefined)
      .build()
      .run({
        sink: new CollectingEventSink(),
        topology: 'chat',
        interceptors: [new LoggingInterceptor({ logger: { info: (o, m) => lines.push([o as Data, m]) } })],
      });
    expect(lines.map((l) => l[1])).toEqual(["stage 'a' starting", "stage 'a' completed"]);
    expect(lines[0]?.[0]).toMatchObject({ stage: 'a', topology: 'chat' });
    expect(lines[1]?.[0]).toMatchObject({ status: 'completed' });
    expect(new LoggingInterceptor()).toMatchObject({ name: 'logging', priority: 50 });
  });
});

describe('PrometheusMetricsInterceptor', () => {
  it('counts starts and completions by status and observes durations, in its own registry', async () => {
    const interceptor = new PrometheusMetricsInterceptor();
    const graph = new StageGraphBuilder()
      .stage('a', () => undefined)
      .stage('b', () => StageOutput.fail('x'), { dependencies: ['a'] })
      .build();
    await graph.run({ sink: new CollectingEventSink(), interceptors: [interceptor] });
    const text = await interceptor.registry.metrics();
    expect(text).toContain('stage_started_total{stage="a"} 1');
    expect(text).toContain('stage_completed_total{stage="a",status="completed"} 1');
    expect(text).toContain('stage_completed_total{stage="b",status="failed"} 1');
    expect(text).toContain('stage_duration_seconds_count{stage="b",status="failed"} 1');
    expect(new PrometheusMetricsInterceptor().registry).not.toBe(interceptor.registry);
  });

  it('registers into a given registry', async () => {
    const registry = new Registry();
    new PrometheusMetricsInterceptor({ registry });
    expect((await registry.getMetricsAsJSON()).map((m) => m.name).sort()).toEqual([
      'stage_completed_total',
      'stage_duration_seconds',
      'stage_started_total',
    ]);
  });
});

describe('interceptor results', () => {
  it('hands after() the stage result with status, duration and error', async () => {
    const seen: StageRunResult[] = [];
    await new StageGraphBuilder()
      .stage('a', () => StageOutput.fail('nope'))
      .build()
      .run({
        sink: new CollectingEventSink(),
        interceptors: [{ name: 'spy', priority: 1, after: (_s, r) => void seen.push(r) }],
      });
    expect(seen[0]).toMatchObject({ stage: 'a', status: 'failed', attempt: 1 });
    expect(seen[0]?.error?.message).toBe('nope');
  });
});

describe('CircuitBreakerInterceptor', () => {
  it('opens after the threshold, short-circuits later runs as CIRCUIT_OPEN failures, and counts each failure once', async () => {
    let calls = 0;
    const graph = new StageGraphBuilder()
      .stage('llm', () => {
        calls += 1;
        throw new Error('provider down');
      })
      .build();
    const interceptor = new CircuitBreakerInterceptor({
      breaker: new CircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 60_000 }),
    });
    const retryless = [interceptor, { name: 'observe', priority: 99, onError: () => 'fail' as const }];
    await graph.run({ sink: new CollectingEventSink(), interceptors: retryless });
    expect(interceptor.breaker.state('stage/llm')).toBe('closed');
    await graph.run({ sink: new CollectingEventSink(), interceptors: retryless });
    expect(interceptor.breaker.state('stage/llm')).toBe('open');
    const sink = new CollectingEventSink();
    const third = await graph.run({ sink, interceptors: retryless });
    const fourth = await graph.run({ sink: new CollectingEventSink(), interceptors: retryless });
    expect(calls).toBe(2);
    expect(third.status).toBe('failed');
    expect(third.errorSummary?.code).toBe('CIRCUIT_OPEN');
    expect(sink.ofType('stage.llm.failed')[0]?.data).toMatchObject({
      error: 'Circuit breaker open for stage/llm',
      error_type: 'CircuitBreakerOpenError',
    });
    expect(fourth.errorSummary?.code).toBe('CIRCUIT_OPEN');
    expect(interceptor.breaker.state('stage/llm')).toBe('open');
  });

  it('closes again after a successful probe once the reset time has passed', async () => {
    let now = 0;
    let fail = true;
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 1000, now: () => now });
    const graph = new StageGraphBuilder()
      .stage('llm', () => {
        if (fail) throw new Error('down');
      })
      .build();
    const interceptors = [new CircuitBreakerInterceptor({ breaker })];
    await graph.run({ sink: new CollectingEventSink(), interceptors });
    expect(breaker.state('stage/llm')).toBe('open');
    now = 1500;
    fail = false;
    const probe = await graph.run({ sink: new CollectingEventSink(), interceptors });
    expect(probe.status).toBe('completed');
    expect(breaker.state('stage/llm')).toBe('closed');
  });
});
