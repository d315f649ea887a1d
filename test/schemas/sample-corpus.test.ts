import { describe, expect, it } from 'vitest';
import { findEventDescriptor } from '../../generated/index.js';
import { sampleLines } from '../helpers/schemas.js';

// x-record lines hold helper return values; these three are the payloads of event types we cover
const RECORD_TYPES: Record<string, string> = {
  'x-record.child_run_tracker.metrics': 'metrics.child_run_tracker',
  'x-record.backpressure_sink.metrics': 'metrics.event_sink',
  'x-record.undelivered.context.truncation': 'context.truncation',
  'x-record.undelivered.stage.retry_exhausted': 'stage.retry_exhausted',
  'x-record.undelivered.stage.retry_scheduled': 'stage.retry_scheduled',
};

const lines = sampleLines();
const events = lines.filter((l) => !l.type.startsWith('x-record.'));

describe('the reference sample corpus', () => {
  it('has a schema for every event type it contains', () => {
    const unclaimed = [...new Set(events.map((l) => l.type))].filter((t) => findEventDescriptor(t) === undefined);
    expect(unclaimed).toEqual([]);
  });

  it.each(events.map((l) => [l.line, l.type, l.data] as const))('line %i (%s) validates', (_line, type, data) => {
    const d = findEventDescriptor(type);
    expect(d).toBeDefined();
    const ok = d!.validate(data);
    expect(d!.validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(lines.filter((l) => l.type in RECORD_TYPES).map((l) => [l.line, l.type, l.data] as const))(
    'line %i (%s) validates as the event it describes',
    (_line, type, data) => {
      const d = findEventDescriptor(RECORD_TYPES[type]!);
      expect(d!.validate(data)).toBe(true);
    },
  );
});
