import { afterEach, describe, expect, it } from 'vitest';
import { ChildRunTracker, clearChildTracker, getChildTracker, setChildTracker } from '../../../src/pipeline/index.js';

const KEYS = [
  'registration_count',
  'unregistration_count',
  'lookup_count',
  'tree_traversal_count',
  'cleanup_count',
  'max_concurrent_children',
  'max_depth_seen',
  'active_parents',
  'active_children',
  'total_relationships',
];

describe('ChildRunTracker', () => {
  afterEach(() => clearChildTracker());

  it('starts with the 10 counters at zero', () => {
    const m = new ChildRunTracker().getMetrics();
    expect(Object.keys(m).sort()).toEqual([...KEYS].sort());
    expect(Object.values(m).every((v) => v === 0)).toBe(true);
  });

  it('counts a registration and the live relationship', () => {
    const t = new ChildRunTracker();
    t.registerChild('p', 'c');
    expect(t.getMetrics()).toMatchObject({
      registration_count: 1,
      active_parents: 1,
      active_children: 1,
      total_relationships: 1,
    });
  });

  it('records the most children seen under one parent', () => {
    const t = new ChildRunTracker();
    for (const c of ['a', 'b', 'c']) t.registerChild('p', c);
    t.registerChild('q', 'd');
    expect(t.getMetrics().max_concurrent_children).toBe(3);
  });

  it('drops relationships on unregister and counts unregistering an unknown child', () => {
    const t = new ChildRunTracker();
    t.registerChild('p', 'c');
    t.unregisterChild('p', 'c');
    t.unregisterChild('p', 'never');
    expect(t.getMetrics()).toMatchObject({
      unregistration_count: 2,
      active_parents: 0,
      active_children: 0,
      total_relationships: 0,
    });
  });

  it('counts lookups, traversals and the depth walked to the root', () => {
    const t = new ChildRunTracker();
    t.registerChild('root', 'c1');
    t.registerChild('c1', 'c2');
    t.registerChild('c2', 'c3');
    expect(t.getChildren('root')).toEqual(new Set(['c1']));
    expect(t.getParent('c1')).toBe('root');
    expect(t.getMetrics().lookup_count).toBe(2);
    expect(t.getAllDescendants('c1')).toEqual(['c2', 'c3']);
    expect(t.getMetrics().tree_traversal_count).toBe(1);
    expect(t.getRootRun('c3')).toBe('root');
    expect(t.getMetrics().max_depth_seen).toBe(3);
  });

  it('leaves no stale child entries after cleanupRun (the reference keeps them)', () => {
    const t = new ChildRunTracker();
    t.registerChild('p', 'c1');
    t.registerChild('p', 'c2');
    t.cleanupRun('p');
    expect(t.getMetrics()).toMatchObject({
      cleanup_count: 1,
      active_parents: 0,
      active_children: 0,
      total_relationships: 0,
    });
    expect(t.getParent('c1')).toBeUndefined();
  });

  it('keeps relationships when the counters are reset', () => {
    const t = new ChildRunTracker();
    t.registerChild('p', 'c');
    t.getChildren('p');
    t.resetMetrics();
    expect(t.getMetrics()).toMatchObject({
      registration_count: 0,
      lookup_count: 0,
      max_concurrent_children: 0,
      active_children: 1,
    });
  });

  it('counts 10 concurrent registrations', async () => {
    const t = new ChildRunTracker();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => Promise.resolve().then(() => t.registerChild('p', `c${i}`))),
    );
    expect(t.getMetrics()).toMatchObject({ registration_count: 10, active_children: 10 });
  });

  it('has a process-wide instance that can be replaced and cleared', () => {
    const first = getChildTracker();
    expect(getChildTracker()).toBe(first);
    const mine = new ChildRunTracker();
    setChildTracker(mine);
    expect(getChildTracker()).toBe(mine);
    clearChildTracker();
    expect(getChildTracker()).not.toBe(mine);
  });
});
