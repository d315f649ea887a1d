import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakerOpenError } from '../../../src/observability/index.js';
import type { CircuitBreakerOptions } from '../../../src/observability/index.js';
import { ContractError } from '../../../src/errors.js';

function makeBreaker(options: CircuitBreakerOptions = {}): { breaker: CircuitBreaker; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { breaker: new CircuitBreaker({ now: () => clock.t, ...options }), clock };
}

describe('CircuitBreaker', () => {
  it('starts closed and admits calls', () => {
    const { breaker } = makeBreaker();
    expect(breaker.state('llm')).toBe('closed');
    expect(breaker.tryAcquire('llm')).toBe(true);
  });

  it('opens after the default 5 failures, each counted once, and short-circuits', () => {
    const { breaker } = makeBreaker();
    for (let i = 0; i < 4; i++) breaker.recordFailure('llm', 'boom');
    expect(breaker.failureCount('llm')).toBe(4);
    expect(breaker.state('llm')).toBe('closed');
    breaker.recordFailure('llm', 'boom');
    expect(breaker.state('llm')).toBe('open');
    expect(breaker.tryAcquire('llm')).toBe(false);
    expect(breaker.lastFailureReason('llm')).toBe('boom');
  });

  it('stays open across repeated short-circuits (the reference reset itself after one)', () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 2 });
    breaker.recordFailure('s');
    breaker.recordFailure('s');
    for (let i = 0; i < 10; i++) {
      clock.t += 1000;
      expect(breaker.tryAcquire('s')).toBe(false);
    }
    expect(breaker.state('s')).toBe('open');
  });

  it('goes half-open after the reset time and admits a limited number of probes', () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 1, resetTimeoutMs: 30_000, halfOpenMaxProbes: 2 });
    breaker.recordFailure('s');
    clock.t += 29_999;
    expect(breaker.state('s')).toBe('open');
    clock.t += 2;
    expect(breaker.state('s')).toBe('half_open');
    expect(breaker.tryAcquire('s')).toBe(true);
    expect(breaker.tryAcquire('s')).toBe(true);
    expect(breaker.tryAcquire('s')).toBe(false);
  });

  it('admits no probe at exactly the reset time, only once it has passed, as the Python framework we follow', () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 1, resetTimeoutMs: 1000 });
    breaker.recordFailure('s');
    clock.t += 1000;
    expect(breaker.tryAcquire('s')).toBe(false);
    expect(breaker.state('s')).toBe('open');
    clock.t += 1;
    expect(breaker.tryAcquire('s')).toBe(true);
  });

  it('closes when a probe succeeds', () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 1, resetTimeoutMs: 10 });
    breaker.recordFailure('s');
    clock.t += 11;
    expect(breaker.tryAcquire('s')).toBe(true);
    breaker.recordSuccess('s');
    expect(breaker.state('s')).toBe('closed');
    expect(breaker.failureCount('s')).toBe(0);
    expect(breaker.tryAcquire('s')).toBe(true);
  });

  it('reopens for a full reset period when a probe fails', () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 3, resetTimeoutMs: 100 });
    for (let i = 0; i < 3; i++) breaker.recordFailure('s');
    clock.t += 101;
    expect(breaker.tryAcquire('s')).toBe(true);
    breaker.recordFailure('s');
    expect(breaker.state('s')).toBe('open');
    clock.t += 100;
    expect(breaker.tryAcquire('s')).toBe(false);
    clock.t += 1;
    expect(breaker.state('s')).toBe('half_open');
  });

  it('resets the failure count on success while closed', () => {
    const { breaker } = makeBreaker({ failureThreshold: 3 });
    breaker.recordFailure('s');
    breaker.recordFailure('s');
    breaker.recordSuccess('s');
    breaker.recordFailure('s');
    breaker.recordFailure('s');
    expect(breaker.state('s')).toBe('closed');
  });

  it('keeps keys independent and its state for as long as the instance lives', () => {
    const { breaker } = makeBreaker({ failureThreshold: 1 });
    breaker.recordFailure('a');
    expect(breaker.state('a')).toBe('open');
    expect(breaker.state('b')).toBe('closed');
    breaker.reset('a');
    expect(breaker.state('a')).toBe('closed');
  });

  it('implements the reference isOpen protocol keyed by operation/provider', async () => {
    const { breaker, clock } = makeBreaker({ failureThreshold: 1, resetTimeoutMs: 5 });
    expect(await breaker.isOpen({ operation: 'llm', provider: 'openai' })).toBe(false);
    breaker.recordFailure('llm/openai', 'timeout');
    expect(await breaker.isOpen({ operation: 'llm', provider: 'openai' })).toBe(true);
    expect(await breaker.isOpen({ operation: 'llm', provider: 'anthropic' })).toBe(false);
    clock.t += 6;
    expect(await breaker.isOpen({ operation: 'llm', provider: 'openai' })).toBe(false);
    expect(await breaker.isOpen({ operation: 'llm', provider: 'openai' })).toBe(true);
  });

  it('uses a real clock and the documented defaults when none are given', () => {
    const breaker = new CircuitBreaker();
    expect([breaker.failureThreshold, breaker.resetTimeoutMs, breaker.halfOpenMaxProbes]).toEqual([5, 30_000, 1]);
  });

  it('rejects a zero threshold', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(ContractError);
  });
});

describe('CircuitBreakerOpenError', () => {
  it('names the operation and provider in the reference message', () => {
    const error = new CircuitBreakerOpenError('llm', 'openai');
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({
      code: 'circuit_open',
      operation: 'llm',
      provider: 'openai',
      message: 'Circuit breaker open for llm/openai',
      name: 'CircuitBreakerOpenError',
    });
  });
});
