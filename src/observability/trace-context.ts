import { isSpanContextValid, trace } from '@opentelemetry/api';
import { isUuid, nowIso } from '../runtime/index.js';
import { currentTraceState, runWithTraceState } from './correlation.js';
import { activeOtelContext } from './otel-context.js';

/** The W3C trace-context header. */
export const TRACEPARENT_HEADER = 'traceparent';
/** Carries the correlation id (a UUID). */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
/** Carries the pipeline run id (a UUID). */
export const PIPELINE_RUN_ID_HEADER = 'x-pipeline-run-id';
/** Carries the request id (a UUID). */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Carries the organisation id (a UUID). */
export const ORG_ID_HEADER = 'x-org-id';
/** Prefix of one header per baggage entry: `x-baggage-<key>`. */
export const BAGGAGE_HEADER_PREFIX = 'x-baggage-';

/** The span id written when there is no span, and read back as "no span" (what the Python framework we follow writes). */
const NO_SPAN_ID = '0000000000000000';
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Incoming headers: a Node `IncomingHttpHeaders`-like record, a fetch `Headers`, a `Map` or `[name, value]` pairs. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

/** The fields of a {@link TraceContext}; ids are strings (UUIDs lowercase), absent ones null. */
export interface TraceContextInit {
  readonly traceId?: string | null;
  readonly spanId?: string | null;
  readonly parentSpanId?: string | null;
  readonly correlationId?: string | null;
  readonly pipelineRunId?: string | null;
  readonly requestId?: string | null;
  readonly orgId?: string | null;
  readonly baggage?: Readonly<Record<string, string>>;
  readonly createdAt?: string;
}

/** The shape of `TraceContext.to_dict` in the Python framework we follow. */
export interface TraceContextDictFull {
  readonly trace_id: string | null;
  readonly span_id: string | null;
  readonly parent_span_id: string | null;
  readonly correlation_id: string | null;
  readonly pipeline_run_id: string | null;
  readonly request_id: string | null;
  readonly org_id: string | null;
  readonly baggage: Record<string, string>;
  readonly created_at: string;
}

/** The trace id and span id of a W3C `traceparent`, or undefined fields when it is malformed. */
export interface ParsedTraceparent {
  readonly traceId: string | undefined;
  /** Undefined when malformed, null for the all-zero parent id ("no span"). */
  readonly spanId: string | null | undefined;
}

/**
 * Parses a W3C `traceparent` strictly: lowercase hex of the right lengths, version not `ff` (version `00` with exactly
 * four fields), trace id not all zeros; the all-zero parent id the Python framework we follow writes when it has no
 * span is read as no span. Never throws.
 */
export function parseTraceparent(value: string | undefined): ParsedTraceparent {
  const m = value === undefined ? null : TRACEPARENT_RE.exec(value.trim());
  if (m === null) return { traceId: undefined, spanId: undefined };
  const [, version, traceId, spanId, , rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined) || traceId === ZERO_TRACE_ID)
    return { traceId: undefined, spanId: undefined };
  return { traceId, spanId: spanId === NO_SPAN_ID ? null : spanId };
}

function isTraceId(id: string | null): id is string {
  return id !== null && TRACE_ID_RE.test(id) && id !== ZERO_TRACE_ID;
}

function isSpanId(id: string | null): id is string {
  return id !== null && SPAN_ID_RE.test(id) && id !== NO_SPAN_ID;
}

