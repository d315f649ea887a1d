import { escapeControl } from '../../io/printable.js';
import { isAbsolute, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ContractError } from '../../errors.js';
import {
  parseSinkTarget,
  replay,
  type ReplayOptions,
  type ReplaySummary,
  type SinkFactory,
} from '../../replay/index.js';
import type { EventSink } from '../../runtime/types.js';
import type { CommandIo } from '../io.js';
import { maskTarget, storeSourceFromTarget, type StoreSource } from '../../stores/index.js';

const USAGE = `usage: stageflow-events replay <file|-> [options]
       stageflow-events replay --from <sqlite:path|postgres://...|redis://...?group=G&consumer=C> [options]

Streams a snapshot (our recorder's NDJSON, bare {"type","data"} lines, gzip too) through today's schemas,
reports drift per type and corrupt lines, and re-emits the valid events in the original order.

options:
  --to <target>           deliver what is replayed: ndjson:<path> (a new snapshot), sqlite:<path>,
                          postgres://user:pass@host/db or redis://host:port/db (default: nowhere, a dry run)
  --from <store>          read stored events instead of a file: sqlite:<path>, postgres://..., redis://...
  --speed <n>             keep the recorded gaps divided by n (default: as fast as possible)
  --type <glob>           replay only these types (repeatable: --type 'stage.*' --type tool.completed)
  --run <pipeline_run_id> replay only events of this pipeline run
  --no-validate           skip re-validation (and drift)
  --schema-version <v>    which schema version validates a record: record (default: the version the line states,
                          the latest for bare {type, data} lines), latest, or a number
  --upcast                carry records of an older version forward through upcasters/ before validating against
                          the latest schema (replayed events carry the upcast data); prints each step's count
  --format text|json      summary format (default text)

exit codes: 0 everything valid and delivered, 1 an event was invalid, a line corrupt or an event not delivered
(dead-lettered or dropped by a store), 2 usage or read error, or a write to the target failed`;

const MAX_SINK_ERRORS = 10;

/** `stageflow-events replay`: replays a snapshot into a sink and prints a summary; exit 0 clean, 1 invalid or corrupt lines, 2 usage or read error. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let file: string;
  let format: 'text' | 'json';
  let sinkFactory: SinkFactory | undefined;
  let from: StoreSource | undefined;
  const options: { -readonly [K in keyof ReplayOptions]: ReplayOptions[K] } = {};
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        from: { type: 'string' },
        speed: { type: 'string' },
        type: { type: 'string', multiple: true },
        run: { type: 'string' },
        'no-validate': { type: 'boolean' },
        'schema-version': { type: 'string' },
        upcast: { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    if (values.from !== undefined) {
      if (positionals.length !== 0) throw new ContractError('usage', 'give either an input file or --from, not both');
      from = storeSourceFromTarget(values.from);
      if (from === undefined)
        throw new ContractError(
          'usage',
          `--from: expected sqlite:<path>, postgres://... or redis://..., got '${maskTarget(values.from)}'`,
        );
      file = from.name;
    } else {
      if (positionals.length !== 1)
        throw new ContractError('usage', `expected exactly one input file (or - for stdin), got ${positionals.length}`);
      file = positionals[0] as string;
    }
    format = (values.format ?? 'text') as 'text' | 'json';
    if (format !== 'text' && format !== 'json')
      throw new ContractError('usage', `--format: expected text or json, got '${values.format}'`);
    if (values.speed !== undefined) {
      const speed = Number(values.speed);
      if (!(speed > 0)) throw new ContractError('usage', `--speed: expected a positive number, got '${values.speed}'`);
      options.speed = speed;
    }
    if (values.to !== undefined) {
      const target =
        values.to.startsWith('ndjson:') && !isAbsolute(values.to.slice(7))
          ? `ndjson:${resolve(io.cwd, values.to.slice(7))}`
          : values.to;
      sinkFactory = parseSinkTarget(target);
    }
    if (values.type !== undefined || values.run !== undefined)
      options.filter = {
        ...(values.type === undefined ? {} : { type: values.type }),
        ...(values.run === undefined ? {} : { runId: values.run }),
      };
    if (values['no-validate'] === true) options.validate = false;
    if (values.upcast === true) options.upcast = true;
    if (values['schema-version'] !== undefined) options.schemaVersion = parseSchemaVersion(values['schema-version']);
  } catch (e) {
    io.err(`stageflow-events replay: ${e instanceof Error ? e.message : String(e)}`);
    io.err("run 'stageflow-events replay --help' for usage");
    return 2;
  }
  const source =
    from !== undefined
      ? storeStream(from)
      : file === '-'
        ? (io.stdin as unknown as Readable)
        : isAbsolute(file)
          ? file
          : resolve(io.cwd, file);
  let sink: EventSink | undefined;
  try {
    // the sink's own failures (a store's server message, a failed write), the first few of them
    let sinkErrors = 0;
    sink = sinkFactory?.({
      onError: (message) => {
        if (++sinkErrors <= MAX_SINK_ERRORS) io.err(`stageflow-events replay: sink: ${escapeControl(message)}`);
        else if (sinkErrors === MAX_SINK_ERRORS + 1) io.err('stageflow-events replay: sink: further errors not shown');
      },
    });
  } catch (e) {
    io.err(`stageflow-events replay: ${e instanceof Error ? e.message : String(e)}`);
    await from?.close();
    return 2;
  }
  if (sink !== undefined) options.sink = sink;
  let summary: ReplaySummary;
  try {
    summary = await replay(source, options);
  } catch (e) {
    io.err(`stageflow-events replay: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  } finally {
    await sink?.shutdown?.();
  }
  const delivery = deliveryOf(sink);
  if (format === 'json') io.out(JSON.stringify({ file, ...summary, ...(delivery ? { delivery } : {}) }));
  else {
    printText(file, summary, io);
    if (delivery)
      io.out(`delivered ${delivery.delivered}, dead-lettered ${delivery.deadLettered}, dropped ${delivery.dropped}`);
  }
  const undelivered = delivery !== undefined && delivery.deadLettered + delivery.dropped > 0;
  return summary.invalid > 0 || summary.corrupt > 0 || undelivered ? 1 : 0;
}

/** Parses `--schema-version`: `record`, `latest` or a positive integer. */
export function parseSchemaVersion(v: string): 'record' | 'latest' | number {
  if (v === 'record' || v === 'latest') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new ContractError('usage', `--schema-version: expected record, latest or a positive integer, got '${v}'`);
  return n;
}

