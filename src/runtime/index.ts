// what generated code may import: nothing else in src/ is reachable from generated/
export { emitEvent } from './emit.js';
export type { EmitOptions } from './emit.js';
export { formats, isDateTime, isUuid } from './formats.js';
export { mergePayload, withTimestamp } from './payload.js';
export { nowIso } from './timestamp.js';
export type { EventDescriptor, EventEnvelope, ValidateFunction, ValidationIssue } from './types.js';
export type { EventSink } from '../sinks/event-sink.js';
