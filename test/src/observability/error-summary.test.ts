import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../src/errors.js';
import {
  PipelineCancelledError,
  StageTimeoutError,
  errorSummaryToStagesPatch,
  errorSummaryToString,
  summarizePipelineError,
} from '../../../src/pipeline/index.js';

class CircuitBreakerOpenError extends ContractError {
  constructor() {
    super('circuit_open', 'Circuit breaker open for llm/openai');
  }
}

describe('summarizePipelineError', () => {
  it('reports a TimeoutError as a retryable TIMEOUT', () => {
    const e = new Error('took too long');
    e.name = 'TimeoutError';
    expect(summarizePipelineError(e)).toEqual({
      code: 'TIMEOUT',
      type: 'Error',
      message: 'took too long',
      retryable: true,
    });
    expect(summarizePipelineError(new DOMException('signal timed out', 'TimeoutError')).code).toBe('TIMEOUT');
  });

  it('recognises a stage timeout wrapped in another error (the reference reports UNKNOWN)', () => {
    const wrapped = new Error('stage execution failed', { cause: new StageTimeoutError('llm', 50) });
    expect(summarizePipelineError(wrapped, { stage: 'llm' })).toEqual({
      code: 'TIMEOUT',
      type: 'Error',
      message: 'stage execution failed',
      retryable: true,
      stage: 'llm',
    });
  });

  it('reports an open circuit breaker by class or by message', () => {
    expect(summarizePipelineError(new CircuitBreakerOpenError())).toMatchObject({
      code: 'CIRCUIT_OPEN',
      type: 'CircuitBreakerOpenError',
      retryable: true,
    });
    expect(summarizePipelineError(new Error('the CIRCUIT BREAKER tripped')).code).toBe('CIRCUIT_OPEN');
  });

  it('reports aborts and cancellations as CANCELLED, not retryable', () => {
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(summarizePipelineError(abort)).toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(summarizePipelineError(new PipelineCancelledError('user left'))).toMatchObject({
      code: 'CANCELLED',
      type: 'PipelineCancelledError',
    });
  });

  it('checks TIMEOUT before CIRCUIT_OPEN before CANCELLED', () => {
    const both = new Error('circuit breaker', { cause: new StageTimeoutError('a', 1) });
    expect(summarizePipelineError(both).code).toBe('TIMEOUT');
    const cancelWithBreaker = new PipelineCancelledError('circuit breaker open');
    expect(summarizePipelineError(cancelWithBreaker).code).toBe('CIRCUIT_OPEN');
  });

  it('cuts the message at 500 code points, as the Python framework we follow: 600 emoji keep 500, no pair is split', () => {
    const emoji = summarizePipelineError(new Error('\u{1F600}'.repeat(600)));
    expect([...emoji.message]).toHaveLength(500);
    expect(emoji.message).toBe('\u{1F600}'.repeat(500));
    // 499 ASCII characters then a pair: the pair is the 500th code point and is kept whole
    const mixed = summarizePipelineError(new Error(`${'a'.repeat(499)}\u{1F600}tail`));
    expect(mixed.message).toBe(`${'a'.repeat(499)}\u{1F600}`);
    expect(mixed.message.charCodeAt(mixed.message.length - 1)).toBe(0xde00);
  });

  it('detects a timeout, a cancellation and an open breaker by class: a subclass with a name of its own', () => {
    class ProviderTimeout extends StageTimeoutError {
      override name = 'ProviderTimeout';
    }
    class UserCancelled extends PipelineCancelledError {
      override name = 'UserCancelled';
    }
    class MyTimeout extends Error {}
    Object.defineProperty(MyTimeout, 'name', { value: 'TimeoutError' });
    class SlowUpstream extends MyTimeout {
      override name = 'SlowUpstream';
    }
    expect(summarizePipelineError(new ProviderTimeout('llm', 50))).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(summarizePipelineError(new SlowUpstream('upstream slow')).code).toBe('TIMEOUT');
    expect(summarizePipelineError(new UserCancelled('run-1')).code).toBe('CANCELLED');
  });

  it('reports anything else as UNKNOWN and cuts the message at 500 characters', () => {
    const s = summarizePipelineError(new RangeError('x'.repeat(600)));
    expect(s).toMatchObject({ code: 'UNKNOWN', type: 'RangeError', retryable: false });
    expect(s.message).toHaveLength(500);
    expect('stage' in s).toBe(false);
    expect(summarizePipelineError('plain text')).toEqual({
      code: 'UNKNOWN',
      type: 'string',
      message: 'plain text',
      retryable: false,
    });
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(summarizePipelineError(a).code).toBe('UNKNOWN');
  });
});

describe('errorSummaryToString', () => {
  it('formats CODE: message, stripped, defaulting the code to UNKNOWN', () => {
    expect(errorSummaryToString({ code: 'TIMEOUT', message: 'slow ' })).toBe('TIMEOUT: slow');
    expect(errorSummaryToString({ message: 'x' })).toBe('UNKNOWN: x');
    expect(errorSummaryToString({})).toBe('UNKNOWN:');
  });
});

describe('errorSummaryToStagesPatch', () => {
  it('wraps the summary as {failure: {error}}', () => {
    const s = summarizePipelineError(new Error('x'));
    expect(errorSummaryToStagesPatch(s)).toEqual({ failure: { error: s } });
  });
});
