import type { EventEnvelope } from '../runtime/types.js';

/** The indexed columns every store derives from an event: its type, `data.pipeline_run_id`, `data.timestamp` and the payload as JSON. */
export interface EventRow {
  readonly type: string;
  readonly pipelineRunId: string | null;
  /** `data.timestamp` normalised to ISO 8601 UTC, or null when absent or unparsable. */
  readonly timestamp: string | null;
  /** The payload as JSON, or null when the event has no `data`. */
  readonly json: string | null;
}

/** Derives the indexed columns of one event; never throws on odd payloads (they are stored as they are). */
export function eventRow(event: EventEnvelope): EventRow {
  const data = event.data;
  let pipelineRunId: string | null = null;
  let timestamp: string | null = null;
  if (typeof data === 'object' && data !== null) {
    const d = data as Record<string, unknown>;
    if (typeof d.pipeline_run_id === 'string') pipelineRunId = d.pipeline_run_id;
    if (typeof d.timestamp === 'string') {
      const ms = Date.parse(d.timestamp);
      if (!Number.isNaN(ms)) timestamp = new Date(ms).toISOString();
    }
  }
  return { type: event.type, pipelineRunId, timestamp, json: data === undefined ? null : JSON.stringify(data) };
}

/** Parses a stored payload back into an envelope (a NULL payload becomes an absent `data`, as it was emitted). */
export function envelopeFromRow(type: string, json: string | null): EventEnvelope {
  return json === null ? { type } : { type, data: JSON.parse(json) as unknown };
}
