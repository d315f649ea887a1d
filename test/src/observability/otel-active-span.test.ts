import { context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TracingInterceptor } from '../../../src/interceptors/index.js';
import { ensureOtelContextManager, otelContextManagerActive } from '../../../src/observability/otel-context.js';
import { StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import type { Interceptor } from '../../../src/pipeline/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { ToolExecutor } from '../../../src/tools/index.js';

describe('OpenTelemetry context propagation', () => {
  it('registers no context manager while no SDK is present', async () => {
    trace.disable();
    context.disable();
    await new StageGraphBuilder('plain')
      .stage('a', () => undefined)
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [new TracingInterceptor()] });
    expect(otelContextManagerActive()).toBe(false);
    expect(ensureOtelContextManager()).toBe(false);
  });

  describe('with an SDK registered and no context manager', () => {
    const exporter = new InMemorySpanExporter();
    beforeAll(() => {
      trace.disable();
      context.disable();
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    });
    afterAll(() => {
      trace.disable();
      context.disable();
    });
    beforeEach(() => exporter.reset());

    it('makes the stage span active in stage code, tools and interceptors, and nests child runs under the spawning stage', async () => {
      const seen: Record<string, Span | undefined> = {};
      const tools = new ToolExecutor();
      tools.register({
        name: 'lookup',
        handler: async () => {
          await new Promise((r) => setTimeout(r, 1));
          seen.tool = trace.getActiveSpan();
          return { success: true };
        },
      });
      const spy: Interceptor = {
        name: 'spy',
        priority: 30,
        before: (stage) => {
          seen[`before ${stage}`] = trace.getActiveSpan();
        },
        after: (stage) => {
          seen[`after ${stage}`] = trace.getActiveSpan();
        },
      };
      const child = new StageGraphBuilder('child')
        .stage('inner', async () => {
          await Promise.resolve();
          seen.inner = trace.getActiveSpan();
        })
        .build();
      const graph = new StageGraphBuilder('parent')
        .stage('work', async (ctx) => {
          await new Promise((r) => setTimeout(r, 1));
          seen.work = trace.getActiveSpan();
          await tools.execute('lookup', {}, { context: ctx.eventContext() });
          return StageOutput.ok({});
        })
        .stage(
          'spawn',
          async (ctx) => {
            const r = await ctx.spawnSubpipeline(child);
            return r.success ? StageOutput.ok({}) : StageOutput.fail('child failed');
          },
          { dependencies: ['work'] },
        )
        .build();
      const sink = new CollectingEventSink();
      const result = await graph.run({ sink, interceptors: [new TracingInterceptor(), spy] });
      expect(result.status).toBe('completed');
      expect(otelContextManagerActive()).toBe(true);
      const spans = exporter.getFinishedSpans();
      const byName = (n: string) => spans.find((s) => s.name === n);
      const work = byName('stage work');
      const spawn = byName('stage spawn');
      const childRun = byName('pipeline child');
      const inner = byName('stage inner');
      expect(seen.work?.spanContext().spanId).toBe(work?.spanContext().spanId);
      expect(seen.tool?.spanContext().spanId).toBe(work?.spanContext().spanId);
      expect(seen['before work']?.spanContext().spanId).toBe(work?.spanContext().spanId);
      expect(seen['after work']?.spanContext().spanId).toBe(work?.spanContext().spanId);
      expect(seen.inner?.spanContext().spanId).toBe(inner?.spanContext().spanId);
      expect(childRun?.parentSpanContext?.spanId).toBe(spawn?.spanContext().spanId);
      expect(inner?.parentSpanContext?.spanId).toBe(childRun?.spanContext().spanId);
      expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
      // pipeline.started names the run's trace
      const started = sink.events
        .filter((e) => e.type === 'pipeline.started')
        .map((e) => e.data as { trace_id?: string });
      expect(started.map((d) => d.trace_id)).toEqual([work?.spanContext().traceId, work?.spanContext().traceId]);
    });

    it('gives each guard-retry attempt its own stage span', async () => {
      let tries = 0;
      const graph = new StageGraphBuilder('guarded')
        .stage('draft', () => StageOutput.ok({ n: ++tries }))
        .stage('guard', (ctx) => (ctx.inputs.draft?.n === 1 ? StageOutput.fail('bad draft') : StageOutput.ok({})), {
          dependencies: ['draft'],
          guardRetry: { retryStage: 'draft', maxAttempts: 3 },
        })
        .build();
      await graph.run({ sink: new CollectingEventSink(), interceptors: [new TracingInterceptor()] });
      const guards = exporter.getFinishedSpans().filter((s) => s.name === 'stage guard');
      expect(guards.map((s) => s.attributes['stageflow.attempt'])).toEqual(['1', '2']);
    });
  });
});
