import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ReportBuilder, isStoreTarget, readReportInput, renderReportHtml } from '../../report/index.js';
import type { ReportModel } from '../../report/index.js';
import { maskTarget } from '../../stores/index.js';
import type { CommandIo } from '../io.js';

const USAGE = `usage: stageflow-events report <snapshot|dir|store> [--out report.html] [--title <text>] [--max-payloads <n>]

Writes one self-contained HTML report (no network at view time) of the runs in a snapshot (NDJSON, gzip detected), a
directory of snapshots, or a store (sqlite:<path>, postgres://..., redis://...): a timeline per run with one bar per
stage attempt, child runs nested under their spawning stage, tool calls, approvals and stream events on their stage;
each run's outcome, error summary, correlation ids and trace id; stage duration percentiles from stage.wide events,
event counts by family and the validation findings of the input.

options:
  --out <file>         where to write the report (default: report.html beside the snapshot, in the directory, or
                       in the current directory for a store)
  --title <text>       the report's title (default: 'stageflow run report: <input>')
  --max-payloads <n>   keep at most n event payloads for click-to-inspect (default 50000)
  -h, --help           show this help

exit codes: 0 written, 1 written but the input had invalid or corrupt lines, 2 usage error or unreadable input`;

/** The parsed options of `stageflow-events report`. */
export interface ReportCommandOptions {
  readonly input: string;
  readonly out?: string;
  readonly title?: string;
  readonly maxPayloads?: number;
}

/** What {@link writeReport} did. */
export interface WrittenReport {
  readonly path: string;
  readonly bytes: number;
  readonly model: ReportModel;
}

/** Reads `input`, builds the model and writes the HTML report to `out`; the API behind the command and the demo. */
export async function writeReport(
  input: string,
  out: string,
  options: { readonly title?: string; readonly maxPayloads?: number } = {},
): Promise<WrittenReport> {
  const builder = new ReportBuilder({
    title: options.title ?? `stageflow run report: ${isStoreTarget(input) ? maskTarget(input) : basename(input)}`,
    ...(options.maxPayloads === undefined ? {} : { maxPayloads: options.maxPayloads }),
  });
  await readReportInput(input, builder);
  const model = builder.build();
  const html = renderReportHtml(model);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return { path: out, bytes: Buffer.byteLength(html), model };
}

/** `stageflow-events report` with already-parsed options; returns the exit code. */
export async function execute(options: ReportCommandOptions, io: CommandIo): Promise<number> {
  const store = isStoreTarget(options.input);
  const input = store ? options.input : resolve(io.cwd, options.input);
  if (!store && !existsSync(input)) {
    io.err(
      `stageflow-events report: '${options.input}' does not exist (expected a snapshot file, a directory or a store)`,
    );
    return 2;
  }
  const out =
    options.out !== undefined
      ? resolve(io.cwd, options.out)
      : store
        ? resolve(io.cwd, 'report.html')
        : statSync(input).isDirectory()
          ? resolve(input, 'report.html')
          : resolve(dirname(input), 'report.html');
  let written: WrittenReport;
  try {
    written = await writeReport(input, out, {
      ...(options.title === undefined ? {} : { title: options.title }),
      ...(options.maxPayloads === undefined ? {} : { maxPayloads: options.maxPayloads }),
    });
  } catch (e) {
    io.err(
      `stageflow-events report: cannot read '${store ? maskTarget(options.input) : options.input}': ${e instanceof Error ? e.message : String(e)}`,
    );
    return 2;
  }
  const t = written.model.totals;
  io.out(
    `stageflow-events report: ${t.runs} runs, ${t.attempts} stage attempts, ${t.events} events, ${t.invalid} invalid, ${t.corrupt} corrupt`,
  );
  io.out(`report: ${written.path} (${written.bytes} bytes)`);
  return t.invalid + t.corrupt > 0 ? 1 : 0;
}

/** The argv entry point for the dispatcher in main.ts. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        title: { type: 'string' },
        'max-payloads': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`stageflow-events report: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.out(USAGE);
    return 0;
  }
  const [input, ...extra] = parsed.positionals;
  if (input === undefined || extra.length > 0) {
    io.err(`stageflow-events report: expected exactly one input (a snapshot, a directory or a store)\n${USAGE}`);
    return 2;
  }
  const raw = parsed.values['max-payloads'];
  let maxPayloads: number | undefined;
  if (typeof raw === 'string') {
    maxPayloads = Number(raw);
    if (!Number.isInteger(maxPayloads) || maxPayloads < 0) {
      io.err(`stageflow-events report: '--max-payloads' expects a whole number >= 0, got '${raw}'`);
      return 2;
    }
  }
  const out = parsed.values.out;
  const title = parsed.values.title;
  return execute(
    {
      input,
      ...(typeof out === 'string' ? { out } : {}),
      ...(typeof title === 'string' ? { title } : {}),
      ...(maxPayloads === undefined ? {} : { maxPayloads }),
    },
    io,
  );
}
