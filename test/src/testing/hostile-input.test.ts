// issue 9, points 6 and 7 for the testing entry points: the matcher and expectEmitted
import { describe, expect, it } from 'vitest';
import { CollectingEventSink } from '../../../src/sinks/index.js';
import { expectEmitted, expectNotEmitted } from '../../../src/testing/expect-emitted.js';
import { installEventContractMatcher, toMatchEventContract } from '../../../src/testing/event-contract-matcher.js';
import { TOOL_INVOKED } from '../../helpers/payloads.js';

installEventContractMatcher();
const HOSTILE = ['__proto__', 'constructor', 'prototype'];

describe('the contract matcher against hostile input', () => {
  it('treats __proto__, constructor and prototype as unknown types, as envelope type and as the expected type', () => {
    for (const t of HOSTILE) {
      expect({ type: t, data: {} }).not.toMatchEventContract();
      expect(toMatchEventContract({ type: t, data: {} }).message()).toContain(`no schema claims event type '${t}'`);
      expect(toMatchEventContract(TOOL_INVOKED, t).message()).toContain(`no schema claims event type '${t}'`);
      expect({ type: 'tool.invoked', data: TOOL_INVOKED }).not.toMatchEventContract(t);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('reports __proto__, constructor and prototype keys as extra keys, and leaves Object.prototype alone', () => {
    const data = JSON.parse(
      `{${JSON.stringify(TOOL_INVOKED).slice(1, -1)},"__proto__":{"polluted":1},"constructor":1,"prototype":2}`,
    ) as unknown;
    const message = toMatchEventContract(data, 'tool.invoked').message();
    for (const k of HOSTILE) expect(message).toContain(`must NOT have additional properties: '${k}'`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(TOOL_INVOKED).toMatchEventContract('tool.invoked');
  });

  it('describes a value nested 100,000 levels deep in a bounded message instead of overflowing the stack', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const result = toMatchEventContract({ ...TOOL_INVOKED, tool_name: deep }, 'tool.invoked');
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('(expected string, got array [[[[');
    expect(result.message().length).toBeLessThan(1000);
  });

  it('describes a value with a throwing getter instead of throwing', () => {
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    const result = toMatchEventContract({ ...TOOL_INVOKED, tool_name: hostile }, 'tool.invoked');
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('expected string');
  });
});

describe('expectEmitted against hostile keys', () => {
  it('matches constructor, toString and __proto__ as own keys only', () => {
    const sink = new CollectingEventSink();
    sink.tryEmit({ type: 'x.y', data: { a: 1 } });
    // absent keys expected as undefined match, whatever Object.prototype holds under that name
    expect(expectEmitted(sink, 'x.y', { constructor: undefined, toString: undefined }).data).toEqual({ a: 1 });
    expect(() => expectNotEmitted(sink, 'x.y', { constructor: undefined })).toThrow(/expected no event 'x.y'/);
    expect(() => expectEmitted(sink, 'x.y', JSON.parse('{"__proto__":{"a":1}}'))).toThrow(/expected an event/);
    sink.tryEmit({ type: 'x.y', data: JSON.parse('{"__proto__":{"a":1}}') });
    expect(expectEmitted(sink, 'x.y', JSON.parse('{"__proto__":{"a":1}}'))).toBeDefined();
  });
});
