import { describe, expect, it } from 'vitest';
import { withEventSink } from '../../../src/runtime/sink-registry.js';
import { EventProviderCallLogger, NIL_CALL_ID, NoOpProviderCallLogger } from '../../../src/observability/index.js';
import type { ProviderCallLogger } from '../../../src/observability/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';

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
