import type { EventSink } from '../runtime/types.js';
import { toCorrelationKeys, type CorrelationKeys, type RunIdentity } from './run-identity.js';
import type { PipelineRunOptions } from './types.js';
import type { SubpipelineSpawner } from './subpipeline-spawner.js';

/** The run options a child run inherits from its parent unless the spawn overrides them. */
export type InheritedRunOptions = Pick<
  PipelineRunOptions,
  'interceptors' | 'wideEvents' | 'runLogger' | 'lookupDescriptor' | 'cancelGraceMs'
>;

/**
 * The state of one run shared by its stages and interceptors: identity and correlation keys, the run's sink, its
 * cancellation signal, a data store, and the interceptor observations (`_interceptor.<name>` keys).
 */
export class PipelineContext {
  readonly identity: RunIdentity;
  /** The sink every event of the run goes to, captured when the run started. */
  readonly sink: EventSink;
  /** Aborted when the run is cancelled (by a stage, the caller's signal or a parent run). */
  get signal(): AbortSignal {
    if (typeof this._signal === 'function') this._signal = this._signal();
    return this._signal;
  }
  // or what makes it on first use: an AbortController is about a seventh of a one-stage run on Node 20, and most runs
  // never look at their signal
  private _signal: AbortSignal | (() => AbortSignal);
  /** How many subpipeline levels above this run (0 for a root run). */
  readonly depth: number;
  readonly spawner: SubpipelineSpawner;
  /** Free-form run data shared by stages and interceptors. */
  readonly data = new Map<string, unknown>();
  /** What child runs spawned from this run inherit (interceptors, wide events, run logger, descriptor lookup, grace). */
  readonly inherited: InheritedRunOptions;

  constructor(init: {
    identity: RunIdentity;
    sink: EventSink;
    signal: AbortSignal | (() => AbortSignal);
    depth: number;
    spawner: SubpipelineSpawner;
    inherited: InheritedRunOptions;
  }) {
    this.inherited = init.inherited;
    this.identity = init.identity;
    this.sink = init.sink;
    this._signal = init.signal;
    this.depth = init.depth;
    this.spawner = init.spawner;
  }

  /** The run id (a UUID). */
  get pipelineRunId(): string {
    return this.identity.pipelineRunId;
  }

  /** The run's correlation keys as event payload keys: the one source of the enrichment every run event carries. */
  correlationKeys(): CorrelationKeys {
    this._keys ??= toCorrelationKeys(this.identity);
    return { ...this._keys };
  }

  private _keys: CorrelationKeys | undefined;

  /** Whether this run was spawned as a subpipeline. */
  get isChildRun(): boolean {
    return this.identity.parentRunId !== null;
  }

  /** Records what interceptor `name` observed about `stage`, under the data key `_interceptor.<name>`. */
  addObservation(name: string, stage: string, value: unknown): void {
    const key = `_interceptor.${name}`;
    let byStage = this.data.get(key) as Map<string, unknown> | undefined;
    if (byStage === undefined) this.data.set(key, (byStage = new Map()));
    byStage.set(stage, value);
  }

  /** What interceptor `name` observed about `stage` (or, without `stage`, about every stage), if anything. */
  getObservation(name: string, stage: string): unknown;
  getObservation(name: string): ReadonlyMap<string, unknown> | undefined;
  getObservation(name: string, stage?: string): unknown {
    const byStage = this.data.get(`_interceptor.${name}`) as Map<string, unknown> | undefined;
    return stage === undefined ? byStage : byStage?.get(stage);
  }
}
