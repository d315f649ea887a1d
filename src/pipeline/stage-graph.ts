import { ContractError } from '../errors.js';
import { getEventSink, withEventSink } from '../runtime/sink-registry.js';
import { GraphRun } from './graph-run.js';
import type { GuardRetryPolicy, PipelineRunOptions, PipelineRunResult, StageRunner, StageSpec } from './types.js';

const STAGE_NAME = /^[^.]+$/;

/**
 * A DAG of stages: a stage starts as soon as its dependencies have completed, independent stages run concurrently.
 * A run emits `pipeline.started` first, `stage.<name>.started|completed|failed|skipped` per stage, optional wide
 * events, and exactly one terminal `pipeline.completed|failed|cancelled` last, all to the sink captured at start.
 */
export class StageGraph {
  readonly name: string;
  readonly stages: ReadonlyMap<string, StageSpec>;

  /** Use {@link StageGraphBuilder}; the constructor checks names, dependencies, cycles and guard-retry policies. */
  constructor(name: string, stages: readonly StageSpec[]) {
    this.name = name;
    const map = new Map<string, StageSpec>();
    for (const s of stages) {
      if (!STAGE_NAME.test(s.name))
        throw new ContractError(
          'invalid_stage',
          `stage name '${s.name}' is invalid: expected a non-empty name without dots (^[^.]+$)`,
        );
      if (map.has(s.name)) throw new ContractError('invalid_stage', `stage '${s.name}' is declared twice`);
      map.set(s.name, s);
    }
    for (const s of stages) {
      for (const d of s.dependencies) {
        if (!map.has(d)) throw new ContractError('invalid_stage', `stage '${s.name}' depends on unknown stage '${d}'`);
      }
      const g = s.guardRetry;
      if (g !== undefined) {
        if (g.retryStage === s.name)
          throw new ContractError('invalid_stage', `guard '${s.name}': retryStage must not be the guard itself`);
        if (!s.dependencies.includes(g.retryStage))
          throw new ContractError(
            'invalid_stage',
            `guard '${s.name}': retryStage '${g.retryStage}' must be one of its dependencies (${s.dependencies.join(', ') || 'none'})`,
          );
      }
    }
    const state = new Map<string, 1 | 2>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 2) return;
      if (state.get(n) === 1)
        throw new ContractError('invalid_stage', `dependency cycle: ${[...path, n].join(' -> ')}`);
      state.set(n, 1);
      for (const d of map.get(n)?.dependencies ?? []) visit(d, [...path, n]);
      state.set(n, 2);
    };
    for (const n of map.keys()) visit(n, []);
    this.stages = map;
  }

  /** Runs the graph once; resolves with the run's result (a failed or cancelled run resolves too, it never rejects). */
  run(options: PipelineRunOptions = {}): Promise<PipelineRunResult> {
    const ambient = getEventSink();
    const sink = options.sink ?? options.parent?.sink ?? ambient;
    // stage code that emits without a sink must reach the run's sink; when that is already the one it resolves to,
    // no scope is needed, and none is made: an AsyncLocalStorage scope makes every promise in the process dearer on
    // Node 20 (see the README's performance section)
    if (sink === ambient) return new GraphRun(this, options, sink).execute();
    return withEventSink(sink, () => new GraphRun(this, options, sink).execute());
  }
}

/** Builds a {@link StageGraph} stage by stage. */
export class StageGraphBuilder {
  private readonly _name: string;
  private readonly _stages: StageSpec[] = [];

  /** `name` becomes the runs' `pipeline_name`. Default `pipeline`. */
  constructor(name = 'pipeline') {
    this._name = name;
  }

  /** Adds a stage; rejects a name that does not match `^[^.]+$` at once. */
  stage(
    name: string,
    runner: StageRunner,
    options: { dependencies?: readonly string[]; timeoutMs?: number; guardRetry?: GuardRetryPolicy } = {},
  ): this {
    if (!STAGE_NAME.test(name))
      throw new ContractError(
        'invalid_stage',
        `stage name '${name}' is invalid: expected a non-empty name without dots (^[^.]+$)`,
      );
    this._stages.push({
      name,
      runner,
      dependencies: options.dependencies ?? [],
      timeoutMs: options.timeoutMs,
      guardRetry: options.guardRetry,
    });
    return this;
  }

  /** Checks the stages and returns the graph. */
  build(): StageGraph {
    return new StageGraph(this._name, this._stages);
  }
}
