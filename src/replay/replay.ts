import type { Readable } from 'node:stream';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { findEventDescriptor, findEventDescriptorVersion } from '../../generated/index.js';
import { ReplayError } from '../errors.js';
import { readLineBatches, type SourceSummary } from '../io/line-reader.js';
import { clip } from '../io/printable.js';
import type { EventDescriptor, EventSink, ValidationIssue } from '../runtime/types.js';
import { typeGlobMatcher } from '../sinks/type-glob.js';
import { findCustomEventDescriptor } from '../validation/custom-event-registry.js';
import { parseSnapshotLine, type SnapshotEvent } from './parse-snapshot-line.js';

/** Which events to replay: type globs, one pipeline run, or any predicate; all given conditions must hold. */
export interface ReplayFilterOptions {
  /** Type globs (`stage.*`, `tool.completed`). */
  readonly type?: string | readonly string[];
  /** Keep only events whose `data.pipeline_run_id` equals this. */
  readonly runId?: string;
  readonly predicate?: (event: SnapshotEvent) => boolean;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Where replayed events go, through `emit` (so a recorder or queue can push back). Default: nowhere (a dry run). */
  readonly sink?: EventSink;
  /** Re-validate each event against today's schemas, report drift, and replay only valid events. Default true. */
  readonly validate?: boolean;
  /** Replay invalid events too (they are still counted and reported). Default false. */
  readonly replayInvalid?: boolean;
  /** Keep the recorded gaps between events, divided by this factor; absent, 0 or Infinity replays as fast as possible. */
  readonly speed?: number;
  readonly filter?: ReplayFilterOptions | ((event: SnapshotEvent) => boolean);
  /** Lines longer than this are reported as corrupt without being buffered. Default 8 MiB. */
  readonly maxLineBytes?: number;
  /** Called with each corrupt line as it is found. */
  readonly onCorrupt?: (line: CorruptLine) => void;
  /** Distinct event types the drift map keeps; invalid events of further types are only counted (`driftOmitted`). Default 1000. */
  readonly maxDriftTypes?: number;
  /** Looks up a type's descriptor. Default: the generated catalogue, then custom events from `defineEvent`. */
  readonly describe?: (type: string) => EventDescriptor | undefined;
  /** How a gap is waited for (tests pass a recorder). Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Which schema version validates a record: `'record'` (default) the version the record states (`schema_version` of
   * our recorder's lines), the latest for bare `{type, data}` lines; `'latest'` always the latest; a number, that
   * version for every record.
   */
  readonly schemaVersion?: 'record' | 'latest' | number;
  /**
   * Carry records that state an older version forward through the upcasters (`upcasters/<type>.vN-to-vN+1.ts`) before
   * validating against the latest schema; replayed events carry the upcast data. Default false.
   */
  readonly upcast?: boolean;
  /** Looks up a type's descriptor at one version. Default: the generated versions. */
  readonly describeVersion?: (type: string, version: number) => EventDescriptor | undefined;
  /** Carries data forward to the latest version. Default: the generated upcaster chain. */
  readonly upcaster?: (
    type: string,
    version: number,
    data: unknown,
  ) => { data: unknown; version: number; steps: readonly string[] };
}

/** A line that could not be read as an event, numbered from 1. */
export interface CorruptLine {
  readonly line: number;
  readonly reason: string;
}

/** How one event type drifted from today's schema: invalid events and, per field (`instancePath`), how often it failed. */
export interface TypeDrift {
  count: number;
  /** The field paths that failed (`/status`, `/extra_key`), with counts; `''` is the payload itself. A null-prototype object holding at most 100 paths. */
  readonly fields: Record<string, number>;
  /** Failures at further field paths, counted but not listed. */
  omittedFields?: number;
  /** True when no schema claims this type any more. */
  unknown?: boolean;
}

/** What a replay did: every count, the drift per type and where the corrupt lines were. */
export interface ReplaySummary {
  /** Non-blank lines read, corrupt ones included. */
  read: number;
  replayed: number;
  invalid: number;
  corrupt: number;
  /** Events left out by the filter. */
  skipped: number;
  /**
   * Drift per event type: a null-prototype object (a type such as `__proto__` is an ordinary key), at most
   * `maxDriftTypes` types, each type cut to 200 characters.
   */
  readonly drift: Record<string, TypeDrift>;
  /** Invalid events whose type was not kept in `drift` because it already held `maxDriftTypes` types. */
  driftOmitted: number;
  readonly corruptLines: CorruptLine[];
  /** With `upcast`: how many records each step (`tool.invoked v1->v2`) carried forward. */
  readonly upcast: Record<string, number>;
  /** With `upcast`: records whose upcaster threw (they count as invalid). */
  upcastFailed: number;
  /** Events the sink refused or failed to take (its `emit` rejected); replay goes on with the next line. */
  sinkFailed: number;
  /** The first {@link MAX_SINK_FAILURES} of them, with the line, the event type and the sink's message. */
  readonly sinkFailures: SinkFailure[];
}

