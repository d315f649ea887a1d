import { describe, expect, it } from 'vitest';
import {
  CORRELATION_ID_HEADER,
  TRACEPARENT_HEADER,
  TraceContext,
  getCorrelationId,
  getTraceContextDict,
  parseTraceparent,
  setCorrelationId,
} from '../../../src/observability/index.js';
import { sampleRecords } from '../../helpers/reference-sample.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const CORR = '18d3ff22-b15a-48dd-b9fe-b69c0653e440';
const RUN = '1bfbf018-efa7-4a3e-b017-aa9842760153';
const OTHER = 'a0142059-04bd-400b-a95e-0aa81feabda2';

describe('TraceContext', () => {
  it('round-trips every reference to_headers record through fromHeaders and toHeaders', async () => {
    const records = (await sampleRecords('x-record.trace_context.to_headers')) as Array<Record<string, string>>;
    expect(records).toHaveLength(3);
    for (const headers of records) expect(TraceContext.fromHeaders(headers).toHeaders()).toEqual(headers);
  });

  it('reproduces the reference to_dict records', async () => {
    const records = (await sampleRecords('x-record.trace_context.to_dict')) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(3);
    for (const expected of records) {
      const baggage = expected.baggage as Record<string, string>;
      const ctx = new TraceContext({
        traceId: expected.trace_id as string | null,
        spanId: expected.span_id as string | null,
        parentSpanId: expected.parent_span_id as string | null,
        correlationId: expected.correlation_id as string | null,
        pipelineRunId: expected.pipeline_run_id as string | null,
        requestId: expected.request_id as string | null,
        orgId: expected.org_id as string | null,
        baggage,
        createdAt: expected.created_at as string,
      });
      expect(ctx.toDict()).toEqual(expected);
    }
  });

  it('parses a full set of headers', () => {
    const ctx = TraceContext.fromHeaders({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      'x-correlation-id': CORR,
      'x-pipeline-run-id': RUN,
      'x-request-id': OTHER,
      'x-org-id': OTHER,
      'x-baggage-user': 'alice',
    });
    expect(ctx.toDict()).toMatchObject({
      trace_id: TRACE,
      span_id: SPAN,
      parent_span_id: null,
      correlation_id: CORR,
      pipeline_run_id: RUN,
      request_id: OTHER,
      org_id: OTHER,
      baggage: { user: 'alice' },
    });
  });

  it('writes traceparent, the x-* ids and x-baggage-<key>', () => {
    const headers = new TraceContext({
      traceId: TRACE,
      spanId: SPAN,
      correlationId: CORR,
      pipelineRunId: RUN,
      baggage: { user: 'alice' },
    }).toHeaders();
    expect(headers).toEqual({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      'x-correlation-id': CORR,
      'x-pipeline-run-id': RUN,
      'x-baggage-user': 'alice',
    });
  });

  it('reads header names case-insensitively, from records, fetch Headers and pairs', () => {
    const byRecord = TraceContext.fromHeaders({
      TraceParent: `00-${TRACE}-${SPAN}-01`,
      'X-Correlation-ID': CORR,
      'X-Baggage-Tenant': 'acme',
    });
    expect(byRecord.toDict()).toMatchObject({
      trace_id: TRACE,
      span_id: SPAN,
      correlation_id: CORR,
      baggage: { tenant: 'acme' },
    });
    const byHeaders = TraceContext.fromHeaders(new Headers({ 'X-Correlation-Id': CORR }));
    expect(byHeaders.correlationId).toBe(CORR);
    const byPairs = TraceContext.fromHeaders([['X-PIPELINE-RUN-ID', RUN]]);
    expect(byPairs.pipelineRunId).toBe(RUN);
    const byArray = TraceContext.fromHeaders({ 'x-request-id': [OTHER, CORR] });
    expect(byArray.requestId).toBe(OTHER);
  });

  it('reads the all-zero parent id as no span and writes it back the same way, keeping the trace id', () => {
    const header = `00-${TRACE}-0000000000000000-01`;
    const ctx = TraceContext.fromHeaders({ traceparent: header });
    expect(ctx.traceId).toBe(TRACE);
    expect(ctx.spanId).toBeNull();
    expect(ctx.toHeaders()).toEqual({ traceparent: header });
  });

  it.each([
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a short span id', `00-${TRACE}-${SPAN.slice(1)}-01`],
    ['non-hex characters', `00-${TRACE.slice(0, 31)}g-${SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['the forbidden version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['too few parts', `00-${TRACE}`],
    ['garbage', 'not a traceparent'],
  ])('ignores a traceparent with %s without throwing', (_label, value) => {
    const ctx = TraceContext.fromHeaders({ traceparent: value, 'x-correlation-id': CORR });
    expect(ctx.traceId).toBeNull();
    expect(ctx.spanId).toBeNull();
    expect(ctx.correlationId).toBe(CORR);
    expect(ctx.toHeaders()[TRACEPARENT_HEADER]).toBeUndefined();
  });

  it('never writes an all-zero trace id, whatever the context was built from', () => {
    const ctx = new TraceContext({ traceId: '0'.repeat(32), spanId: SPAN, correlationId: CORR });
    expect(ctx.toHeaders()[TRACEPARENT_HEADER]).toBeUndefined();
    expect(ctx.toHeaders()).toEqual({ 'x-correlation-id': CORR });
  });

  it('keeps x-baggage-__proto__, -constructor and -prototype as ordinary baggage entries', () => {
    const headers = { 'x-baggage-__proto__': 'a', 'x-baggage-constructor': 'b', 'x-baggage-prototype': 'c' };
    const ctx = TraceContext.fromHeaders(headers);
    expect(Object.keys(ctx.baggage).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getOwnPropertyDescriptor(ctx.baggage, '__proto__')?.value).toBe('a');
    expect(ctx.toHeaders()).toEqual(headers);
    expect(TraceContext.fromHeaders(ctx.toHeaders()).toDict().baggage).toEqual(ctx.toDict().baggage);
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`)).toEqual({ traceId: TRACE, spanId: SPAN });
  });

  it('skips invalid UUID headers and lowercases valid ones', () => {
    const ctx = TraceContext.fromHeaders({ 'x-correlation-id': 'nope', 'x-org-id': CORR.toUpperCase() });
    expect(ctx.correlationId).toBeNull();
    expect(ctx.orgId).toBe(CORR);
    expect(ctx.toHeaders()).toEqual({ 'x-org-id': CORR });
  });

  it('does not write an invalid trace id it was constructed with', () => {
    expect(new TraceContext({ traceId: 'abc', correlationId: CORR }).toHeaders()).toEqual({
      [CORRELATION_ID_HEADER]: CORR,
    });
  });

  it('captures the correlation id of the current context', () =>
    new TraceContext().activate(async () => {
      setCorrelationId(CORR);
      expect(TraceContext.capture().correlationId).toBe(CORR);
    }));

  it('activates its ids and restores the outer ones, nested', () => {
    const outer = new TraceContext({ correlationId: CORR, traceId: TRACE, spanId: SPAN });
    const inner = new TraceContext({ correlationId: OTHER });
    outer.activate(() => {
      expect(getCorrelationId()).toBe(CORR);
      inner.activate(() => {
        expect(getCorrelationId()).toBe(OTHER);
        // a null field keeps the outer value
        expect(getTraceContextDict().trace_id).toBe(TRACE);
      });
      expect(getCorrelationId()).toBe(CORR);
    });
    expect(getCorrelationId()).toBeNull();
  });

  it('keeps the outer correlation id when activating a context without one', () => {
    new TraceContext({ correlationId: CORR }).activate(() => {
      new TraceContext({ traceId: TRACE }).activate(() => expect(getCorrelationId()).toBe(CORR));
    });
  });

  it('round-trips trace, span and correlation id through headers', () => {
    const original = new TraceContext({ traceId: TRACE, spanId: SPAN, correlationId: CORR });
    const back = TraceContext.fromHeaders(original.toHeaders());
    expect([back.traceId, back.spanId, back.correlationId]).toEqual([TRACE, SPAN, CORR]);
  });
});