function lowerCaseHeaders(headers: HeaderSource): Map<string, string> {
  const out = new Map<string, string>();
  const entries: Iterable<readonly [string, unknown]> =
    Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  for (const [name, raw] of entries) {
    const value = Array.isArray(raw) ? (raw[0] as unknown) : raw;
    if (typeof value !== 'string') continue;
    const key = name.toLowerCase();
    // the first spelling wins when a source repeats a name in different cases
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

function uuidOrNull(value: string | undefined): string | null {
  const v = value?.trim().toLowerCase();
  return v !== undefined && isUuid(v) ? v : null;
}

/**
 * A portable snapshot of the trace and correlation ids, interoperable with the headers of Stageflow (Python)
 * (`traceparent` `00-<32 hex>-<16 hex>-01`, `x-correlation-id`, `x-pipeline-run-id`, `x-request-id`, `x-org-id`,
 * `x-baggage-<key>`), so a trace can pass back and forth between a TypeScript and a Python Stageflow service.
 */
export class TraceContext {
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly parentSpanId: string | null;
  readonly correlationId: string | null;
  readonly pipelineRunId: string | null;
  readonly requestId: string | null;
  readonly orgId: string | null;
  readonly baggage: Readonly<Record<string, string>>;
  /** When the snapshot was taken (RFC 3339, `+00:00`). */
  readonly createdAt: string;

  constructor(init: TraceContextInit = {}) {
    this.traceId = init.traceId ?? null;
    this.spanId = init.spanId ?? null;
    this.parentSpanId = init.parentSpanId ?? null;
    this.correlationId = init.correlationId ?? null;
    this.pipelineRunId = init.pipelineRunId ?? null;
    this.requestId = init.requestId ?? null;
    this.orgId = init.orgId ?? null;
    this.baggage = Object.freeze({ ...init.baggage });
    this.createdAt = init.createdAt ?? nowIso();
  }

  /**
   * Captures the current async context's trace, span, parent span and correlation ids; a valid recording
   * OpenTelemetry span, when one is active, supplies the trace and span ids instead.
   */
  static capture(): TraceContext {
    const state = currentTraceState();
    let traceId = state.traceId;
    let spanId = state.spanId;
    const span = trace.getSpan(activeOtelContext());
    if (span?.isRecording() && isSpanContextValid(span.spanContext())) {
      traceId = span.spanContext().traceId;
      spanId = span.spanContext().spanId;
    }
    return new TraceContext({ traceId, spanId, parentSpanId: state.parentSpanId, correlationId: state.correlationId });
  }

  /**
   * Parses incoming headers, matching names case-insensitively; a malformed `traceparent` leaves trace and span null,
   * invalid UUID headers are skipped, `x-baggage-<key>` entries (keys lowercased) become baggage. Never throws.
   */
  static fromHeaders(headers: HeaderSource): TraceContext {
    const h = lowerCaseHeaders(headers);
    const parsed = parseTraceparent(h.get(TRACEPARENT_HEADER));
    // null prototype: a header x-baggage-__proto__ is an ordinary entry, not a prototype assignment
    const baggage = Object.create(null) as Record<string, string>;
    for (const [name, value] of h) {
      if (name.startsWith(BAGGAGE_HEADER_PREFIX) && name.length > BAGGAGE_HEADER_PREFIX.length)
        baggage[name.slice(BAGGAGE_HEADER_PREFIX.length)] = value;
    }
    return new TraceContext({
      traceId: parsed.traceId ?? null,
      spanId: parsed.spanId ?? null,
      correlationId: uuidOrNull(h.get(CORRELATION_ID_HEADER)),
      pipelineRunId: uuidOrNull(h.get(PIPELINE_RUN_ID_HEADER)),
      requestId: uuidOrNull(h.get(REQUEST_ID_HEADER)),
      orgId: uuidOrNull(h.get(ORG_ID_HEADER)),
      baggage,
    });
  }

  /**
   * Runs `fn` with this context's non-null trace, span, parent span and correlation ids set, restoring the outer values
   * afterwards (a null field keeps the outer value, as in the Python framework we follow).
   */
  activate<R>(fn: () => R): R {
    return runWithTraceState(
      {
        traceId: this.traceId,
        spanId: this.spanId,
        parentSpanId: this.parentSpanId,
        correlationId: this.correlationId,
      },
      fn,
    );
  }

  /** Like `to_dict` in the Python framework we follow: every key, null when unset, baggage copied, `created_at` as given. */
  toDict(): TraceContextDictFull {
    return {
      trace_id: this.traceId,
      span_id: this.spanId,
      parent_span_id: this.parentSpanId,
      correlation_id: this.correlationId,
      pipeline_run_id: this.pipelineRunId,
      request_id: this.requestId,
      org_id: this.orgId,
      baggage: { ...this.baggage },
      created_at: this.createdAt,
    };
  }

  /**
   * Outgoing headers with lowercase names: `traceparent` (only for a valid trace id; the span id or 16 zeros; version
   * 00, flags 01), then each `x-*` id that is set and each baggage entry.
   */
  toHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    if (isTraceId(this.traceId))
      out[TRACEPARENT_HEADER] = `00-${this.traceId}-${isSpanId(this.spanId) ? this.spanId : NO_SPAN_ID}-01`;
    if (this.correlationId) out[CORRELATION_ID_HEADER] = this.correlationId;
    if (this.pipelineRunId) out[PIPELINE_RUN_ID_HEADER] = this.pipelineRunId;
    if (this.requestId) out[REQUEST_ID_HEADER] = this.requestId;
    if (this.orgId) out[ORG_ID_HEADER] = this.orgId;
    for (const [key, value] of Object.entries(this.baggage)) out[`${BAGGAGE_HEADER_PREFIX}${key}`] = value;
    return out;
  }
}