/** One event the sink did not take. */
export interface SinkFailure {
  readonly line: number;
  readonly type: string;
  readonly reason: string;
}

/** How many sink failures a summary lists (the rest are only counted). */
export const MAX_SINK_FAILURES = 10;

function never(): never {
  throw new Error('replay: no upcaster without the upcast option');
}

const MAX_DRIFT_FIELDS = 100;

/** The default type lookup: generated schemas first, then custom events from {@link defineEvent}. */
export function describeEventType(type: string): EventDescriptor | undefined {
  return findEventDescriptor(type) ?? findCustomEventDescriptor(type);
}

function fieldOf(issue: ValidationIssue): string {
  const p = issue.params;
  if (typeof p.additionalProperty === 'string') return `${issue.instancePath}/${p.additionalProperty}`;
  if (typeof p.missingProperty === 'string') return `${issue.instancePath}/${p.missingProperty}`;
  return issue.instancePath;
}

function compileFilter(filter: ReplayOptions['filter']): ((event: SnapshotEvent) => boolean) | undefined {
  if (filter === undefined || typeof filter === 'function') return filter;
  const type = filter.type === undefined ? undefined : typeGlobMatcher(filter.type);
  const runId = filter.runId;
  const predicate = filter.predicate;
  return (e) => {
    if (type !== undefined && !type(e.type)) return false;
    if (
      runId !== undefined &&
      (e.data === null || typeof e.data !== 'object' || (e.data as Record<string, unknown>).pipeline_run_id !== runId)
    )
      return false;
    return predicate === undefined || predicate(e);
  };
}

function timeOf(e: SnapshotEvent): number {
  if (e.recordedAt !== undefined) return Date.parse(e.recordedAt);
  const ts = e.data !== null && typeof e.data === 'object' ? (e.data as Record<string, unknown>).timestamp : undefined;
  return typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
}

/**
 * Streams a snapshot (a path, `-` for stdin, or a stream; NDJSON, gzip detected) in constant memory, re-validates each
 * event against today's schemas, and re-emits the valid ones in the original order into `sink`, optionally keeping the
 * recorded gaps; corrupt or torn lines are reported with their line numbers and skipped.
 */
