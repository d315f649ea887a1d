// what generated code may import: the ground floor of src/, which imports nothing outside src/runtime but src/errors.ts
export { createDescriptorLookup, DESCRIPTOR_MEMO_LIMIT } from './descriptor-lookup.js';
export { DispatchingSinkBase } from './dispatching-sink-base.js';
export { emitEvent } from './emit.js';
export type { EmitOptions } from './emit.js';
export { formats, isDateTime, isDotFreeName, isUuid, patterns } from './formats.js';
export { mergePayload, withTimestamp } from './payload.js';
export { nowIso } from './timestamp.js';
export type { EventDescriptor, EventEnvelope, EventSink, ValidateFunction, ValidationIssue } from './types.js';
