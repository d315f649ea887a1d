import type { EventContext, EventContextSource } from '../observability/event-context.js';
import { emitEvent, mergePayload } from '../runtime/index.js';
import { ContractError } from '../errors.js';
import { findEventDescriptor } from '../../generated/index.js';
import { findCustomEventDescriptor } from '../validation/custom-event-registry.js';
import type { EventDescriptor } from '../runtime/index.js';
import type { PipelineContext } from './pipeline-context.js';
import { CORRELATION_KEY_NAMES, CORRELATION_KEYS, type CorrelationKeys } from './run-identity.js';
import type { StageGraph } from './stage-graph.js';
import type { PipelineRunOptions } from './types.js';
import type { SubpipelineResult, SpawnOptions } from './subpipeline-spawner.js';

/**
 * The enrichment keys {@link StageContext.emitEvent} owns: the correlation keys
 * (`schemas/common/correlation-keys.v1.json`). A caller passing one gets a `ContractError` with code `reserved_key`
 * (unlike the Python framework we follow, where caller data silently overrides them).
 */
export const RESERVED_ENRICHMENT_KEYS: readonly string[] = CORRELATION_KEY_NAMES;

const RESERVED = new Set<string>(RESERVED_ENRICHMENT_KEYS);

// the keys a pipeline context adds to an event whose schema is unknown, in this order
const DEFAULT_ENRICHMENT: readonly (keyof CorrelationKeys)[] = [
  'pipeline_run_id',
  'request_id',
  'execution_mode',
  'topology',
  'service',
];

/** A lookup for event types the generated catalogue does not know (the custom-event registry). */
export type DescriptorLookup = (type: string) => EventDescriptor | undefined;

/** What one stage sees while it runs: the run, its dependencies' outputs, its own signal and an enriched event emitter. */
export class StageContext implements EventContextSource {
  readonly pipeline: PipelineContext;
  readonly stage: string;
  /** Aborted on stage timeout or run cancellation; pass it to anything long-running. */
  get signal(): AbortSignal {
    return this._signal ?? this.pipeline.signal;
  }
  private readonly _signal: AbortSignal | undefined;
  /** The outputs of this stage's dependencies, by stage name. */
  readonly inputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** 1 for the first run of the stage, higher when a guard retry or an interceptor re-runs it. */
  readonly attempt: number;
  private readonly _lookup: DescriptorLookup | undefined;
  private readonly _isOpen: () => boolean;

  constructor(init: {
    pipeline: PipelineContext;
    stage: string;
    /** the run's signal (`pipeline.signal`) when omitted */
    signal?: AbortSignal | undefined;
    inputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    attempt: number;
    lookup: DescriptorLookup | undefined;
    isOpen: () => boolean;
  }) {
    this.pipeline = init.pipeline;
    this.stage = init.stage;
    this._signal = init.signal;
    this.inputs = init.inputs;
    this.attempt = init.attempt;
    this._lookup = init.lookup;
    this._isOpen = init.isOpen;
  }

  /** The run id. */
  get pipelineRunId(): string {
    return this.pipeline.identity.pipelineRunId;
  }

  /**
   * The {@link EventContext} to hand the tool executor and the streaming helpers: the run's correlation keys and this
   * stage's name, so their `tool.*`, `approval.*` and `stream.*` events name the stage they belong to.
   */
  eventContext(): EventContext {
    const id = this.pipeline.identity;
    const ctx: Record<string, unknown> = {};
    for (const { camel } of CORRELATION_KEYS) ctx[camel] = id[camel];
    ctx.stage = this.stage;
    return ctx as EventContext;
  }

  /** The run's correlation keys as event payload keys. */
  enrichment(): Record<string, string | null> {
    return { ...this.pipeline.correlationKeys() };
  }

  /**
   * Emits a custom event to the run's sink, validated like every other event: the type is looked up in the generated
   * catalogue and then the custom registry; the reserved keys the schema declares (or, for a type without schema,
   * `pipeline_run_id`, `request_id`, `execution_mode`, `topology`, `service`) are added and cannot be overridden.
   * Events emitted after the run has ended are dropped.
   */
  emitEvent(type: string, data: Readonly<Record<string, unknown>> = {}): void {
    for (const key of RESERVED_ENRICHMENT_KEYS) {
      if (Object.hasOwn(data, key)) {
        throw new ContractError(
          'reserved_key',
          `stage '${this.stage}': emitEvent('${type}') got reserved key '${key}'; the run sets it (reserved: ${RESERVED_ENRICHMENT_KEYS.join(', ')})`,
        );
      }
    }
    if (!this._isOpen()) return;
    const descriptor = findEventDescriptor(type) ?? this._lookup?.(type) ?? findCustomEventDescriptor(type);
    const all = this.enrichment();
    const keys = descriptor === undefined ? DEFAULT_ENRICHMENT : descriptor.properties.filter((k) => RESERVED.has(k));
    const enriched: Record<string, unknown> = {};
    for (const k of keys) enriched[k] = all[k];
    emitEvent(type, mergePayload(enriched, data), descriptor, { sink: this.pipeline.sink });
  }

  /** Records what interceptor `name` observed about this stage (readable after the run from the pipeline context). */
  addObservation(name: string, value: unknown): void {
    this.pipeline.addObservation(name, this.stage, value);
  }

  /** What interceptor `name` observed about this stage so far. */
  getObservation(name: string): unknown {
    return this.pipeline.getObservation(name, this.stage);
  }

  /** Runs `graph` as a child run of this one through the run's spawner (depth-limited, cancelled with this run). */
  spawnSubpipeline(
    graph: StageGraph,
    options: SpawnOptions & { readonly runOptions?: Partial<PipelineRunOptions> } = {},
  ): Promise<SubpipelineResult> {
    return this.pipeline.spawner.spawn(this, graph, options);
  }
}