export async function replay(source: string | Readable, options: ReplayOptions = {}): Promise<ReplaySummary> {
  const summary: ReplaySummary = {
    read: 0,
    replayed: 0,
    invalid: 0,
    corrupt: 0,
    skipped: 0,
    drift: Object.create(null) as Record<string, TypeDrift>,
    driftOmitted: 0,
    corruptLines: [],
    upcast: Object.create(null) as Record<string, number>,
    upcastFailed: 0,
    sinkFailed: 0,
    sinkFailures: [],
  };
  const maxDriftTypes = options.maxDriftTypes ?? 1000;
  let driftTypes = 0;
  const driftOf = (type: string): TypeDrift | undefined => {
    const key = clip(type);
    let d = summary.drift[key];
    if (d === undefined) {
      if (driftTypes >= maxDriftTypes) {
        summary.driftOmitted++;
        return undefined;
      }
      driftTypes++;
      d = { count: 0, fields: Object.create(null) as Record<string, number> };
      summary.drift[key] = d;
    }
    d.count++;
    return d;
  };
  const versionMode = options.schemaVersion ?? 'record';
  const describeVersion = options.describeVersion ?? findEventDescriptorVersion;
  // the chain imports the author's upcasters: loaded only when asked for, so a missing one fails only --upcast
  const upcaster =
    options.upcaster ??
    (options.upcast === true ? (await import('../../generated/upcasters.js')).upcastRecord : () => never());
  const validate = options.validate ?? true;
  const describe = options.describe ?? describeEventType;
  const filter = compileFilter(options.filter);
  const sink = options.sink;
  const speed =
    options.speed !== undefined && options.speed > 0 && Number.isFinite(options.speed) ? options.speed : undefined;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const maxLineBytes = options.maxLineBytes ?? 8 << 20;
  let lastTime = Number.NaN;
  let lastCorrupt: { line: number; reason: string } | undefined;
  const corrupt = (line: number, reason: string): void => {
    summary.corrupt++;
    const c = { line, reason };
    lastCorrupt = c;
    // keep the first thousand locations: a file of garbage must not grow the summary without bound
    if (summary.corruptLines.length < 1000) summary.corruptLines.push(c);
    options.onCorrupt?.(c);
  };
  const source$: { value?: SourceSummary } = {};
  try {
    for await (const batch of readLineBatches(source, { maxLineBytes }, source$)) {
      for (const line of batch) {
        if (line.tooLong) {
          summary.read++;
          corrupt(line.number, `line is ${line.bytes} bytes, over the ${maxLineBytes}-byte limit`);
          continue;
        }
        const text = line.text;
        // only a line that starts with whitespace can be blank: skip the trim on the hot path
        if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
        summary.read++;
        const parsed = parseSnapshotLine(text);
        if (typeof parsed === 'string') {
          corrupt(line.number, parsed);
          continue;
        }
        if (filter !== undefined && !filter(parsed)) {
          summary.skipped++;
          continue;
        }
        let data = parsed.data;
        let version = typeof parsed.schemaVersion === 'number' ? parsed.schemaVersion : undefined;
        let upcastError: string | undefined;
        if (options.upcast === true && version !== undefined) {
          const latest = describe(parsed.type);
          if (latest !== undefined && version < latest.version) {
            try {
              const r = upcaster(parsed.type, version, data);
              data = r.data;
              version = r.version;
              for (const step of r.steps) summary.upcast[step] = (summary.upcast[step] ?? 0) + 1;
            } catch (e) {
              upcastError = `upcaster failed: ${e instanceof Error ? e.message : String(e)}`;
              summary.upcastFailed++;
            }
          }
        }
        if (validate) {
          const latest = describe(parsed.type);
          const want = versionMode === 'latest' ? undefined : versionMode === 'record' ? version : versionMode;
          const d =
            want === undefined || latest === undefined || latest.version === want
              ? latest
              : describeVersion(parsed.type, want);
          let valid = true;
          if (upcastError !== undefined) {
            valid = false;
            const drift = driftOf(parsed.type);
            if (drift !== undefined) drift.fields[upcastError] = (drift.fields[upcastError] ?? 0) + 1;
          } else if (d === undefined) {
            valid = false;
            const drift = driftOf(parsed.type);
            if (drift !== undefined) {
              if (latest === undefined) drift.unknown = true;
              else {
                const f = `(no schema of version ${String(want)})`;
                drift.fields[f] = (drift.fields[f] ?? 0) + 1;
              }
            }
          } else if (!d.validate(data)) {
            valid = false;
            const drift = driftOf(parsed.type);
            if (drift !== undefined)
              for (const issue of d.validate.errors ?? []) {
                const f = clip(fieldOf(issue));
                const n = drift.fields[f];
                if (n !== undefined) drift.fields[f] = n + 1;
                else if (Object.keys(drift.fields).length < MAX_DRIFT_FIELDS) drift.fields[f] = 1;
                else drift.omittedFields = (drift.omittedFields ?? 0) + 1;
              }
          }
          if (!valid) {
            summary.invalid++;
            if (options.replayInvalid !== true) continue;
          }
        }
        if (speed !== undefined) {
          const t = timeOf(parsed);
          if (!Number.isNaN(t) && !Number.isNaN(lastTime) && t > lastTime) await sleep((t - lastTime) / speed);
          if (!Number.isNaN(t)) lastTime = t;
        }
        if (sink !== undefined) {
          try {
            const event: { type: string; data?: unknown; id?: string } = { type: parsed.type };
            if (data !== undefined) event.data = data;
            // a dead-letter line's event id travels with it: a store that keeps ids stores a re-sent event once
            if (parsed.eventId !== undefined) event.id = parsed.eventId;
            await sink.emit(event);
          } catch (e) {
            // one event the sink cannot take (a full disk, a value JSON cannot encode) must not stop the replay of
            // the good lines after it: count it, keep the first few reasons, go on
            summary.sinkFailed++;
            if (summary.sinkFailures.length < MAX_SINK_FAILURES)
              summary.sinkFailures.push({
                line: line.number,
                type: parsed.type,
                reason: e instanceof Error ? e.message : String(e),
              });
            continue;
          }
        }
        summary.replayed++;
      }
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    const where = typeof source === 'string' ? `'${source}'` : 'the input stream';
    throw new ReplayError(`replay: cannot read ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const end = source$.value;
  if (end?.missingFinalNewline && lastCorrupt !== undefined && lastCorrupt.line === end.lines)
    lastCorrupt.reason = `torn final line, no line break after it: ${lastCorrupt.reason}`;
  return summary;
}
