// issue 9, point 6: maps keyed by caller input keep __proto__, constructor and prototype as ordinary keys
import { describe, expect, it } from 'vitest';
import { NoOpSpan } from '../../../src/observability/index.js';
import { summarizePayload } from '../../../src/tools/payload-summary.js';

const KEYS = ['__proto__', 'constructor', 'prototype'];

describe('input-keyed maps outside validate and replay', () => {
  it('summarizePayload keeps a __proto__ key of a tool payload as a key', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":1},"constructor":"c","prototype":"p","q":"x"}') as Record<
      string,
      unknown
    >;
    const out = summarizePayload(payload);
    expect(Object.keys(out).sort()).toEqual([...KEYS, 'q'].sort());
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(out))).toEqual(payload);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('NoOpSpan keeps a __proto__ attribute as an attribute', () => {
    const span = new NoOpSpan('x', JSON.parse('{"__proto__":"a","constructor":"b"}') as Record<string, string>);
    span.setAttribute('prototype', 'c');
    expect(Object.keys(span.attributes).sort()).toEqual(KEYS.sort());
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
  });
});
