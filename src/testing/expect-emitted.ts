import type { EventEnvelope } from '../runtime/types.js';
import type { CollectingEventSink } from '../sinks/collecting-event-sink.js';

function matches(actual: unknown, expected: unknown): boolean {
  if (expected === actual) return true;
  if (expected === null || typeof expected !== 'object') return Object.is(expected, actual);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    return expected.every((v, i) => matches(actual[i], v));
  }
  const a = actual as Record<string, unknown>;
  // own keys only: an expected 'constructor' or 'toString' must not be found on Object.prototype
  return Object.entries(expected as Record<string, unknown>).every(([k, v]) =>
    v === undefined ? !Object.hasOwn(a, k) || a[k] === undefined : Object.hasOwn(a, k) && matches(a[k], v),
  );
}

function show(events: readonly EventEnvelope[]): string {
  if (events.length === 0) return 'none';
  return events.map((e) => `  ${e.type} ${JSON.stringify(e.data)}`).join('\n');
}

/**
 * Asserts that `sink` received at least one event of `type` (an exact type or a glob) whose data contains `partialData`
 * (objects matched recursively by subset, arrays and scalars exactly); returns the first such event, else throws
 * an error listing what was received.
 */
export function expectEmitted(sink: CollectingEventSink, type: string, partialData?: unknown): EventEnvelope {
  const candidates = sink.ofType(type);
  const hit = partialData === undefined ? candidates[0] : candidates.find((e) => matches(e.data, partialData));
  if (hit !== undefined) return hit;
  const want =
    partialData === undefined
      ? `an event '${type}'`
      : `an event '${type}' with data matching ${JSON.stringify(partialData)}`;
  const got =
    candidates.length > 0
      ? `events of that type:\n${show(candidates)}`
      : `types received: ${sink.types.length > 0 ? sink.types.join(', ') : 'none'}`;
  throw new Error(`expectEmitted: expected ${want}; ${got}`);
}

/** Asserts that `sink` received no event of `type` (exact or glob) matching `partialData` (any data when omitted). */
export function expectNotEmitted(sink: CollectingEventSink, type: string, partialData?: unknown): void {
  const hits = sink.ofType(type).filter((e) => partialData === undefined || matches(e.data, partialData));
  if (hits.length > 0)
    throw new Error(
      `expectNotEmitted: expected no event '${type}'${partialData === undefined ? '' : ` matching ${JSON.stringify(partialData)}`}; got:\n${show(hits)}`,
    );
}

/**
 * Asserts that events of the given types (exact or globs) were received in this order, not necessarily adjacent:
 * each is matched to the earliest event after the previous match.
 */
export function expectOrder(sink: CollectingEventSink, types: readonly string[]): void {
  const events = sink.events;
  let at = 0;
  for (let i = 0; i < types.length; i++) {
    const t = types[i] as string;
    const pool = sink.ofType(t);
    let found = -1;
    for (let j = at; j < events.length; j++) {
      if (pool.includes(events[j] as EventEnvelope)) {
        found = j;
        break;
      }
    }
    if (found === -1) {
      const where = pool.length === 0 ? 'it was never received' : 'it was only received before the previous one';
      throw new Error(
        `expectOrder: expected '${t}' (position ${i + 1} of [${types.join(', ')}]) after ${i === 0 ? 'the start' : `'${types[i - 1]}'`}, but ${where}; types received: ${sink.types.join(', ') || 'none'}`,
      );
    }
    at = found + 1;
  }
}
