// The Python framework's own observability guide (the document this product was created from) shows payloads its
// users see; each is accepted as written. Its "..." placeholders for ids are filled with real UUIDs.
import { describe, expect, it } from 'vitest';
import { checkEnvelope } from '../../src/conformance/index.js';

const ID = 'cdd54d23-9bf9-447a-bf1a-a99f2b903336';

describe("the Python framework guide's example payloads", () => {
  it('accepts its stage.llm.completed example, which omits session_id, org_id and service', () => {
    const event = {
      type: 'stage.llm.completed',
      data: {
        stage: 'llm',
        status: 'completed',
        timestamp: '2024-01-15T10:30:00Z',
        topology: 'chat_fast',
        execution_mode: 'practice',
        duration_ms: 1250,
        pipeline_run_id: ID,
        request_id: ID,
        user_id: ID,
      },
    };
    expect(checkEnvelope(event)).toEqual([]);
  });

  it('accepts its provider-call example: operation "chat", tokens_used as a free metric', () => {
    const started = {
      call_id: '9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b',
      operation: 'chat',
      provider: 'openai',
      model_id: 'gpt-4',
      pipeline_run_id: ID,
      timestamp: '2024-01-15T10:30:00Z',
    };
    expect(checkEnvelope({ type: 'provider.call.started', data: started })).toEqual([]);
    expect(
      checkEnvelope({
        type: 'provider.call.completed',
        data: { ...started, success: true, latency_ms: 812, metrics: { tokens_used: 512 } },
      }),
    ).toEqual([]);
    expect(
      checkEnvelope({
        type: 'provider.call.failed',
        data: { ...started, model_id: null, success: false, latency_ms: 812, error: 'rate limited' },
      }),
    ).toEqual([]);
  });
});
