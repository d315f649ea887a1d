// observability helpers: correlation ids, W3C trace propagation, an OpenTelemetry tracer, provider-call logging and a circuit breaker
export { CircuitBreaker, CircuitBreakerOpenError, circuitKey } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
export {
  clearCorrelationId,
  currentTraceState,
  ensureCorrelationId,
  getCorrelationId,
  getSpanId,
  getTraceContextDict,
  getTraceId,
  runWithTraceState,
  setCorrelationId,
} from './correlation.js';
export type { TraceContextDict, TraceState } from './correlation.js';
export { CorrelationIds } from './correlation-ids.js';
export type { CorrelationIdsInit } from './correlation-ids.js';
export { correlationKeysAmong, streamEnrichment, toEventContext } from './event-context.js';
export type { EventContext, EventContextSource, StreamEnrichment } from './event-context.js';
export { EventProviderCallLogger, NIL_CALL_ID, NoOpProviderCallLogger } from './provider-call-logger.js';
export type {
  EventProviderCallLoggerOptions,
  ProviderCallEnd,
  ProviderCallLogger,
  ProviderCallStart,
  ProviderOperation,
  ProviderUsage,
} from './provider-call-logger.js';
export { NoOpSpan, StageflowTracer } from './stageflow-tracer.js';
export type { RecordedSpanEvent, StageflowSpan, StageflowSpanStatus, StartSpanOptions } from './stageflow-tracer.js';
export {
  BAGGAGE_HEADER_PREFIX,
  CORRELATION_ID_HEADER,
  ORG_ID_HEADER,
  PIPELINE_RUN_ID_HEADER,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  TraceContext,
  parseTraceparent,
} from './trace-context.js';
export type { HeaderSource, ParsedTraceparent, TraceContextDictFull, TraceContextInit } from './trace-context.js';
export { ensureOtelContextManager, otelContextManagerActive, otelSdkRegistered } from './otel-context.js';
export { OtelSpanEventSink, eventAttributes, startOtlpTracing } from './otel-export.js';
export type { OtlpTracing, OtlpTracingOptions } from './otel-export.js';
export { PrometheusMetricsServer, registerSinkMetrics, servePrometheusMetrics } from './prometheus-server.js';
export type { CountingSink, PrometheusMetricsServerOptions } from './prometheus-server.js';
