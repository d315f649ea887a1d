// events with a unique id in their data, so that store tests can check "exactly once" after faults
import { readFileSync, existsSync } from 'node:fs';
import type { EventEnvelope } from '../../src/runtime/types.js';

export interface TestEventData {
  readonly id: string;
  readonly pipeline_run_id: string;
  readonly timestamp: string;
  readonly n: number;
}

export function makeEvents(
  count: number,
  prefix = 'e',
  runId = '3f0c2a86-6a53-4b53-9d1e-1c1a8f0b2a01',
): EventEnvelope<string, TestEventData>[] {
  const out: EventEnvelope<string, TestEventData>[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      type: i % 3 === 0 ? 'stage.llm.completed' : 'tool.invoked',
      data: {
        id: `${prefix}-${i}`,
        pipeline_run_id: runId,
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
        n: i,
      },
    });
  }
  return out;
}

export function idsOf(events: readonly EventEnvelope[]): string[] {
  return events.map((e) => (e.data as { id: string }).id);
}

/** One dead-letter line as written: the event, its idempotency key and why it was not stored. */
export interface DeadLetterRecord {
  readonly type: string;
  readonly data?: unknown;
  readonly event_id: string;
  readonly error: string;
}

export function readDeadLetterRecords(path: string): DeadLetterRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DeadLetterRecord);
}

/** The dead-lettered events as `{type, data}` (without their id and reason). */
export function readDeadLetter(path: string): EventEnvelope[] {
  return readDeadLetterRecords(path).map((r) => ('data' in r ? { type: r.type, data: r.data } : { type: r.type }));
}

/** Checks that every expected id occurs exactly once across the given lists; returns the missing and duplicated ids. */
export function exactlyOnce(
  expected: readonly string[],
  ...found: (readonly string[])[]
): { missing: string[]; duplicated: string[] } {
  const counts = new Map<string, number>();
  for (const list of found) for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
  return {
    missing: expected.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, c]) => c > 1).map(([id]) => id),
  };
}
