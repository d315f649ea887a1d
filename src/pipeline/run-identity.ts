import { randomUUID } from 'node:crypto';
import {
  CORRELATION_KEYS,
  type CorrelationKeys,
  type CorrelationKeysCamelCase,
} from '../../generated/common/correlation-keys.js';
import { generatedUuid } from '../runtime/formats.js';

// the run's identity, beside PipelineContext: the correlation keys come from schemas/common/correlation-keys.v1.json
// (through codegen), so adding a key there adds it to run options, identities, run events, wide events and tools

export type { CorrelationKeys, CorrelationKeysCamelCase };
export { CORRELATION_KEYS };

/** The identity of one run: its correlation keys (camelCase), its parent run and its pipeline name. */
export interface RunIdentity extends CorrelationKeysCamelCase {
  readonly parentRunId: string | null;
  readonly pipelineName: string;
}

/** The correlation keys a caller may set on a run (each optional; see {@link createRunIdentity} for the defaults). */
export type CorrelationKeyOptions = { readonly [K in keyof CorrelationKeysCamelCase]?: CorrelationKeysCamelCase[K] };

/** The snake_case keys of {@link CorrelationKeys}, in schema order. */
export const CORRELATION_KEY_NAMES: readonly (keyof CorrelationKeys)[] = CORRELATION_KEYS.map((k) => k.snake);

/**
 * The one conversion from camelCase to payload keys: the correlation keys of `identity` as events carry them, in
 * schema order.
 */
export function toCorrelationKeys(identity: CorrelationKeysCamelCase): CorrelationKeys {
  if (WRITTEN_OUT) return writtenOut(identity);
  const out: Record<string, unknown> = {};
  for (const { camel, snake } of CORRELATION_KEYS) out[snake] = identity[camel];
  return out as unknown as CorrelationKeys;
}

// the same conversion as an object literal (a loop of keyed stores was about 5% of a one-stage run's profile); used
// only while CORRELATION_KEYS is exactly these keys in this order, so a key added to the schema still reaches every event
function writtenOut(id: CorrelationKeysCamelCase): CorrelationKeys {
  return {
    pipeline_run_id: id.pipelineRunId,
    request_id: id.requestId,
    session_id: id.sessionId,
    user_id: id.userId,
    org_id: id.orgId,
    topology: id.topology,
    execution_mode: id.executionMode,
    service: id.service,
  };
}

const WRITTEN_OUT: boolean = (() => {
  const probe: Record<string, string> = {};
  for (const { camel } of CORRELATION_KEYS) probe[camel] = camel;
  const got = Object.entries(writtenOut(probe as unknown as CorrelationKeysCamelCase));
  return JSON.stringify(got) === JSON.stringify(CORRELATION_KEYS.map((k) => [k.snake, k.camel]));
})();

/** What {@link createRunIdentity} reads: the correlation keys a caller set, and the pipeline name. */
export type RunIdentityOptions = CorrelationKeyOptions & {
  readonly parentRunId?: string | null;
  readonly pipelineName?: string;
};

/**
 * Builds a run's identity from its options. A root run: `pipelineRunId` defaults to a fresh UUID, `service` to
 * `pipeline`, every other key to null, `pipelineName` to `defaultName`. A child run (`parent` given) has its parent as
 * `parentRunId` and inherits every other correlation key of its parent unless the options set it.
 */
export function createRunIdentity(options: RunIdentityOptions, defaultName: string, parent?: RunIdentity): RunIdentity {
  if (WRITTEN_OUT_IDENTITY) return identityWrittenOut(options, defaultName, parent);
  const out: Record<string, unknown> = {};
  for (const { camel } of CORRELATION_KEYS) {
    const given = options[camel];
    if (given !== undefined) out[camel] = given;
    else if (camel === 'pipelineRunId') out[camel] = generatedUuid(randomUUID());
    else if (parent !== undefined) out[camel] = parent[camel];
    else out[camel] = camel === 'service' ? 'pipeline' : null;
  }
  out.parentRunId = parent !== undefined ? parent.pipelineRunId : (options.parentRunId ?? null);
  out.pipelineName = options.pipelineName ?? defaultName;
  return out as unknown as RunIdentity;
}

// createRunIdentity's loop as an object literal (the loop was about 5% of a one-stage run's profile); used only while
// CORRELATION_KEYS is exactly these keys in this order
function identityWrittenOut(options: RunIdentityOptions, defaultName: string, parent?: RunIdentity): RunIdentity {
  const o = options;
  const p = parent;
  return {
    pipelineRunId: o.pipelineRunId !== undefined ? o.pipelineRunId : generatedUuid(randomUUID()),
    requestId: o.requestId !== undefined ? o.requestId : p !== undefined ? p.requestId : null,
    sessionId: o.sessionId !== undefined ? o.sessionId : p !== undefined ? p.sessionId : null,
    userId: o.userId !== undefined ? o.userId : p !== undefined ? p.userId : null,
    orgId: o.orgId !== undefined ? o.orgId : p !== undefined ? p.orgId : null,
    topology: o.topology !== undefined ? o.topology : p !== undefined ? p.topology : null,
    executionMode: o.executionMode !== undefined ? o.executionMode : p !== undefined ? p.executionMode : null,
    service: o.service !== undefined ? o.service : p !== undefined ? p.service : 'pipeline',
    parentRunId: p !== undefined ? p.pipelineRunId : (o.parentRunId ?? null),
    pipelineName: o.pipelineName ?? defaultName,
  };
}

const WRITTEN_OUT_IDENTITY: boolean =
  JSON.stringify(Object.keys(identityWrittenOut({}, 'probe'))) ===
  JSON.stringify([...CORRELATION_KEYS.map((k) => k.camel), 'parentRunId', 'pipelineName']);
