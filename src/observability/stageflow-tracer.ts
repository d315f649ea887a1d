import {
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { AttributeValue, Attributes, Span } from '@opentelemetry/api';
import { currentTraceState, runWithTraceState } from './correlation.js';
import { activeOtelContext, runInOtelContext } from './otel-context.js';
import { TraceContext } from './trace-context.js';
import type { HeaderSource } from './trace-context.js';

/** A span's outcome. */
export type StageflowSpanStatus = 'unset' | 'ok' | 'error';

/** One event recorded on a {@link NoOpSpan}. */
export interface RecordedSpanEvent {
  readonly name: string;
  readonly attributes: Attributes;
}

/** What {@link StageflowTracer.startSpan} hands to its callback: an OpenTelemetry span or a {@link NoOpSpan}. */
export interface StageflowSpan {
  setAttribute(key: string, value: AttributeValue): this;
  setAttributes(attributes: Attributes): this;
  addEvent(name: string, attributes?: Attributes): this;
  setStatus(status: StageflowSpanStatus, description?: string): this;
  /** Adds an `exception` event with `exception.type` and `exception.message`. */
  recordException(error: unknown): this;
  isRecording(): boolean;
  /** The span's trace and span ids (lowercase hex), or undefined for a no-op span. */
  getSpanContext(): { readonly traceId: string; readonly spanId: string } | undefined;
}

function exceptionAttributes(error: unknown): Attributes {
  return error instanceof Error
    ? { 'exception.type': error.constructor.name || error.name, 'exception.message': error.message }
    : { 'exception.type': typeof error, 'exception.message': String(error) };
}

/**
 * The span used when no OpenTelemetry SDK is registered: it records attributes and events in memory (status as the
 * attributes `_status` and `_status_description`, exceptions as `exception` events) and never reports recording.
 */
export class NoOpSpan implements StageflowSpan {
  readonly name: string;
  /** Attributes set so far. */
  readonly attributes: Record<string, AttributeValue> = {};
  /** Events added so far, oldest first. */
  readonly events: RecordedSpanEvent[] = [];

  constructor(name: string, attributes: Attributes = {}) {
    this.name = name;
    this.setAttributes(attributes);
  }

  setAttribute(key: string, value: AttributeValue): this {
    // defined, not assigned: a key named __proto__ stays an attribute instead of replacing the prototype
    Object.defineProperty(this.attributes, key, { value, enumerable: true, writable: true, configurable: true });
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) this.setAttribute(key, value);
    return this;
  }

  addEvent(name: string, attributes: Attributes = {}): this {
    this.events.push({ name, attributes });
    return this;
  }

  setStatus(status: StageflowSpanStatus, description?: string): this {
    this.attributes._status = status;
    if (description !== undefined) this.attributes._status_description = description;
    return this;
  }

  recordException(error: unknown): this {
    return this.addEvent('exception', exceptionAttributes(error));
  }

  isRecording(): boolean {
    return false;
  }

  getSpanContext(): undefined {
    return undefined;
  }
}

class OtelSpan implements StageflowSpan {
  private readonly _span: Span;
  constructor(span: Span) {
    this._span = span;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this._span.setAttribute(key, value);
    return this;
  }
  setAttributes(attributes: Attributes): this {
    this._span.setAttributes(attributes);
    return this;
  }
  addEvent(name: string, attributes?: Attributes): this {
    this._span.addEvent(name, attributes);
    return this;
  }
  setStatus(status: StageflowSpanStatus, description?: string): this {
    const code = status === 'ok' ? SpanStatusCode.OK : status === 'error' ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
    this._span.setStatus(description === undefined ? { code } : { code, message: description });
    return this;
  }
  recordException(error: unknown): this {
    this._span.recordException(error instanceof Error ? error : String(error));
    return this;
  }
  isRecording(): boolean {
    return this._span.isRecording();
  }
  getSpanContext(): { traceId: string; spanId: string } {
    const { traceId, spanId } = this._span.spanContext();
    return { traceId, spanId };
  }
}

/** Options of {@link StageflowTracer.startSpan}. */
export interface StartSpanOptions {
  /** Default `SpanKind.INTERNAL`. */
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A thin tracer over `@opentelemetry/api`: real spans when an SDK is registered (parented on the innermost span, or
 * on the remote span of an activated {@link TraceContext}), a {@link NoOpSpan} otherwise; while a span runs, the
 * correlation helpers report its trace, span and parent span ids.
 */
export class StageflowTracer {
  /** The instrumentation scope name given to OpenTelemetry. */
  readonly name: string;

  constructor(name = 'stageflow') {
    this.name = name;
  }

  /** Whether a real OpenTelemetry tracer provider is registered globally. */
  get isEnabled(): boolean {
    const provider = trace.getTracerProvider();
    const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
    return delegate.constructor.name !== 'NoopTracerProvider';
  }

  /**
   * Runs `fn` inside a new span and ends it when `fn` returns or its promise settles; a throw or rejection is recorded
   * on the span with status error and rethrown.
   */
  startSpan<R>(name: string, fn: (span: StageflowSpan) => R, options: StartSpanOptions = {}): R {
    let parent = activeOtelContext();
    const state = currentTraceState();
    let parentSpan = trace.getSpan(parent)?.spanContext();
    if (
      (parentSpan === undefined || !isSpanContextValid(parentSpan)) &&
      state.traceId !== null &&
      state.spanId !== null
    ) {
      // continue a trace that arrived through headers: its span is our remote parent
      const remote = { traceId: state.traceId, spanId: state.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
      if (isSpanContextValid(remote)) {
        parent = trace.setSpanContext(parent, remote);
        parentSpan = remote;
      }
    }
    const otelSpan = trace.getTracer(this.name).startSpan(
      name,
      {
        kind: options.kind ?? SpanKind.INTERNAL,
        ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      },
      parent,
    );
    const sc = otelSpan.spanContext();
    if (!isSpanContextValid(sc)) {
      otelSpan.end();
      return this._run(new NoOpSpan(name, options.attributes), fn, () => undefined);
    }
    const span = new OtelSpan(otelSpan);
    const ctx = trace.setSpan(parent, otelSpan);
    const parentSpanId = parentSpan !== undefined && isSpanContextValid(parentSpan) ? parentSpan.spanId : null;
    return runInOtelContext(ctx, () =>
      runWithTraceState({ traceId: sc.traceId, spanId: sc.spanId, parentSpanId }, () =>
        this._run(span, fn, () => otelSpan.end()),
      ),
    );
  }

  /** Writes the current trace headers into `carrier`: OpenTelemetry's propagator first, then {@link TraceContext} headers over it. */
  injectContext(carrier: Record<string, string>): Record<string, string> {
    propagation.inject(activeOtelContext(), carrier);
    return Object.assign(carrier, TraceContext.capture().toHeaders());
  }

  /** Reads trace headers; the same as {@link TraceContext.fromHeaders}. */
  extractContext(carrier: HeaderSource): TraceContext {
    return TraceContext.fromHeaders(carrier);
  }

  private _run<R>(span: StageflowSpan, fn: (span: StageflowSpan) => R, end: () => void): R {
    const fail = (error: unknown): void => {
      span.recordException(error);
      span.setStatus('error', error instanceof Error ? error.message : String(error));
    };
    let result: R;
    try {
      result = fn(span);
    } catch (error) {
      fail(error);
      end();
      throw error;
    }
    if (!isThenable(result)) {
      end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        end();
        return value;
      },
      (error: unknown) => {
        fail(error);
        end();
        throw error;
      },
    ) as R;
  }
}
