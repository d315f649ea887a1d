import { CORRELATION_KEYS, type CorrelationKeysCamelCase } from '../../generated/common/correlation-keys.js';
import { STREAM_QUEUE_CLOSED_DESCRIPTOR } from '../../generated/index.js';

/**
 * The correlation keys a caller (typically a pipeline `StageContext`) hands to the tool executor, the streaming helpers
 * and the provider-call logger; they are copied onto every event whose schema declares them and cannot be overridden
 * by payload data. The keys are those of `schemas/common/correlation-keys.v1.json` (camelCase), each optional; outside
 * a run `pipelineRunId` may be null.
 */
export type EventContext = {
  readonly [K in Exclude<keyof CorrelationKeysCamelCase, 'pipelineRunId'>]?: CorrelationKeysCamelCase[K];
} & {
  /** The run the work belongs to (`pipeline_run_id`), or null outside a run. */
  readonly pipelineRunId?: string | null;
  /** The pipeline stage doing the work (`stage` on `tool.*`, `approval.*` and `stream.*` events), when in a stage. */
  readonly stage?: string;
};

/** Anything that can say which run and stage its work belongs to: a pipeline `StageContext`. */
export interface EventContextSource {
  eventContext(): EventContext;
}

/** The {@link EventContext} of `context`: the context itself, or what a source (a `StageContext`) gives. */
export function toEventContext(context: EventContext | EventContextSource | undefined): EventContext | undefined {
  if (context === undefined) return undefined;
  const source = context as Partial<EventContextSource>;
  return typeof source.eventContext === 'function' ? source.eventContext() : (context as EventContext);
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

/** The correlation keys among `properties` (an event schema's top-level keys), in the schema's order. */
export function correlationKeysAmong(properties: readonly string[]): readonly (typeof CORRELATION_KEYS)[number][] {
  return properties.flatMap((snake) => CORRELATION_KEYS.filter((k) => k.snake === snake));
}

// the correlation keys the stream.* schemas declare (each declares the same block)
const STREAM_KEYS = correlationKeysAmong(STREAM_QUEUE_CLOSED_DESCRIPTOR.properties);

/**
 * Builds the enrichment keys of the `stream.*` events once per queue or buffer: only keys the context defines are
 * present (the schemas make them optional), so a helper used outside a pipeline sends none.
 */
export function streamEnrichment(
  context: EventContext | EventContextSource | undefined,
  channel: string | undefined,
): Readonly<StreamEnrichment> {
  const ctx = toEventContext(context);
  const out: Record<string, unknown> = {};
  for (const { camel, snake } of STREAM_KEYS) if (ctx?.[camel] !== undefined) out[snake] = ctx[camel];
  if (channel !== undefined) out.channel = channel;
  if (ctx?.stage !== undefined) out.stage = ctx.stage;
  return Object.freeze(out) as Readonly<StreamEnrichment>;
}
