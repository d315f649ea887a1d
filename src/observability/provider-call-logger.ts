import { randomUUID } from 'node:crypto';
import type { EmitOptions } from '../runtime/index.js';
import {
  emitProviderCallCompleted,
  emitProviderCallFailed,
  emitProviderCallStarted,
  PROVIDER_CALL_STARTED_DESCRIPTOR,
} from '../../generated/index.js';
import type { ProviderCallCompletedData } from '../../generated/index.js';
import { ContractError } from '../errors.js';
import type { EventSink } from '../runtime/types.js';
import { correlationKeysAmong, type EventContext } from './event-context.js';

/** The kind of model call: free text, as the Python framework we follow declares it; the known values are hints. */
export type ProviderOperation = 'llm' | 'chat' | 'stt' | 'tts' | 'embedding' | (string & {});

/** Resource usage a provider reports; every key optional. */
export type ProviderUsage = NonNullable<ProviderCallCompletedData['usage']>;

/**
 * The start of a provider call: what is called, plus correlation keys (a pipeline `StageContext` can be spread in;
 * keys the `provider.call.*` schemas do not declare, such as `executionMode`, are ignored).
 */
export interface ProviderCallStart extends EventContext {
  readonly operation: ProviderOperation;
  readonly provider: string;
  /** The provider's model id; null or absent when the call has none (`model_id: str | None`). */
  readonly modelId?: string | null | undefined;
  /** Free-form context (the protocol's `**context`), sent as the event's `context` object. */
  readonly context?: Readonly<Record<string, unknown>> | undefined;
}

/** The end of a provider call. */
export interface ProviderCallEnd {
  readonly success: boolean;
  /** Latency in milliseconds; sent truncated to whole milliseconds. */
  readonly latencyMs: number;
  /** The failure (required in spirit when `success` is false; an Error's message is sent). */
  readonly error?: unknown;
  /** A machine-readable code for the failure, e.g. `TIMEOUT` or `CIRCUIT_OPEN`. */
  readonly errorCode?: string;
  readonly usage?: ProviderUsage;
  /** Free-form metrics (the protocol's `**metrics`, e.g. `tokens_used`), sent as the event's `metrics` object. */
  readonly metrics?: Readonly<Record<string, unknown>> | undefined;
}

/** The `ProviderCallLogger` protocol of the Python framework we follow, synchronous: `logCallStart` returns the call id that `logCallEnd` takes. */
export interface ProviderCallLogger {
  logCallStart(call: ProviderCallStart): string;
  logCallEnd(callId: string, end: ProviderCallEnd): void;
}

/** The all-zero UUID the no-op logger of the Python framework we follow returns. */
export const NIL_CALL_ID = '00000000-0000-0000-0000-000000000000';

/** A logger that records nothing and returns {@link NIL_CALL_ID} for every call, as the default of the Python framework we follow does. */
export class NoOpProviderCallLogger implements ProviderCallLogger {
  logCallStart(): string {
    return NIL_CALL_ID;
  }

  logCallEnd(): void {
    // nothing to record
  }
}

/** Options of {@link EventProviderCallLogger}. */
export interface EventProviderCallLoggerOptions {
  /** Deliver to this sink instead of the one resolved at emit time by `getEventSink()`. */
  readonly sink?: EventSink;
}

// the correlation keys the provider.call.* schemas declare
const PROVIDER_KEYS = correlationKeysAmong(PROVIDER_CALL_STARTED_DESCRIPTOR.properties);

type Identity = Omit<Parameters<typeof emitProviderCallStarted>[0], 'timestamp'>;

/**
 * Writes provider calls as `provider.call.started` then `provider.call.completed` or `provider.call.failed` events
 * through the generated emitters; the call's identity and correlation keys are remembered between start and end.
 */
export class EventProviderCallLogger implements ProviderCallLogger {
  private readonly _emitOptions: EmitOptions | undefined;
  private readonly _open = new Map<string, Identity>();

  constructor(options: EventProviderCallLoggerOptions = {}) {
    this._emitOptions = options.sink === undefined ? undefined : { sink: options.sink };
  }

  /** Calls started and not yet ended. */
  get openCalls(): number {
    return this._open.size;
  }

  /** Emits `provider.call.started` and returns a fresh call id (a random UUID). */
  logCallStart(call: ProviderCallStart): string {
    const callId = randomUUID();
    const identity: Identity = {
      call_id: callId,
      operation: call.operation,
      provider: call.provider,
    };
    if (call.modelId !== undefined) identity.model_id = call.modelId;
    const keys = identity as Record<string, unknown>;
    for (const { camel, snake } of PROVIDER_KEYS) if (call[camel] !== undefined) keys[snake] = call[camel];
    if (call.stage !== undefined) identity.stage = call.stage;
    emitProviderCallStarted(
      call.context === undefined ? identity : { ...identity, context: { ...call.context } },
      this._emitOptions,
    );
    this._open.set(callId, identity);
    return callId;
  }

  /** Emits `provider.call.completed` or `provider.call.failed`; throws `provider_call_unknown` for an id it did not issue or already ended. */
  logCallEnd(callId: string, end: ProviderCallEnd): void {
    const identity = this._open.get(callId);
    if (identity === undefined)
      throw new ContractError('provider_call_unknown', `EventProviderCallLogger: no open call with id '${callId}'`);
    this._open.delete(callId);
    const latency = Math.max(0, Math.trunc(end.latencyMs));
    const metrics = end.metrics === undefined ? {} : { metrics: { ...end.metrics } };
    if (end.success) {
      emitProviderCallCompleted(
        {
          ...identity,
          success: true,
          latency_ms: latency,
          ...(end.usage === undefined ? {} : { usage: end.usage }),
          ...metrics,
        },
        this._emitOptions,
      );
      return;
    }
    const error =
      end.error instanceof Error ? end.error.message : end.error === undefined ? 'unknown error' : String(end.error);
    emitProviderCallFailed(
      {
        ...identity,
        success: false,
        latency_ms: latency,
        error,
        ...(end.errorCode === undefined ? {} : { error_code: end.errorCode }),
        ...metrics,
      },
      this._emitOptions,
    );
  }
}
