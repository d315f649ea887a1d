import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ReportBuilder, isStoreTarget, readReportInput, renderReportHtml } from '../../report/index.js';
import type { ReportModel } from '../../report/index.js';
import { maskTarget } from '../../stores/index.js';
import type { CommandIo } from '../io.js';
import { main } from '../cli.js';

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

/** Parses `argv` as `stageflow-events report` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['report', ...argv], io);
}
