import { emitEvent } from '../runtime/index.js';
import type { EventSink } from '../runtime/types.js';
import { PIPELINE_WIDE_DESCRIPTOR, STAGE_WIDE_DESCRIPTOR } from '../../generated/index.js';
import type { PipelineWideData, StageWideData } from '../../generated/index.js';
import type { CorrelationKeys } from './run-identity.js';

/** The context block both wide events carry (always present; ids nullable): the run's correlation keys. */
export type WideContextBlock = Omit<CorrelationKeys, 'pipeline_run_id'> & {
  /** Null when the block does not come from a run. */
  readonly pipeline_run_id: string | null;
};

/** One stage's summary as the wide events describe it. */
export interface WideStageSummary {
  readonly stage: string;
  readonly status: 'completed' | 'failed';
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration_ms: number;
  readonly error: string | null;
  readonly data_keys: string[];
}

/** Options of {@link WideEventEmitter}. */
export interface WideEventEmitterOptions {
  /** The type string of per-stage events. Default `stage.wide`. */
  readonly stageEventType?: string;
  /** The type string of the per-run event. Default `pipeline.wide`. */
  readonly pipelineEventType?: string;
}

/**
 * Emits `stage.wide` and `pipeline.wide`. Overridden type names emit the same payloads under the
 * custom names, still validated with the wide schemas' validators.
 */
export class WideEventEmitter {
  readonly stageEventType: string;
  readonly pipelineEventType: string;

  constructor(options: WideEventEmitterOptions = {}) {
    this.stageEventType = options.stageEventType ?? 'stage.wide';
    this.pipelineEventType = options.pipelineEventType ?? 'pipeline.wide';
  }

  /** The `stage.wide` payload: the context block, the stage summary (sorted `data_keys`) and `extra` only when non-empty. */
  static buildStagePayload(
    context: WideContextBlock,
    summary: WideStageSummary,
    extra?: Readonly<Record<string, unknown>>,
  ): StageWideData {
    const payload: StageWideData = { ...context, ...summary, data_keys: [...summary.data_keys].sort() };
    return extra !== undefined && Object.keys(extra).length > 0 ? { ...payload, extra: { ...extra } } : payload;
  }

  /**
   * The `pipeline.wide` payload: `pipeline_name` falls back to the topology and then `pipeline`, `status` is derived
   * (failed if any stage failed) when not given, and `stage_counts` holds only statuses that occur.
   */
  static buildPipelinePayload(
    context: WideContextBlock,
    stages: readonly WideStageSummary[],
    options: {
      pipelineName?: string | undefined;
      status?: 'completed' | 'failed' | 'cancelled' | undefined;
      durationMs?: number | null | undefined;
      extra?: Readonly<Record<string, unknown>> | undefined;
    } = {},
  ): PipelineWideData {
    const counts: Record<string, number> = {};
    for (const s of stages) counts[s.status] = (counts[s.status] ?? 0) + 1;
    const payload: PipelineWideData = {
      ...context,
      pipeline_name: options.pipelineName ?? context.topology ?? 'pipeline',
      status: options.status ?? (stages.some((s) => s.status === 'failed') ? 'failed' : 'completed'),
      duration_ms: options.durationMs ?? null,
      stage_counts: counts,
      stage_details: stages.map((s) => ({ ...s, data_keys: [...s.data_keys].sort() })),
    };
    return options.extra !== undefined && Object.keys(options.extra).length > 0
      ? { ...payload, extra: { ...options.extra } }
      : payload;
  }

  /** Emits one stage's wide event to `sink` (validated against the `stage.wide` schema). */
  emitStageEvent(
    sink: EventSink,
    context: WideContextBlock,
    summary: WideStageSummary,
    extra?: Readonly<Record<string, unknown>>,
  ): void {
    emitEvent(this.stageEventType, WideEventEmitter.buildStagePayload(context, summary, extra), STAGE_WIDE_DESCRIPTOR, {
      sink,
    });
  }

  /** Emits the run's wide event to `sink` (validated against the `pipeline.wide` schema). */
  emitPipelineEvent(sink: EventSink, payload: PipelineWideData): void {
    emitEvent(this.pipelineEventType, payload, PIPELINE_WIDE_DESCRIPTOR, { sink });
  }
}
