/** One event read from a snapshot line: our recorder's fields when present, else a bare `{type, data}` line. */
export interface SnapshotEvent {
  readonly type: string;
  readonly data?: unknown;
  readonly seq?: number;
  readonly recordedAt?: string;
  readonly schemaId?: string | null;
  readonly schemaVersion?: number | null;
  /** The event's idempotency key (`event_id` of a dead-letter line), re-sent with it so that a store keeps the event once. */
  readonly eventId?: string;
}

/** Why a line could not be read as an event; `undefined` from {@link parseSnapshotLine} comes with one of these. */
export type CorruptReason = string;

/**
 * Parses one NDJSON line into an event, or returns a reason string when the line is not one (invalid JSON, binary
 * garbage, no string `type`); never throws. Accepts recorder lines and bare `{type, data}` lines.
 */
export function parseSnapshotLine(text: string): SnapshotEvent | CorruptReason {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `invalid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `expected a JSON object with 'type' and 'data', got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  const o = value as Record<string, unknown>;
  if (typeof o.type !== 'string' || o.type === '') return "expected a non-empty string field 'type'";
  const event: { -readonly [K in keyof SnapshotEvent]: SnapshotEvent[K] } = { type: o.type };
  if ('data' in o) event.data = o.data;
  if (typeof o.seq === 'number') event.seq = o.seq;
  if (typeof o.recorded_at === 'string') event.recordedAt = o.recorded_at;
  if ('schema_id' in o) event.schemaId = typeof o.schema_id === 'string' ? o.schema_id : null;
  if ('schema_version' in o) event.schemaVersion = typeof o.schema_version === 'number' ? o.schema_version : null;
  if (typeof o.event_id === 'string') event.eventId = o.event_id;
  return event;
}
