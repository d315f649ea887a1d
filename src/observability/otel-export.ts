import { trace } from '@opentelemetry/api';
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { EventEnvelope, EventSink } from '../runtime/types.js';
import { ensureOtelContextManager } from './otel-context.js';

/** Flattens an event payload into span-event attributes: `stageflow.<key>`, objects and arrays as JSON text. */
export function eventAttributes(data: unknown): Attributes {
  const out: Record<string, AttributeValue> = {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return out;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[`stageflow.${k}`] = v;
    else out[`stageflow.${k}`] = JSON.stringify(v);
  }
  return out;
}

/**
 * Turns stageflow events into OpenTelemetry **span events** (not log records): each event becomes an event named by
 * its type on the span active when it is emitted, with the payload as `stageflow.<key>` attributes. With the tracing
 * interceptor, lifecycle events land on the run's or the stage attempt's span and tool, approval and stream events on
 * the stage that made them. An event emitted with no recording span active is counted in `unattached`, not sent.
 */
export class OtelSpanEventSink implements EventSink {
  /** Events added to a span. */
  attached = 0;
  /** Events emitted while no recording span was active. */
  unattached = 0;

  tryEmit(event: EventEnvelope): void {
    const span = trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) {
      this.unattached++;
      return;
    }
    span.addEvent(event.type, eventAttributes(event.data));
    this.attached++;
  }

  async emit(event: EventEnvelope): Promise<void> {
    this.tryEmit(event);
  }
}

/** Options of {@link startOtlpTracing}. */
export interface OtlpTracingOptions {
  /** The OTLP/HTTP traces URL, e.g. `http://localhost:4318/v1/traces`. */
  readonly endpoint: string;
  /** Extra request headers (an API key for a hosted backend). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Batch spans (default true); false exports each span as it ends (tests, short demos). */
  readonly batch?: boolean;
}

/** What {@link startOtlpTracing} registered; `shutdown` flushes the spans and unregisters the provider. */
export interface OtlpTracing {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers an OpenTelemetry SDK tracer provider whose spans go out through the official OTLP/HTTP protobuf exporter
 * (`@opentelemetry/exporter-trace-otlp-proto`) to `endpoint`, plus the async-hooks context manager; loaded on demand,
 * so the package costs nothing until a caller asks for it. Pair it with the tracing interceptor (spans) and
 * {@link OtelSpanEventSink} (events as span events).
 */
export async function startOtlpTracing(options: OtlpTracingOptions): Promise<OtlpTracing> {
  const [{ BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  const exporter = new OTLPTraceExporter({
    url: options.endpoint,
    ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
  });
  const processor = options.batch === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  if (!trace.setGlobalTracerProvider(provider))
    throw new Error('startOtlpTracing: a global OpenTelemetry tracer provider is registered already');
  ensureOtelContextManager(true);
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}
