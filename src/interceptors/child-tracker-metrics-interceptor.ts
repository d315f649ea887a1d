import { emitMetricsChildRunTracker } from '../../generated/index.js';
import type { ChildRunTracker } from '../pipeline/child-run-tracker.js';
import type { StageContext } from '../pipeline/stage-context.js';
import type { Interceptor } from '../pipeline/interceptor.js';

/**
 * After each stage of a child run, emits the tracker's 10 counters as a validated `metrics.child_run_tracker` event to
 * the run's sink (the Python framework we follow only logs them, and reads the global tracker instead of the spawner's
 * own).
 */
export class ChildTrackerMetricsInterceptor implements Interceptor {
  readonly name = 'child_tracker_metrics';
  readonly priority = 45;
  private readonly _tracker: ChildRunTracker | undefined;

  /** `tracker` defaults to the run's spawner's tracker. */
  constructor(options: { readonly tracker?: ChildRunTracker } = {}) {
    this._tracker = options.tracker;
  }

  after(_stage: string, _result: unknown, ctx: StageContext): void {
    const run = ctx.pipeline;
    if (!run.isChildRun) return;
    const metrics = (this._tracker ?? run.spawner.tracker).getMetrics();
    emitMetricsChildRunTracker(
      { ...metrics, component: 'ChildRunTracker', pipeline_run_id: run.pipelineRunId, is_child_run: true },
      { sink: run.sink },
    );
  }
}
