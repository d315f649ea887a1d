/** The 10 counters of {@link ChildRunTracker.getMetrics}. */
export interface ChildRunTrackerMetrics {
  readonly registration_count: number;
  readonly unregistration_count: number;
  readonly lookup_count: number;
  readonly tree_traversal_count: number;
  readonly cleanup_count: number;
  readonly max_concurrent_children: number;
  readonly max_depth_seen: number;
  readonly active_parents: number;
  readonly active_children: number;
  readonly total_relationships: number;
}

/**
 * Tracks parent → child run relationships of subpipelines and counts what is done with them. Unlike the Python
 * framework we follow, `cleanupRun` also drops the child → parent entries of the run's children, so `active_children`
 * never goes stale, and `total_relationships` is the number of live relationships (cleanup lowers it).
 */
export class ChildRunTracker {
  private readonly _children = new Map<string, Set<string>>();
  private readonly _parents = new Map<string, string>();
  private _registrations = 0;
  private _unregistrations = 0;
  private _lookups = 0;
  private _traversals = 0;
  private _cleanups = 0;
  private _maxConcurrent = 0;
  private _maxDepth = 0;

  /** Records that `child` runs under `parent`. */
  registerChild(parent: string, child: string): void {
    let set = this._children.get(parent);
    if (set === undefined) this._children.set(parent, (set = new Set()));
    set.add(child);
    this._parents.set(child, parent);
    this._registrations += 1;
    if (set.size > this._maxConcurrent) this._maxConcurrent = set.size;
  }

  /** Forgets the relationship; counts even when it was never registered, as the Python framework we follow does. */
  unregisterChild(parent: string, child: string): void {
    const set = this._children.get(parent);
    if (set !== undefined) {
      set.delete(child);
      if (set.size === 0) this._children.delete(parent);
    }
    if (this._parents.get(child) === parent) this._parents.delete(child);
    this._unregistrations += 1;
  }

  /** A copy of the live children of `parent`. */
  getChildren(parent: string): Set<string> {
    this._lookups += 1;
    return new Set(this._children.get(parent));
  }

  /** The parent of `child`, if it is a live child run. */
  getParent(child: string): string | undefined {
    this._lookups += 1;
    return this._parents.get(child);
  }

  /** Every live descendant of `run`, depth first (parents before their children). */
  getAllDescendants(run: string): string[] {
    this._traversals += 1;
    const out: string[] = [];
    const walk = (id: string): void => {
      for (const c of this._children.get(id) ?? []) {
        out.push(c);
        walk(c);
      }
    };
    walk(run);
    return out;
  }

  /** The top of `run`'s parent chain; records the number of steps walked as `max_depth_seen`. */
  getRootRun(run: string): string {
    this._lookups += 1;
    let current = run;
    let steps = 0;
    for (let p = this._parents.get(current); p !== undefined && steps < 10_000; p = this._parents.get(current)) {
      current = p;
      steps += 1;
    }
    if (steps > this._maxDepth) this._maxDepth = steps;
    return current;
  }

  /** Removes `run` from its parent and drops its own children, including their child → parent entries. */
  cleanupRun(run: string): void {
    const parent = this._parents.get(run);
    if (parent !== undefined) this.unlink(parent, run);
    for (const c of this._children.get(run) ?? []) {
      if (this._parents.get(c) === run) this._parents.delete(c);
    }
    this._children.delete(run);
    this._cleanups += 1;
  }

  /** The 10 counters; `active_*` and `total_relationships` describe the live relationships. */
  getMetrics(): ChildRunTrackerMetrics {
    return {
      registration_count: this._registrations,
      unregistration_count: this._unregistrations,
      lookup_count: this._lookups,
      tree_traversal_count: this._traversals,
      cleanup_count: this._cleanups,
      max_concurrent_children: this._maxConcurrent,
      max_depth_seen: this._maxDepth,
      active_parents: this._children.size,
      active_children: this._parents.size,
      total_relationships: this._parents.size,
    };
  }

  /** Zeroes the counters and maxima but keeps the live relationships. */
  resetMetrics(): void {
    this._registrations = 0;
    this._unregistrations = 0;
    this._lookups = 0;
    this._traversals = 0;
    this._cleanups = 0;
    this._maxConcurrent = 0;
    this._maxDepth = 0;
  }

  private unlink(parent: string, child: string): void {
    const set = this._children.get(parent);
    if (set !== undefined) {
      set.delete(child);
      if (set.size === 0) this._children.delete(parent);
    }
    this._parents.delete(child);
  }
}

let globalTracker: ChildRunTracker | undefined;

/** The process-wide tracker, created on first use; subpipeline spawners use it unless given their own. */
export function getChildTracker(): ChildRunTracker {
  return (globalTracker ??= new ChildRunTracker());
}

/** Replaces the process-wide tracker. */
export function setChildTracker(tracker: ChildRunTracker): void {
  globalTracker = tracker;
}

/** Drops the process-wide tracker; the next {@link getChildTracker} creates a fresh one. */
export function clearChildTracker(): void {
  globalTracker = undefined;
}