// a store's delivery counters, when the sink keeps them (the production store sinks do)
function deliveryOf(
  sink: EventSink | undefined,
): { delivered: number; deadLettered: number; dropped: number } | undefined {
  const m = (sink as { metrics?: { delivered?: unknown; deadLettered?: unknown; dropped?: unknown } } | undefined)
    ?.metrics;
  if (
    m === undefined ||
    typeof m.delivered !== 'number' ||
    typeof m.deadLettered !== 'number' ||
    typeof m.dropped !== 'number'
  )
    return undefined;
  return { delivered: m.delivered, deadLettered: m.deadLettered, dropped: m.dropped };
}

// stored events as NDJSON bytes, so replay validates, filters and summarises them exactly like a file
function storeStream(from: StoreSource): Readable {
  return Readable.from(
    (async function* () {
      try {
        for await (const batch of from.batches())
          yield Buffer.from(batch.map((e) => `${JSON.stringify({ type: e.type, data: e.data })}\n`).join(''));
      } finally {
        await from.close();
      }
    })(),
  );
}

function printText(file: string, s: ReplaySummary, io: CommandIo): void {
  for (const c of s.corruptLines) io.out(`${file}:${c.line}: corrupt line skipped: ${escapeControl(c.reason)}`);
  if (s.corrupt > s.corruptLines.length)
    io.out(`${file}: ${s.corrupt - s.corruptLines.length} more corrupt lines not listed`);
  for (const [type, d] of Object.entries(s.drift).sort(([a], [b]) => a.localeCompare(b))) {
    const fields = Object.entries(d.fields)
      .sort((a, b) => b[1] - a[1])
      .map(([f, n]) => `${escapeControl(f) || '/'} (${n})`)
      .join(', ');
    const more = d.omittedFields ? `, ${d.omittedFields} more at other fields` : '';
    io.out(
      `drift '${escapeControl(type)}': ${d.count} invalid${d.unknown === true ? ', no schema claims this type' : ''}${fields ? `; fields: ${fields}${more}` : ''}`,
    );
  }
  if (s.driftOmitted > 0) io.out(`drift: ${s.driftOmitted} more invalid events of types not listed`);
  for (const [step, n] of Object.entries(s.upcast).sort(([a], [b]) => a.localeCompare(b)))
    io.out(`upcast ${step}: ${n} records`);
  if (s.upcastFailed > 0) io.out(`upcast failed: ${s.upcastFailed} records (their upcaster threw)`);
  io.out(
    `${file}: read ${s.read}, replayed ${s.replayed}, invalid ${s.invalid}, corrupt ${s.corrupt}, skipped ${s.skipped}`,
  );
}
