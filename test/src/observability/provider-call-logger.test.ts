import { describe, expect, it } from 'vitest';
import { withEventSink } from '../../../src/runtime/sink-registry.js';
import { EventProviderCallLogger, NIL_CALL_ID, NoOpProviderCallLogger } from '../../../src/observability/index.js';
import type { ProviderCallLogger } from '../../../src/observability/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { checkEnvelope } from '../../../src/conformance/index.js';

const RUN = 'cdd54d23-9bf9-447a-bf1a-a99f2b903336';
const REQUEST = '7a772b71-ecb4-408f-b77a-9b43612811f5';

function makeLogger(): { logger: EventProviderCallLogger; sink: CollectingEventSink } {
  const sink = new CollectingEventSink();
  return { logger: new EventProviderCallLogger({ sink }), sink };
}

describe('EventProviderCallLogger', () => {
  it('emits provider.call.started then provider.call.completed with the same call id and enrichment', () => {
    const { logger, sink } = makeLogger();
    const callId = logger.logCallStart({
      operation: 'llm',
      provider: 'openai',
      modelId: 'gpt-4o-mini',
      pipelineRunId: RUN,
      requestId: REQUEST,
      stage: 'llm',
      executionMode: 'ignored',
    });
    expect(callId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    logger.logCallEnd(callId, {
      success: true,
      latencyMs: 775.9,
      usage: { prompt_tokens: 412, completion_tokens: 96, total_tokens: 508 },
    });
    expect(sink.types).toEqual(['provider.call.started', 'provider.call.completed']);
    const identity = {
      call_id: callId,
      operation: 'llm',
      provider: 'openai',
      model_id: 'gpt-4o-mini',
      pipeline_run_id: RUN,
      request_id: REQUEST,
      stage: 'llm',
    };
    expect(sink.events[0]?.data).toEqual({ ...identity, timestamp: expect.any(String) });
    expect(sink.events[1]?.data).toEqual({
      ...identity,
      timestamp: expect.any(String),
      success: true,
      latency_ms: 775,
      usage: { prompt_tokens: 412, completion_tokens: 96, total_tokens: 508 },
    });
    expect(logger.openCalls).toBe(0);
  });

  it('emits provider.call.failed with the error message and code', () => {
    const { logger, sink } = makeLogger();
    const callId = logger.logCallStart({ operation: 'tts', provider: 'elevenlabs', modelId: 'eleven_turbo_v2' });
    logger.logCallEnd(callId, {
      success: false,
      latencyMs: 67,
      error: new Error('429 Too Many Requests'),
      errorCode: 'RATE_LIMITED',
    });
    expect(sink.events[1]?.data).toEqual({
      call_id: callId,
      operation: 'tts',
      provider: 'elevenlabs',
      model_id: 'eleven_turbo_v2',
      timestamp: expect.any(String),
      success: false,
      latency_ms: 67,
      error: '429 Too Many Requests',
      error_code: 'RATE_LIMITED',
    });
  });

  it('throws for a call id it did not issue, or one already ended', () => {
    const { logger } = makeLogger();
    expect(() => logger.logCallEnd(NIL_CALL_ID, { success: true, latencyMs: 1 })).toThrow(
      `EventProviderCallLogger: no open call with id '${NIL_CALL_ID}'`,
    );
    const id = logger.logCallStart({ operation: 'stt', provider: 'deepgram', modelId: 'nova-2' });
    logger.logCallEnd(id, { success: true, latencyMs: 1 });
    expect(() => logger.logCallEnd(id, { success: true, latencyMs: 1 })).toThrow(/no open call/);
  });

  it('resolves the sink at emit time when none is given', () => {
    const sink = new CollectingEventSink();
    const logger = new EventProviderCallLogger();
    withEventSink(sink, () =>
      logger.logCallStart({ operation: 'embedding', provider: 'openai', modelId: 'text-embedding-3-small' }),
    );
    expect(sink.types).toEqual(['provider.call.started']);
  });
});

describe('NoOpProviderCallLogger', () => {
  it('returns the all-zero UUID and records nothing', () => {
    const sink = new CollectingEventSink();
    const logger: ProviderCallLogger = new NoOpProviderCallLogger();
    const id = withEventSink(sink, () => logger.logCallStart({ operation: 'llm', provider: 'x', modelId: 'y' }));
    logger.logCallEnd(id, { success: true, latencyMs: 3 });
    expect(id).toBe('00000000-0000-0000-0000-000000000000');
    expect(sink.events).toEqual([]);
  });
});

// the Python framework's own provider-call example (its observability guide, "Usage in Stages"), call for call:
//   log_call_start(operation="chat", provider="openai", model_id="gpt-4", pipeline_run_id=ctx.pipeline_run_id)
//   log_call_end(call_id, success=True, latency_ms=..., tokens_used=response.usage.total_tokens)
//   log_call_end(call_id, success=False, latency_ms=..., error=str(e))
describe("the Python framework's documented provider-call usage", () => {
  it('is accepted as written: free-text operation, free **context and **metrics, a null model id', () => {
    const { logger, sink } = makeLogger();
    const ctx = { pipelineRunId: RUN };
    const ok = logger.logCallStart({
      operation: 'chat',
      provider: 'openai',
      modelId: 'gpt-4',
      pipelineRunId: ctx.pipelineRunId,
      context: { prompt_version: 'v3' },
    });
    logger.logCallEnd(ok, { success: true, latencyMs: 1203, metrics: { tokens_used: 412 } });
    const failed = logger.logCallStart({ operation: 'chat', provider: 'openai', modelId: null });
    logger.logCallEnd(failed, { success: false, latencyMs: 30012, error: 'Request timed out' });
    expect(sink.types).toEqual([
      'provider.call.started',
      'provider.call.completed',
      'provider.call.started',
      'provider.call.failed',
    ]);
    for (const e of sink.events) expect(checkEnvelope(e), JSON.stringify(e)).toEqual([]);
    expect(sink.events[0]?.data).toMatchObject({
      operation: 'chat',
      model_id: 'gpt-4',
      pipeline_run_id: RUN,
      context: { prompt_version: 'v3' },
    });
    expect(sink.events[1]?.data).toMatchObject({ success: true, latency_ms: 1203, metrics: { tokens_used: 412 } });
    expect(sink.events[2]?.data).toMatchObject({ model_id: null });
    expect(sink.events[3]?.data).toMatchObject({ success: false, error: 'Request timed out' });
  });

  it('validates the payloads the framework example produces, written by hand as a third-party sink would receive them', () => {
    const started = {
      call_id: '9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b',
      operation: 'chat',
      provider: 'openai',
      model_id: 'gpt-4',
      pipeline_run_id: RUN,
      timestamp: '2026-11-25T17:49:12.001234+00:00',
    };
    const { model_id: _omitted, ...withoutModel } = started;
    expect(checkEnvelope({ type: 'provider.call.started', data: started })).toEqual([]);
    expect(checkEnvelope({ type: 'provider.call.started', data: withoutModel })).toEqual([]);
    expect(
      checkEnvelope({
        type: 'provider.call.completed',
        data: { ...started, success: true, latency_ms: 1203, metrics: { tokens_used: 412 } },
      }),
    ).toEqual([]);
  });
});
