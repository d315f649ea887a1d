import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoOpSpan, StageflowTracer, TraceContext, getTraceContextDict } from '../../../src/observability/index.js';

const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN = '00f067aa0ba902b7';
const CORR = '18d3ff22-b15a-48dd-b9fe-b69c0653e440';

describe('StageflowTracer without an SDK', () => {
  it('is disabled and yields a no-op span that accepts attributes and events', () => {
    const tracer = new StageflowTracer();
    expect(tracer.isEnabled).toBe(false);
    const span = tracer.startSpan('stage.llm', (s) => {
      s.setAttribute('stage.name', 'llm').addEvent('token', { n: 1 });
      return s;
    });
    expect(span).toBeInstanceOf(NoOpSpan);
    const noop = span as NoOpSpan;
    expect(noop.attributes).toEqual({ 'stage.name': 'llm' });
    expect(noop.events).toEqual([{ name: 'token', attributes: { n: 1 } }]);
    expect(noop.isRecording()).toBe(false);
    expect(noop.getSpanContext()).toBeUndefined();
  });

  it('NoOpSpan stores status as attributes and records exceptions as events', () => {
    const span = new NoOpSpan('x');
    span.setStatus('error', 'boom');
    span.recordException(new TypeError('bad input'));
    expect(span.attributes).toEqual({ _status: 'error', _status_description: 'boom' });
    expect(span.events).toEqual([
      { name: 'exception', attributes: { 'exception.type': 'TypeError', 'exception.message': 'bad input' } },
    ]);
  });

  it('records a thrown error on the no-op span and rethrows it', async () => {
    const tracer = new StageflowTracer();
    let seen: NoOpSpan | undefined;
    await expect(
      tracer.startSpan('failing', async (s) => {
        seen = s as NoOpSpan;
        await Promise.resolve();
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(seen?.attributes._status).toBe('error');
    expect(seen?.events[0]?.name).toBe('exception');
  });

  it('injectContext writes x-correlation-id and extractContext reads it back', () => {
    const tracer = new StageflowTracer();
    const carrier = new TraceContext({ correlationId: CORR }).activate(() => tracer.injectContext({}));
    expect(carrier['x-correlation-id']).toBe(CORR);
    expect(tracer.extractContext(carrier).correlationId).toBe(CORR);
  });
});

describe('StageflowTracer with the OpenTelemetry SDK', () => {
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
  });

  afterEach(async () => {
    trace.disable();
    await provider.shutdown();
  });

  it('creates real nested spans with attributes, kind and status', async () => {
    const tracer = new StageflowTracer('stageflow-test');
    expect(tracer.isEnabled).toBe(true);
    await tracer.startSpan(
      'pipeline',
      async (root) => {
        root.setAttribute('pipeline.name', 'demo');
        await tracer.startSpan('stage.a', async (child) => {
          await new Promise((r) => setTimeout(r, 1));
          child.setStatus('ok');
        });
      },
      { kind: SpanKind.SERVER, attributes: { 'service.name': 'svc' } },
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['stage.a', 'pipeline']);
    const [child, root] = spans;
    expect(root?.attributes).toEqual({ 'service.name': 'svc', 'pipeline.name': 'demo' });
    expect(root?.kind).toBe(SpanKind.SERVER);
    expect(child?.kind).toBe(SpanKind.INTERNAL);
    expect(child?.status.code).toBe(SpanStatusCode.OK);
    expect(child?.spanContext().traceId).toBe(root?.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(root?.instrumentationScope.name).toBe('stageflow-test');
  });

  it('sets the trace, span and parent span ids while a span runs', () => {
    const tracer = new StageflowTracer();
    const ids = tracer.startSpan('outer', (outer) =>
      tracer.startSpan('inner', (inner) => ({
        dict: getTraceContextDict(),
        outer: outer.getSpanContext(),
        inner: inner.getSpanContext(),
      })),
    );
    expect(ids.dict).toEqual({
      trace_id: ids.inner?.traceId,
      span_id: ids.inner?.spanId,
      parent_span_id: ids.outer?.spanId,
      correlation_id: null,
    });
    expect(getTraceContextDict().trace_id).toBeNull();
  });

  it('marks a failing span with status error and an exception event', () => {
    const tracer = new StageflowTracer();
    expect(() =>
      tracer.startSpan('boom', () => {
        throw new RangeError('out of range');
      }),
    ).toThrow('out of range');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'out of range' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('continues a trace that arrived through headers', () => {
    const tracer = new StageflowTracer();
    const incoming = TraceContext.fromHeaders({ traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01` });
    const headers = incoming.activate(() => tracer.startSpan('handle', () => tracer.injectContext({})));
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe(REMOTE_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
    expect(headers.traceparent).toBe(`00-${REMOTE_TRACE}-${span?.spanContext().spanId}-01`);
  });

  it('captures the active span ids into a TraceContext', () => {
    const tracer = new StageflowTracer();
    const captured = tracer.startSpan('s', (span) => ({ ctx: TraceContext.capture(), sc: span.getSpanContext() }));
    expect(captured.ctx.traceId).toBe(captured.sc?.traceId);
    expect(captured.ctx.spanId).toBe(captured.sc?.spanId);
  });
});
