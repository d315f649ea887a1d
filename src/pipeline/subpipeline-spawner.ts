import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  emitPipelineCanceled,
  emitPipelineChildCompleted,
  emitPipelineChildFailed,
  emitPipelineSpawnedChild,
} from '../../generated/index.js';
import type { EventSink } from '../runtime/types.js';
import { getChildTracker } from './child-run-tracker.js';
import type { ChildRunTracker } from './child-run-tracker.js';
import { MaxDepthExceededError } from './errors.js';
import type { StageGraph } from './stage-graph.js';
import type { PipelineRunOptions, PipelineRunResult } from './types.js';
import type { StageContext } from './stage-context.js';

/** The default subpipeline depth limit (as in the Python framework we follow). */
export const DEFAULT_MAX_SUBPIPELINE_DEPTH = 5;

/** Options of {@link SubpipelineSpawner}. */
export interface SubpipelineSpawnerOptions {
  /** The deepest allowed child level (a root run is depth 0). Default {@link DEFAULT_MAX_SUBPIPELINE_DEPTH}. */
  readonly maxDepth?: number;
  /** Where relationships are tracked. Default: the process-wide {@link getChildTracker}. */
  readonly tracker?: ChildRunTracker;
  /** Whether `pipeline.spawned_child|child_completed|child_failed|canceled` are emitted. Default true. */
  readonly emitEvents?: boolean;
}

/** Per-spawn options; the child run inherits the parent's interceptors, wide-event setting, run logger and lookup unless `runOptions` overrides them. */
export interface SpawnOptions {
  /** The child's pipeline name. Default: the child graph's name. */
  readonly pipelineName?: string;
  /** The id of the action that triggered the spawn (`correlation_id`). Default: a fresh UUID. */
  readonly correlationId?: string;
}

/** The outcome of one child run. */
export interface SubpipelineResult {
  readonly success: boolean;
  readonly childRunId: string;
  readonly durationMs: number;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly result: PipelineRunResult;
}

/**
 * Runs graphs as child runs of a stage: checks the depth, registers the child, emits `pipeline.spawned_child` then
 * `pipeline.child_completed` or `pipeline.child_failed`, all to the parent run's sink. Cancelling the parent cancels
 * its children (the Python framework we follow does not), reported as `pipeline.canceled` per run, deepest first.
 */
export class SubpipelineSpawner {
  readonly maxDepth: number;
  readonly tracker: ChildRunTracker;
  readonly emitEvents: boolean;
  private readonly _canceled = new Set<string>();

  constructor(options: SubpipelineSpawnerOptions = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_SUBPIPELINE_DEPTH;
    this.tracker = options.tracker ?? getChildTracker();
    this.emitEvents = options.emitEvents ?? true;
  }

  /** Runs `graph` as a child of the stage's run; throws {@link MaxDepthExceededError} when the parent is at `maxDepth`. */
  async spawn(
    parent: StageContext,
    graph: StageGraph,
    options: SpawnOptions & { readonly runOptions?: Partial<PipelineRunOptions> } = {},
  ): Promise<SubpipelineResult> {
    const run = parent.pipeline;
    if (run.depth >= this.maxDepth) throw new MaxDepthExceededError(run.depth, this.maxDepth);
    const parentRunId = run.pipelineRunId;
    const childRunId = randomUUID();
    const pipelineName = options.pipelineName ?? graph.name;
    const sink = run.sink;
    this.tracker.registerChild(parentRunId, childRunId);
    const t0 = performance.now();
    try {
      if (this.emitEvents) {
        emitPipelineSpawnedChild(
          {
            parent_run_id: parentRunId,
            child_run_id: childRunId,
            parent_stage_id: parent.stage,
            pipeline_name: pipelineName,
            correlation_id: options.correlationId ?? randomUUID(),
          },
          { sink },
        );
      }
      // the child takes its parent context: correlation keys, sink, inherited options and depth come from it
      const result = await graph.run({
        ...options.runOptions,
        parent: run,
        pipelineRunId: childRunId,
        pipelineName,
        sink,
        signal: parent.signal,
        spawner: this,
      });
      const durationMs = performance.now() - t0;
      const data = result.finalOutput;
      if (result.status === 'completed') {
        if (this.emitEvents)
          emitPipelineChildCompleted(
            {
              parent_run_id: parentRunId,
              child_run_id: childRunId,
              pipeline_name: pipelineName,
              duration_ms: durationMs,
            },
            { sink },
          );
        return { success: true, childRunId, durationMs, data, result };
      }
      const error = result.error?.message ?? `child run ${result.status}`;
      if (this.emitEvents)
        emitPipelineChildFailed(
          {
            parent_run_id: parentRunId,
            child_run_id: childRunId,
            pipeline_name: pipelineName,
            error_message: error,
            duration_ms: durationMs,
          },
          { sink },
        );
      return { success: false, childRunId, durationMs, error, result };
    } finally {
      this.tracker.unregisterChild(parentRunId, childRunId);
    }
  }

  /**
   * Emits `pipeline.canceled` for every live descendant of `runId` (deepest first) and then `runId` itself (cascade
   * depth 0), each run at most once per spawner; returns the run ids reported.
   */
  cancelWithChildren(runId: string, reason: string, sink: EventSink): string[] {
    const order: Array<{ id: string; parent: string | null; depth: number }> = [];
    const walk = (id: string, parent: string | null, depth: number): void => {
      for (const c of this.tracker.getChildren(id)) walk(c, id, depth + 1);
      order.push({ id, parent, depth });
    };
    walk(runId, this.tracker.getParent(runId) ?? null, 0);
    const reported: string[] = [];
    for (const r of order) {
      if (this._canceled.has(r.id)) continue;
      this._canceled.add(r.id);
      reported.push(r.id);
      if (this.emitEvents)
        emitPipelineCanceled(
          { pipeline_run_id: r.id, parent_run_id: r.parent, reason, cascade_depth: r.depth },
          { sink },
        );
    }
    return reported;
  }
}
