import { bareOption } from '../check-range.js';
import { printReport, ReportBuilder } from '../findings.js';
import type { CommandIo } from '../io.js';
import { main } from '../cli.js';
import type { PayloadOptions } from '../program.js';
import { checkInputs as checkAll, expandInputs, InputError, type PayloadInput } from '../payload-files.js';
import { ProgressBar } from '../progress-bar.js';
import { freeCores, startCheckPool } from '../check-pool.js';

// below this many bytes of plain files, starting workers (each loads every validator) costs more than it saves
const PARALLEL_MIN_BYTES = 16 << 20;

/**
 * How many threads check (the main thread and up to this many minus one workers): `--jobs`; by default the free cores
 * when the plain files add up to 16 MiB or more, else 1 (the main thread alone).
 */
export async function jobsFor(
  args: Pick<PayloadOptions, 'jobs'>,
  inputs: readonly PayloadInput[],
  free: () => Promise<number> = freeCores,
): Promise<number> {
  if (args.jobs !== undefined) return args.jobs;
  let bytes = 0;
  for (const input of inputs) if (input.stream !== true && input.path !== '-') bytes += input.bytes;
  return bytes < PARALLEL_MIN_BYTES ? 1 : await free();
}

export { bareOption } from '../check-range.js';

/** Checks every input into `report`, drawing a progress bar on a terminal stderr; returns false when an input could not be read. */
export async function checkInputs(
  inputs: readonly PayloadInput[],
  report: ReportBuilder,
  args: PayloadOptions,
  io: CommandIo,
  command: string,
): Promise<boolean> {
  const upcastCounts = new Map<string, number>();
  const options = {
    allowUnknown: args.allowUnknown,
    maxLineBytes: args.maxLineBytes,
    bare: bareOption(args.schema),
    schemaVersion: args.schemaVersion ?? 'record',
    ...(args.upcast === true
      ? {
          // the chain imports the author's upcasters: loaded only for --upcast
          upcast: (await import('../../../generated/upcasters.js')).upcastRecord,
          onUpcast: (steps: readonly string[]) => {
            for (const s of steps) upcastCounts.set(s, (upcastCounts.get(s) ?? 0) + 1);
          },
        }
      : {}),
  };
  const bar = io.stderrIsTty ? new ProgressBar((chunk) => io.writeErr(chunk)) : undefined;
  const progress =
    bar === undefined ? {} : { onBytes: (input: PayloadInput, n: number) => bar.update(input.display, n, input.bytes) };
  const jobs = await jobsFor(args, inputs);
  let ok = true;
  await checkAll(inputs, report, {
    options,
    progress,
    maxFindings: args.maxFindings,
    threads: jobs,
    ...(jobs > 1
      ? {
          // the main thread checks too: n jobs are the main thread and up to n - 1 workers
          pool: (workers: number) =>
            startCheckPool(workers, {
              allowUnknown: args.allowUnknown,
              schema: args.schema,
              schemaVersion: args.schemaVersion ?? 'record',
              upcast: args.upcast === true,
              maxLineBytes: args.maxLineBytes,
              maxFindings: args.maxFindings,
            }),
        }
      : {}),
    onError: (input, e) => {
      bar?.done();
      io.err(`stageflow-events ${command}: cannot read ${input.display}: ${e.message}`);
      ok = false;
    },
    onUpcasts: (counts) => {
      for (const [s, n] of counts) upcastCounts.set(s, (upcastCounts.get(s) ?? 0) + n);
    },
  });
  bar?.done();
  for (const [step, n] of [...upcastCounts].sort(([a], [b]) => a.localeCompare(b)))
    io.err(`stageflow-events ${command}: upcast ${step}: ${n} records`);
  return ok;
}

/** `stageflow-events validate`: checks payload files against the contract and prints a report; exit 0 valid, 1 invalid, 2 usage or read error. */
export async function execute(argv: readonly string[], args: PayloadOptions, io: CommandIo): Promise<number> {
  bareOption(args.schema);
  let inputs: PayloadInput[];
  try {
    inputs = expandInputs(argv, io.cwd);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`stageflow-events validate: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const report = new ReportBuilder(args.maxFindings);
  const readable = await checkInputs(inputs, report, args, io, 'validate');
  printReport(report, args.format, (chunk) => io.write(chunk), 'stageflow-events validate');
  if (!readable) return 2;
  return report.errors > 0 ? 1 : 0;
}

/** Parses `argv` as `stageflow-events validate` would and runs it (for callers that hold raw arguments). */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['validate', ...argv], io);
}
