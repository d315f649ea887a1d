import { describe, expect, it } from 'vitest';
import { BackpressureMonitor } from '../../../src/streaming/index.js';

describe('BackpressureMonitor', () => {
  it('counts puts and tracks the largest queue size', () => {
    const monitor = new BackpressureMonitor();
    monitor.recordPut(3, 10);
    monitor.recordPut(7, 10);
    monitor.recordPut(5, 10);
    expect(monitor.stats()).toMatchObject({ total_items: 3, max_queue_size: 7 });
  });

  it('starts throttling at the high mark, keeps it at 30 and stops at the low mark', () => {
    const monitor = new BackpressureMonitor();
    expect(monitor.recordPut(85, 100)).toBe('started');
    expect(monitor.isThrottling).toBe(true);
    expect(monitor.recordPut(30, 100)).toBeUndefined();
    expect(monitor.isThrottling).toBe(true);
    expect(monitor.recordPut(15, 100)).toBe('ended');
    expect(monitor.isThrottling).toBe(false);
  });

  it('records blocked puts and drops, with drop_rate as a 0-1 ratio', () => {
    const monitor = new BackpressureMonitor();
    for (let i = 0; i < 4; i++) monitor.recordPut(1, 10);
    monitor.recordBlocked(2.5);
    monitor.recordBlocked(0.75);
    monitor.recordDrop();
    expect(monitor.stats()).toEqual({
      total_items: 4,
      dropped_items: 1,
      blocked_puts: 2,
      max_queue_size: 1,
      total_blocked_ms: 3.25,
      drop_rate: 0.25,
    });
  });

  it('reports a zero drop rate before any put', () => {
    expect(new BackpressureMonitor().stats().drop_rate).toBe(0);
  });

  it('maps threshold to the high mark and lowers the low mark to at most half of it', () => {
    const monitor = new BackpressureMonitor({ threshold: 0.3 });
    expect(monitor.highWaterMark).toBeCloseTo(30);
    expect(monitor.lowWaterMark).toBeCloseTo(15);
    expect(new BackpressureMonitor({ threshold: 0.9 }).lowWaterMark).toBe(20);
  });
});
