// snapshot replay: stream a recorded NDJSON file through today's schemas into a sink
export { describeEventType, replay } from './replay.js';
export type {
  CorruptLine,
  ReplayFilterOptions,
  ReplayOptions,
  ReplaySummary,
  SinkFailure,
  TypeDrift,
} from './replay.js';
export { parseSnapshotLine } from './parse-snapshot-line.js';
export type { CorruptReason, SnapshotEvent } from './parse-snapshot-line.js';
export { describeSchema, parseSinkTarget } from './parse-sink-target.js';
export type { SinkFactory, SinkHooks } from './parse-sink-target.js';
