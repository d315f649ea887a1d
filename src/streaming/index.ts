// streaming helpers: a bounded chunk queue and an audio jitter buffer that report backpressure as stream.* events
export { BackpressureMonitor } from './backpressure-monitor.js';
export type { BackpressureMonitorOptions, BackpressureStats, ThrottleTransition } from './backpressure-monitor.js';
export { ChunkQueue } from './chunk-queue.js';
export type { ChunkQueueOptions } from './chunk-queue.js';
export { StreamingBuffer } from './streaming-buffer.js';
export type { StreamingBufferOptions, StreamingBufferStats } from './streaming-buffer.js';
export type { StreamEmitErrorHandler, StreamEmitTarget } from './stream-emitter.js';
export type { EventContext, EventContextSource } from '../observability/event-context.js';
