// the replay-corpus gate of `diff --corpus`: replays recorded events (after upcasting, when asked) against the new
// schemas and counts, per event type, the real records the change would reject
import { createValidators, type SchemaSet } from '../evolution/index.js';
import { readLineBatches } from '../io/line-reader.js';
import { parseSnapshotLine } from '../replay/parse-snapshot-line.js';
import { expandInputs } from './payload-files.js';

/** What the corpus says about one event type. */
export interface CorpusTypeResult {
  readonly eventType: string;
  records: number;
  /** Records the new schemas reject (no schema claims the type, or its payload does not validate). */
  rejected: number;
  /** Records carried forward by an upcaster before validating. */
  upcast: number;
  /** Where the first rejected record is: `file:line`. */
  firstRejected?: string;
}

/** The corpus gate's result. */
export interface CorpusResult {
  readonly files: number;
  readonly records: number;
  readonly rejected: number;
  readonly corrupt: number;
  readonly types: readonly CorpusTypeResult[];
}

interface NewSchema {
  readonly file: string;
  readonly type: string;
  readonly pattern: RegExp | undefined;
  readonly version: number;
}

function newSchemas(set: SchemaSet): NewSchema[] {
  const out: NewSchema[] = [];
  for (const [file, json] of set) {
    if (json === null || typeof json !== 'object') continue;
    const j = json as Record<string, unknown>;
    const type = j['x-event-type'] ?? j['x-event-type-template'];
    if (typeof type !== 'string') continue;
    const pattern = typeof j['x-event-type-pattern'] === 'string' ? new RegExp(j['x-event-type-pattern']) : undefined;
    out.push({ file, type, pattern, version: typeof j['x-version'] === 'number' ? j['x-version'] : 1 });
  }
  return out;
}

/**
 * Replays every record of `inputs` (snapshot files or folders, NDJSON or gzip) against `newSet`: a record is checked
 * against the new schema of the version it states (the latest for bare `{type, data}` lines); with `upcaster`, a
 * record of an older version is first carried forward to the latest.
 */
export async function corpusGate(
  newSet: SchemaSet,
  inputs: readonly string[],
  cwd: string,
  upcaster?: (
    type: string,
    version: number,
    data: unknown,
  ) => { data: unknown; version: number; steps: readonly string[] },
): Promise<CorpusResult> {
  const accepts = createValidators(newSet);
  const schemas = newSchemas(newSet);
  const find = (type: string): NewSchema[] =>
    schemas.filter((s) => (s.pattern === undefined ? s.type === type : s.pattern.test(type)));
  const byType = new Map<string, CorpusTypeResult>();
  let records = 0;
  let rejected = 0;
  let corrupt = 0;
  const files = expandInputs(inputs, cwd);
  for (const input of files) {
    for await (const batch of readLineBatches(input.path)) {
      for (const line of batch) {
        if (line.tooLong || line.text.trim() === '') {
          if (line.tooLong) corrupt++;
          continue;
        }
        const parsed = parseSnapshotLine(line.text);
        if (typeof parsed === 'string') {
          corrupt++;
          continue;
        }
        records++;
        const candidates = find(parsed.type);
        const key = candidates[0]?.type ?? parsed.type;
        let r = byType.get(key);
        if (r === undefined) {
          r = { eventType: key, records: 0, rejected: 0, upcast: 0 };
          byType.set(key, r);
        }
        r.records++;
        const latest = candidates.reduce<NewSchema | undefined>(
          (a, b) => (a && a.version >= b.version ? a : b),
          undefined,
        );
        let data = parsed.data;
        let version = typeof parsed.schemaVersion === 'number' ? parsed.schemaVersion : latest?.version;
        let ok = latest !== undefined;
        if (ok && upcaster !== undefined && version !== undefined && latest !== undefined && version < latest.version) {
          try {
            const up = upcaster(parsed.type, version, data);
            data = up.data;
            version = up.version;
            if (up.steps.length > 0) r.upcast++;
          } catch {
            ok = false;
          }
        }
        const schema = candidates.find((s) => s.version === version);
        ok = ok && schema !== undefined && accepts(schema.file, data);
        if (!ok) {
          rejected++;
          r.rejected++;
          r.firstRejected ??= `${input.display}:${line.number}`;
        }
      }
    }
  }
  return {
    files: files.length,
    records,
    rejected,
    corrupt,
    types: [...byType.values()].sort((a, b) => (a.eventType < b.eventType ? -1 : 1)),
  };
}

/** The recommended bump from the static verdict and the corpus (see the README's rule). */
export function recommendBump(
  staticVerdict: 'compatible' | 'breaking' | 'unknown',
  changedTypes: number,
  corpus: CorpusResult | undefined,
): 'none' | 'minor' | 'major' {
  if (staticVerdict === 'compatible' && (corpus === undefined || corpus.rejected === 0))
    return changedTypes === 0 ? 'none' : 'minor';
  return 'major';
}

/** Text lines for the corpus part of the diff report. */
export function formatCorpus(c: CorpusResult, bump: string): string[] {
  const lines = [
    '',
    `corpus: ${c.records} records in ${c.files} files${c.corrupt ? ` (${c.corrupt} corrupt lines skipped)` : ''}`,
  ];
  for (const t of c.types) {
    const pct = t.records === 0 ? 0 : (100 * (t.records - t.rejected)) / t.records;
    lines.push(
      `  ${t.eventType}: ${t.records} records, ${t.rejected} rejected by the new schemas (${pct.toFixed(1)}% still validate)${t.upcast ? `, ${t.upcast} upcast` : ''}${t.firstRejected ? `; first rejected at ${t.firstRejected}` : ''}`,
    );
  }
  lines.push(`recommended bump: ${bump} (static verdict and corpus together; see the README's rule)`);
  return lines;
}
