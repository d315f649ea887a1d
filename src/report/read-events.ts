import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLineBatches } from '../io/line-reader.js';
import { describeEventType } from '../replay/replay.js';
import { parseSnapshotLine } from '../replay/parse-snapshot-line.js';
import { storeSourceFromTarget } from '../stores/index.js';
import type { EventDescriptor } from '../runtime/types.js';
import type { ReportBuilder } from './model.js';

/** What {@link readReportInput} read. */
export interface ReportInputSummary {
  readonly sources: readonly string[];
  readonly events: number;
  readonly findings: number;
}

/** Whether `input` names a store (`sqlite:`, `postgres://`, `postgresql://`, `redis://`) rather than a path. */
export function isStoreTarget(input: string): boolean {
  return /^(sqlite:|postgres(ql)?:\/\/|rediss?:\/\/)/.test(input);
}

/** The snapshot files of a directory: `*.ndjson`, `*.ndjson.gz`, `*.jsonl`, sorted by name. */
export function snapshotFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ndjson|jsonl)(\.gz)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function issueText(d: EventDescriptor): string[] {
  return (d.validate.errors ?? []).map((i) => {
    const p = i.params as Record<string, unknown>;
    const extra =
      typeof p.additionalProperty === 'string'
        ? `: '${p.additionalProperty}'`
        : typeof p.missingProperty === 'string'
          ? ''
          : '';
    return `${i.instancePath || '/'} ${i.message ?? 'is invalid'}${extra}`;
  });
}

function check(
  builder: ReportBuilder,
  source: string,
  line: number | null,
  type: string,
  data: unknown,
  describe: (type: string) => EventDescriptor | undefined,
): void {
  const d = describe(type);
  if (d === undefined)
    builder.addFinding({ source, line, type, errors: [`no schema defines the event type '${type}'`] });
  else if (!d.validate(data)) builder.addFinding({ source, line, type, errors: issueText(d) });
}

/**
 * Reads a snapshot file (NDJSON, gzip detected), a directory of snapshots, or a store (`sqlite:<path>`,
 * `postgres://...`, `redis://...`) into `builder`, validating every event against today's schemas: invalid events are
 * still added (they happened) and also recorded as findings; corrupt lines become findings only.
 */
export async function readReportInput(
  input: string,
  builder: ReportBuilder,
  options: { readonly describe?: (type: string) => EventDescriptor | undefined } = {},
): Promise<ReportInputSummary> {
  const describe = options.describe ?? describeEventType;
  let events = 0;
  let findings = 0;
  const counting = {
    add: (e: Parameters<ReportBuilder['add']>[0]) => {
      events++;
      builder.add(e);
    },
  };
  if (isStoreTarget(input)) {
    const source = storeSourceFromTarget(input);
    if (source === undefined) throw new Error(`'${input}' is not a store this command can read`);
    try {
      for await (const batch of source.batches()) {
        for (const e of batch) {
          const before = builder.findingCount;
          check(builder, source.name, null, e.type, e.data, describe);
          findings += builder.findingCount - before;
          counting.add({ type: e.type, data: e.data, source: source.name });
        }
      }
    } finally {
      await source.close();
    }
    return { sources: [source.name], events, findings };
  }
  const files = statSync(input).isDirectory() ? snapshotFilesIn(input) : [input];
  for (const file of files) {
    for await (const batch of readLineBatches(file)) {
      for (const line of batch) {
        if (line.tooLong) {
          builder.addFinding({ source: file, line: line.number, type: null, errors: [`line is ${line.bytes} bytes`] });
          findings++;
          continue;
        }
        const text = line.text;
        if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
        const parsed = parseSnapshotLine(text);
        if (typeof parsed === 'string') {
          builder.addFinding({ source: file, line: line.number, type: null, errors: [parsed] });
          findings++;
          continue;
        }
        const before = builder.findingCount;
        check(builder, file, line.number, parsed.type, parsed.data, describe);
        findings += builder.findingCount - before;
        counting.add({
          type: parsed.type,
          data: parsed.data,
          ...(parsed.recordedAt === undefined ? {} : { recordedAt: parsed.recordedAt }),
          source: file,
          line: line.number,
        });
      }
    }
  }
  return { sources: files, events, findings };
}
