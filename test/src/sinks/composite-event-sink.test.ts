import { describe, expect, it, vi } from 'vitest';
import {
  CollectingEventSink,
  CompositeEventSink,
  FilteringEventSink,
  typeGlobMatcher,
} from '../../../src/sinks/index.js';
import type { EventSink } from '../../../src/sinks/index.js';

const broken: EventSink = {
  emit: () => Promise.reject(new Error('rejects')),
  tryEmit: () => {
    throw new Error('throws');
  },
  shutdown: () => Promise.reject(new Error('shutdown fails')),
};

describe('CompositeEventSink', () => {
  it('fans each event out to every sink in order', async () => {
    const a = new CollectingEventSink();
    const b = new CollectingEventSink();
    const sink = new CompositeEventSink([a, b]);
    sink.tryEmit({ type: 'a.one' });
    await sink.emit({ type: 'a.two' });
    expect(a.types).toEqual(['a.one', 'a.two']);
    expect(b.types).toEqual(['a.one', 'a.two']);
  });

  it('keeps delivering to the others when one sink throws or rejects, and reports each failure', async () => {
    const onError = vi.fn();
    const after = new CollectingEventSink();
    const sink = new CompositeEventSink([broken, after], { onError });
    expect(() => sink.tryEmit({ type: 'a.one' })).not.toThrow();
    await expect(sink.emit({ type: 'a.two' })).resolves.toBeUndefined();
    await expect(sink.shutdown()).resolves.toBeUndefined();
    expect(after.types).toEqual(['a.one', 'a.two']);
    expect(onError.mock.calls.map((c) => (c[0] as Error).message)).toEqual(['throws', 'rejects', 'shutdown fails']);
    expect(onError.mock.calls[0]?.[2]).toBe(broken);
  });
});

describe('FilteringEventSink', () => {
  it('passes only types matching include globs and none of the exclude globs', async () => {
    const down = new CollectingEventSink();
    const sink = new FilteringEventSink(down, { include: ['stage.*', 'tool.completed'], exclude: 'stage.*.skipped' });
    for (const type of ['stage.llm.started', 'stage.llm.skipped', 'tool.completed', 'tool.failed', 'stage.completed'])
      sink.tryEmit({ type });
    await sink.emit({ type: 'tool.completed' });
    expect(down.types).toEqual(['stage.llm.started', 'tool.completed', 'stage.completed', 'tool.completed']);
  });
});

describe('typeGlobMatcher', () => {
  it('matches exact types, and * across dots', () => {
    const m = typeGlobMatcher(['tool.completed', 'stage.*.failed']);
    expect(['tool.completed', 'stage.a.b.failed', 'stage.x.failed', 'tool.completedx', 'stage.failed'].map(m)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
