/** One event as every sink receives it: the type string and its payload (which may be absent). */
export interface EventEnvelope<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data?: D;
  /** Optional idempotency key: a store that keeps event ids (PostgreSQL) stores an event with a given id at most once. */
  readonly id?: string;
}

/**
 * The one shape every sink has. `emit` may wait (for room, for I/O); `tryEmit` is synchronous,
 * fire-and-forget and never throws.
 */
export interface EventSink {
  emit(event: EventEnvelope): Promise<void>;
  tryEmit(event: EventEnvelope): void;
  /** Optional: deliver what is buffered. */
  flush?(): Promise<void>;
  /** Optional: flush, then release resources; calling it twice is harmless. */
  shutdown?(): Promise<void>;
}

/** One problem found by a validator: ajv's error fields unchanged, plus the event type when known. */
export interface ValidationIssue {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string | undefined;
  readonly eventType?: string | undefined;
}

/** A precompiled validator: a type guard that leaves its issues on `errors` when it returns false. */
export interface ValidateFunction<T = unknown> {
  (data: unknown): data is T;
  errors?: ValidationIssue[] | null;
}

/** What the runtime knows about one event type: how to recognise it, which schema describes it, how to validate it. */
export interface EventDescriptor<D = unknown> {
  /** The exact type string, or the template (`stage.{name}.started`) for a pattern type. */
  readonly type: string;
  /** The regular expression source that matches the type strings of a pattern type; absent for a fixed type. */
  readonly pattern?: string | undefined;
  readonly family: string;
  readonly version: number;
  readonly schemaId: string;
  /** The schema's path below `schemas/`. */
  readonly schemaPath: string;
  readonly title: string;
  /** The top-level payload keys the schema declares (used for "did you mean" hints). */
  readonly properties: readonly string[];
  readonly required: readonly string[];
  /** Whether the payload accepts keys beyond `properties`. */
  readonly open: boolean;
  readonly validate: ValidateFunction<D>;
}
