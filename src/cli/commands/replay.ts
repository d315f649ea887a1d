import { escapeControl } from '../../io/printable.js';
import { isAbsolute, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ContractError } from '../../errors.js';
import {
  parseSinkTarget,
  replay,
  type ReplayOptions,
  type ReplaySummary,
  type SinkFactory,
} from '../../replay/index.js';
import type { EventSink } from '../../runtime/types.js';
import { type CommandIo, UsageError } from '../io.js';
import { main } from '../cli.js';
import { maskTarget, storeSourceFromTarget, type StoreSource } from '../../stores/index.js';

const MAX_SINK_ERRORS = 10;

/** `stageflow-events replay`: replays a snapshot into a sink and prints a summary; exit 0 clean, 1 invalid or corrupt lines, 2 usage or read error. */
/** Parsed `replay` options (see src/cli/program.ts). */
export interface ReplayCommandOptions {
  readonly to?: string | undefined;
  readonly from?: string | undefined;
  readonly speed?: number | undefined;
  readonly type?: readonly string[] | undefined;
  readonly run?: string | undefined;
  readonly validate: boolean;
  readonly schemaVersion?: string | undefined;
  readonly upcast?: boolean | undefined;
  readonly format: 'text' | 'json';
}

export async function execute(input: string | undefined, values: ReplayCommandOptions, io: CommandIo): Promise<number> {
  let file: string;
  const format = values.format;
  let sinkFactory: SinkFactory | undefined;
  let from: StoreSource | undefined;
  const options: { -readonly [K in keyof ReplayOptions]: ReplayOptions[K] } = {};
  if (values.from !== undefined) {
    if (input !== undefined) throw new UsageError('give either an input file or --from, not both');
    from = storeSourceFromTarget(values.from);
    if (from === undefined)
      throw new UsageError(
        `--from: expected sqlite:<path>, postgres://... or redis://..., got '${maskTarget(values.from)}'`,
      );
    file = from.name;
  } else {
    if (input === undefined) throw new UsageError('expected one input file (or - for stdin), or --from <store>');
    file = input;
  }
  if (values.speed !== undefined) options.speed = values.speed;
  try {
    if (values.to !== undefined) {
      const target =
        values.to.startsWith('ndjson:') && !isAbsolute(values.to.slice(7))
          ? `ndjson:${resolve(io.cwd, values.to.slice(7))}`
          : values.to;
      sinkFactory = parseSinkTarget(target);
    }
    if (values.upcast === true) options.upcast = true;
    if (values.schemaVersion !== undefined) options.schemaVersion = parseSchemaVersion(values.schemaVersion);
  } catch (e) {
    await from?.close();
    if (e instanceof ContractError) throw new UsageError(e.message);
    throw e;
  }
  if (values.type !== undefined || values.run !== undefined)
    options.filter = {
      ...(values.type === undefined ? {} : { type: [...values.type] }),
      ...(values.run === undefined ? {} : { runId: values.run }),
    };
  if (!values.validate) options.validate = false;
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
  // events the sink did not take: named on stderr (the good lines after them were still replayed), exit 2
  for (const f of summary.sinkFailures)
    io.err(
      `stageflow-events replay: the sink failed on line ${f.line} (event '${escapeControl(f.type)}'): ${escapeControl(f.reason)}`,
    );
  if (summary.sinkFailed > summary.sinkFailures.length)
    io.err(
      `stageflow-events replay: the sink failed on ${summary.sinkFailed - summary.sinkFailures.length} more events`,
    );
  if (summary.sinkFailed > 0) return 2;
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
    `${file}: read ${s.read}, replayed ${s.replayed}, invalid ${s.invalid}, corrupt ${s.corrupt}, skipped ${s.skipped}${s.sinkFailed > 0 ? `, not taken by the sink ${s.sinkFailed}` : ''}`,
  );
}

/** Parses `argv` as `stageflow-events replay` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['replay', ...argv], io);
}
