import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ContractError } from '../../errors.js';
import { parseSinkTarget, replay, type ReplayOptions, type ReplaySummary } from '../../replay/index.js';
import type { EventSink } from '../../sinks/event-sink.js';
import type { CommandIo } from '../io.js';

const USAGE = `usage: stageflow-events replay <file|-> [options]

Streams a snapshot (our recorder's NDJSON, bare {"type","data"} lines, gzip too) through today's schemas,
reports drift per type and corrupt lines, and re-emits the valid events in the original order.

options:
  --to ndjson:<path>      record what is replayed into a new snapshot (default: nowhere, a dry run)
  --speed <n>             keep the recorded gaps divided by n (default: as fast as possible)
  --type <glob>           replay only these types (repeatable: --type 'stage.*' --type tool.completed)
  --run <pipeline_run_id> replay only events of this pipeline run
  --no-validate           skip re-validation (and drift)
  --format text|json      summary format (default text)

exit codes: 0 everything valid, 1 an event was invalid or a line corrupt, 2 usage or read error`;

/** `stageflow-events replay`: replays a snapshot into a sink and prints a summary; exit 0 clean, 1 invalid or corrupt lines, 2 usage or read error. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let file: string;
  let format: 'text' | 'json';
  let sinkFactory: (() => EventSink) | undefined;
  const options: { -readonly [K in keyof ReplayOptions]: ReplayOptions[K] } = {};
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        speed: { type: 'string' },
        type: { type: 'string', multiple: true },
        run: { type: 'string' },
        'no-validate': { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new ContractError('usage', `expected exactly one input file (or - for stdin), got ${positionals.length}`);
    file = positionals[0] as string;
    format = (values.format ?? 'text') as 'text' | 'json';
    if (format !== 'text' && format !== 'json') throw new ContractError('usage', `--format: expected text or json, got '${values.format}'`);
    if (values.speed !== undefined) {
      const speed = Number(values.speed);
      if (!(speed > 0)) throw new ContractError('usage', `--speed: expected a positive number, got '${values.speed}'`);
      options.speed = speed;
    }
    if (values.to !== undefined) {
      const target = values.to.startsWith('ndjson:') && !isAbsolute(values.to.slice(7)) ? `ndjson:${resolve(io.cwd, values.to.slice(7))}` : values.to;
      sinkFactory = parseSinkTarget(target);
    }
    if (values.type !== undefined || values.run !== undefined) options.filter = { ...(values.type === undefined ? {} : { type: values.type }), ...(values.run === undefined ? {} : { runId: values.run }) };
    if (values['no-validate'] === true) options.validate = false;
  } catch (e) {
    io.err(`stageflow-events replay: ${e instanceof Error ? e.message : String(e)}`);
    io.err("run 'stageflow-events replay --help' for usage");
    return 2;
  }
  const source = file === '-' ? (io.stdin as unknown as import('node:stream').Readable) : isAbsolute(file) ? file : resolve(io.cwd, file);
  const sink = sinkFactory?.();
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
  if (format === 'json') io.out(JSON.stringify({ file, ...summary }));
  else printText(file, summary, io);
  return summary.invalid > 0 || summary.corrupt > 0 ? 1 : 0;
}

function printText(file: string, s: ReplaySummary, io: CommandIo): void {
  for (const c of s.corruptLines) io.out(`${file}:${c.line}: corrupt line skipped: ${c.reason}`);
  if (s.corrupt > s.corruptLines.length) io.out(`${file}: ${s.corrupt - s.corruptLines.length} more corrupt lines not listed`);
  for (const [type, d] of Object.entries(s.drift).sort(([a], [b]) => a.localeCompare(b))) {
    const fields = Object.entries(d.fields)
      .sort((a, b) => b[1] - a[1])
      .map(([f, n]) => `${f || '/'} (${n})`)
      .join(', ');
    io.out(`drift '${type}': ${d.count} invalid${d.unknown === true ? ', no schema claims this type' : ''}${fields ? `; fields: ${fields}` : ''}`);
  }
  io.out(`${file}: read ${s.read}, replayed ${s.replayed}, invalid ${s.invalid}, corrupt ${s.corrupt}, skipped ${s.skipped}`);
}
