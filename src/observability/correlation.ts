import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isUuid } from '../runtime/index.js';
import { ContractError } from '../errors.js';

/** The trace and correlation ids of the current async context (the four context variables of the Python framework we follow). */
export interface TraceState {
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly parentSpanId: string | null;
  readonly correlationId: string | null;
}

const EMPTY: TraceState = Object.freeze({ traceId: null, spanId: null, parentSpanId: null, correlationId: null });
const store = new AsyncLocalStorage<TraceState>();

/** The current trace state; reads are synchronous (`getStore()`), never an await. */
export function currentTraceState(): TraceState {
  return store.getStore() ?? EMPTY;
}

/** Runs `fn` with the non-null fields of `patch` layered over the current state, restoring the outer state afterwards. */
export function runWithTraceState<R>(patch: Partial<TraceState>, fn: () => R): R {
  const current = currentTraceState();
  const next: TraceState = {
    traceId: patch.traceId ?? current.traceId,
    spanId: patch.spanId ?? current.spanId,
    parentSpanId: patch.parentSpanId ?? current.parentSpanId,
    correlationId: patch.correlationId ?? current.correlationId,
  };
  return store.run(next, fn);
}

// copy-on-write, so async work started earlier keeps the state it captured (contextvars semantics)
function replaceState(patch: Partial<TraceState>): void {
  store.enterWith({ ...currentTraceState(), ...patch });
}

/**
 * Sets the correlation id for the rest of the current async context and whatever it starts from now on; work started
 * earlier and concurrent tasks keep their own. Throws `invalid_uuid` unless `id` is a UUID (it travels as `x-correlation-id`).
 */
export function setCorrelationId(id: string): void {
  const lower = id.toLowerCase();
  if (!isUuid(lower)) throw new ContractError('invalid_uuid', `correlation id must be a UUID, got '${id}'`);
  replaceState({ correlationId: lower });
}

/** The current correlation id, or null when none is set. */
export function getCorrelationId(): string | null {
  return currentTraceState().correlationId;
}

/** Returns the current correlation id, first creating and setting a random UUID when none is set. */
export function ensureCorrelationId(): string {
  const existing = currentTraceState().correlationId;
  if (existing !== null) return existing;
  const id = randomUUID();
  replaceState({ correlationId: id });
  return id;
}

/** Clears the correlation id for the rest of the current async context. */
export function clearCorrelationId(): void {
  if (currentTraceState().correlationId !== null) replaceState({ correlationId: null });
}

/** The current trace id (32 lowercase hex), or null. */
export function getTraceId(): string | null {
  return currentTraceState().traceId;
}

/** The current span id (16 lowercase hex), or null. */
export function getSpanId(): string | null {
  return currentTraceState().spanId;
}

/** Like `get_trace_context_dict` in the Python framework we follow: always the four keys, null when unset. */
export interface TraceContextDict {
  readonly trace_id: string | null;
  readonly span_id: string | null;
  readonly parent_span_id: string | null;
  readonly correlation_id: string | null;
}

/** The current trace and correlation ids as a dict that always has the keys `trace_id`, `span_id`, `parent_span_id`, `correlation_id`. */
export function getTraceContextDict(): TraceContextDict {
  const s = currentTraceState();
  return { trace_id: s.traceId, span_id: s.spanId, parent_span_id: s.parentSpanId, correlation_id: s.correlationId };
}
