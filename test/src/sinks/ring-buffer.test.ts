import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/sinks/ring-buffer.js';

describe('RingBuffer', () => {
  it('gives items back first in, first out, across wrap-around and growth', () => {
    const ring = new RingBuffer<number>(1);
    const out: number[] = [];
    let next = 0;
    // interleave pushes and shifts so the head wraps before the buffer doubles (16 -> 32 -> 64)
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 7 * round; i++) ring.push(next++);
      for (let i = 0; i < 3 * round; i++) out.push(ring.shift() as number);
    }
    expect(ring.size).toBe(next - out.length);
    while (ring.size > 0) out.push(ring.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('returns undefined when empty and stays usable', () => {
    const ring = new RingBuffer<string>(16);
    expect(ring.shift()).toBeUndefined();
    ring.push('a');
    expect(ring.size).toBe(1);
    expect(ring.shift()).toBe('a');
    expect(ring.shift()).toBeUndefined();
    expect(ring.size).toBe(0);
  });
});
