// interceptors: code around every stage of a run (metrics, OpenTelemetry spans, logging, Prometheus, child-run metrics)
export type { ErrorAction, Interceptor } from '../pipeline/interceptor.js';
export { MetricsInterceptor } from './metrics-interceptor.js';
export type { InfoLogger, MetricsObservation } from './metrics-interceptor.js';
export { TracingInterceptor } from './tracing-interceptor.js';
export type { TracingInterceptorOptions, TracingObservation } from './tracing-interceptor.js';
export { ChildTrackerMetricsInterceptor } from './child-tracker-metrics-interceptor.js';
export { LoggingInterceptor } from './logging-interceptor.js';
export { PrometheusMetricsInterceptor } from './prometheus-metrics-interceptor.js';
export type { PrometheusMetricsInterceptorOptions } from './prometheus-metrics-interceptor.js';
export { CircuitBreakerInterceptor } from './circuit-breaker-interceptor.js';
export type { CircuitBreakerInterceptorOptions } from './circuit-breaker-interceptor.js';
export { TenantContext } from './tenant-context.js';
export type { TenantInfo } from './tenant-context.js';
