// the `stageflow-events/sinks` entry: every built-in sink and the sink protocol
export type { EventSink } from '../runtime/types.js';
export { NoOpEventSink } from './no-op-event-sink.js';
export { EVENT_LOGGER_NAME, LoggingEventSink } from './logging-event-sink.js';
export type { EventLogger, EventLogLevel, LoggingEventSinkOptions } from './logging-event-sink.js';
export { BackpressureAwareEventSink } from './backpressure-aware-event-sink.js';
export type {
  BackpressureAwareEventSinkOptions,
  BackpressureMetrics,
  DropLogger,
  StopOptions,
} from './backpressure-aware-event-sink.js';
export { CompositeEventSink } from './composite-event-sink.js';
export type { CompositeEventSinkOptions } from './composite-event-sink.js';
export { FilteringEventSink } from './filtering-event-sink.js';
export type { FilteringEventSinkOptions } from './filtering-event-sink.js';
export { CollectingEventSink } from './collecting-event-sink.js';
export { NdjsonFileEventSink } from './ndjson-file-event-sink.js';
export type { NdjsonFileEventSinkOptions, SchemaRef } from './ndjson-file-event-sink.js';
export { typeGlobMatcher } from './type-glob.js';
export type { TypeMatcher } from './type-glob.js';
