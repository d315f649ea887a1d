/**
 * The correlation keys a caller (typically a pipeline `StageContext`) hands to the tool executor, the streaming helpers
 * and the provider-call logger; they are copied onto every event whose schema declares them and cannot be overridden
 * by payload data.
 */
export interface EventContext {
  /** The run the work belongs to (`pipeline_run_id`), or null outside a run. */
  readonly pipelineRunId?: string | null;
  /** The request the run serves (`request_id`), or null. */
  readonly requestId?: string | null;
  /** The context's execution mode (`execution_mode`), or null; also the tool executor's default behaviour. */
  readonly executionMode?: string | null;
  /** The pipeline topology (`topology`), or null. */
  readonly topology?: string | null;
  /** The service name (`service`). */
  readonly service?: string;
  /** The pipeline stage doing the work (`stage` on `tool.*`, `approval.*` and `stream.*` events), when in a stage. */
  readonly stage?: string;
}

/** The `stream.*` enrichment block: each key the context defines, plus `channel` when given, in schema spelling. */
export interface StreamEnrichment {
  pipeline_run_id?: string | null;
  request_id?: string | null;
  execution_mode?: string | null;
  topology?: string | null;
  service?: string;
  channel?: string;
  stage?: string;
}

/**
 * Builds the enrichment keys of the `stream.*` events once per queue or buffer: only keys the context defines are
 * present (the schemas make them optional), so a helper used outside a pipeline sends none.
 */
export function streamEnrichment(
  context: EventContext | undefined,
  channel: string | undefined,
): Readonly<StreamEnrichment> {
  const out: StreamEnrichment = {};
  if (context?.pipelineRunId !== undefined) out.pipeline_run_id = context.pipelineRunId;
  if (context?.requestId !== undefined) out.request_id = context.requestId;
  if (context?.executionMode !== undefined) out.execution_mode = context.executionMode;
  if (context?.topology !== undefined) out.topology = context.topology;
  if (context?.service !== undefined) out.service = context.service;
  if (channel !== undefined) out.channel = channel;
  if (context?.stage !== undefined) out.stage = context.stage;
  return Object.freeze(out);
}
