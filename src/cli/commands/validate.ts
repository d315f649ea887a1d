import { EVENT_DESCRIPTORS } from '../../../generated/index.js';
import { resolveEventType, suggestEventType, type PayloadTextOptions } from '../../conformance/index.js';
import { printReport, ReportBuilder } from '../findings.js';
import { type CommandIo, UsageError } from '../io.js';
import { main } from '../cli.js';
import type { PayloadOptions } from '../program.js';
import { checkInput, expandInputs, InputError, type PayloadInput } from '../payload-files.js';
import { ProgressBar } from '../progress-bar.js';
import { startCheckPool, type LineChecker } from '../check-pool.js';

/**
 * How many worker threads check lines: `--jobs`, else 1 (the main thread). Worker threads are opt-in: on the bench's
 * 2-core machine `--jobs 2` was 0.63x the speed of `--jobs 1` (the main thread still decodes, splits and hands over every
 * line), so they are not the default until they scale.
 */
export function jobsFor(args: Pick<PayloadOptions, 'jobs'>, _inputs: readonly PayloadInput[]): number {
  return args.jobs ?? 1;
}

/** Resolves `--schema` into the bare-payload option, or throws a {@link UsageError} with the nearest known type. */
export function bareOption(schema: string | undefined): PayloadTextOptions['bare'] {
  if (schema === undefined) return undefined;
  const descriptor = resolveEventType(schema);
  if (descriptor === undefined) {
    const near =
      suggestEventType(schema) ??
      EVENT_DESCRIPTORS.map((d) => d.type).find((t) => t.startsWith(schema.split('.')[0] ?? ''));
    throw new UsageError(
      `--schema: no schema claims event type '${schema}'${near === undefined ? '' : `; did you mean '${near}'?`}`,
    );
  }
  return { descriptor, type: schema };
}

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
  // worker threads check with the default version choice and no upcaster: the other choices run on the main thread
  const jobs = args.upcast === true || (args.schemaVersion ?? 'record') !== 'record' ? 1 : jobsFor(args, inputs);
  const pool: LineChecker | undefined =
    jobs > 1 ? startCheckPool(jobs, { allowUnknown: args.allowUnknown, schema: args.schema }) : undefined;
  let ok = true;
  try {
    for (const input of inputs) {
      try {
        await checkInput(input, report, options, progress, pool, jobs * 2);
      } catch (e) {
        bar?.done();
        io.err(`stageflow-events ${command}: cannot read ${input.display}: ${(e as Error).message}`);
        ok = false;
      }
    }
  } finally {
    await pool?.close();
  }
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
