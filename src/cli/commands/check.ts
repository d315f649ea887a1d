import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { isClean, runCodegen } from '../../../codegen/index.js';
import { SchemaError } from '../../errors.js';
import { MODES, type Mode } from '../../evolution/index.js';
import { printReport, ReportBuilder } from '../findings.js';
import type { CommandIo } from '../io.js';
import { parsePayloadArgs, UsageError, type PayloadArgs } from '../payload-args.js';
import { expandInputs, InputError, type PayloadInput } from '../payload-files.js';
import { alreadyReported, lintSchemas } from '../schema-lint.js';
import { bareOption, checkInputs } from './validate.js';
import { compatibilityFindings } from './diff.js';

const USAGE = `usage: stageflow-events check [options] [<payload path|glob|dir|->...]

One CI gate with one exit code: codegen --check (generated/ is up to date, and every upcast step between two
versions of a type has an upcaster that is no longer the stub codegen wrote), a lint of the schemas (every field
described, examples present and valid, objects closed except the open stage lifecycle payloads, no unused $defs in
schemas/common, event types unique) and validation of the payload files given.

options:
  --schemas DIR                    the schemas folder (default schemas)
  --generated DIR                  the generated folder (default generated)
  --format text|json|junit|github  report format (default text)
  --against GIT-REF                also compare the schemas with the same folder at GIT-REF (see 'diff'): an
                                   incompatible or undecided change made in place to an existing major version
                                   (a *.v1.json edited or removed) is an error with its counterexample
  --mode backward|forward|full     the compatibility mode for --against (default backward; a schema's own
                                   x-compatibility overrides it)
  --schema <event-type>, --allow-unknown, --max-line-bytes <n>, --max-findings <n>: as for validate

exit codes: 0 clean, 1 a finding, 2 usage or read error`;

/** `stageflow-events check`: codegen drift, schema lint and payload validation in one report; exit 0 clean, 1 findings, 2 usage or read error. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: PayloadArgs;
  let inputs: PayloadInput[];
  try {
    args = parsePayloadArgs(argv, ['schemas', 'generated', 'against', 'mode']);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    bareOption(args.schema);
    const mode = args.extra.get('mode');
    if (mode !== undefined && !(MODES as readonly string[]).includes(mode))
      throw new UsageError(`--mode expects one of ${MODES.join(', ')}, got '${mode}'`);
    if (mode !== undefined && !args.extra.has('against')) throw new UsageError('--mode needs --against GIT-REF');
    inputs = expandInputs(args.inputs, io.cwd);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      io.err(`stageflow-events check: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const schemasDir = resolve(io.cwd, args.extra.get('schemas') ?? 'schemas');
  const outDir = resolve(io.cwd, args.extra.get('generated') ?? 'generated');
  const show = (abs: string): string => {
    const rel = relative(io.cwd, abs).split(sep).join('/');
    return rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  };
  // a schemas folder that is not there is a usage error (a wrong --schemas or working directory), not a finding
  if (!statSync(schemasDir, { throwIfNoEntry: false })?.isDirectory()) {
    io.err(
      `stageflow-events check: the schemas folder '${show(schemasDir)}' does not exist or is not a folder (give it with --schemas DIR)`,
    );
    return 2;
  }
  const report = new ReportBuilder(args.maxFindings);

  const lint = lintSchemas(schemasDir, show(schemasDir));
  let codegenSummary = '';
  for (const f of lint.findings) report.addFinding(f.file, 0, f);

  if (lint.loaded) {
    try {
      const result = await runCodegen({ check: true, schemasDir, outDir });
      codegenSummary = `${show(outDir)}/ is up to date (${result.files.size} files for ${result.events} event types)`;
      if (!isClean(result.drift)) {
        const base = show(outDir);
        const stale = (path: string, message: string): void =>
          report.addFinding(`${base}/${path}`, 0, {
            level: 'error',
            eventType: null,
            instancePath: '',
            keyword: 'codegen',
            message,
          });
        for (const p of result.drift.changed) stale(p, "differs from what the schemas generate: run 'npm run codegen'");
        for (const p of result.drift.missing) stale(p, "is missing: run 'npm run codegen'");
        for (const p of result.drift.stale) stale(p, "is no longer generated from any schema: run 'npm run codegen'");
      }
      for (const u of result.upcasters) {
        if (u.state === 'written') continue;
        report.addFinding(show(resolve(schemasDir, '..', u.file)), 0, {
          level: 'error',
          eventType: u.type,
          instancePath: '',
          keyword: 'upcaster',
          message:
            u.state === 'missing'
              ? `the upcast step v${u.from} -> v${u.to} has no upcaster: run 'npm run codegen' to write its stub, then fill it in`
              : `the upcaster v${u.from} -> v${u.to} still has the stub's body: write the conversion`,
        });
      }
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      if (!alreadyReported(lint.findings, e.file, e.pointer))
        report.addFinding(e.file, 0, {
          level: 'error',
          eventType: null,
          instancePath: e.pointer,
          keyword: 'codegen',
          message: e.message,
        });
    }
  } else {
    report.addFinding(show(outDir), 0, {
      level: 'warning',
      eventType: null,
      instancePath: '',
      keyword: 'codegen',
      message: 'codegen --check skipped: the schemas cannot be read',
    });
  }

  let againstReadable = true;
  const against = args.extra.get('against');
  if (against !== undefined) {
    const gate = compatibilityFindings(
      { against, new: schemasDir, mode: args.extra.get('mode') as Mode | undefined },
      io.cwd,
    );
    if ('error' in gate) {
      io.err(`stageflow-events check: ${gate.error}`);
      againstReadable = false;
    } else for (const f of gate.findings) report.addFinding(`${show(schemasDir)}/${f.file}`, 0, f.finding);
  }

  const readable = (await checkInputs(inputs, report, args, io, 'check')) && againstReadable;
  printReport(report, args.format, (chunk) => io.write(chunk), 'stageflow-events check');
  if (!readable) return 2;
  if (report.errors > 0) return 1;
  // say what passed; on stdout only for the text format, whose stdout is for people
  const passed = [
    codegenSummary,
    `${lint.schemas} schemas linted`,
    `${report.total - report.invalid} of ${report.total} payloads valid in ${inputs.length} input${inputs.length === 1 ? '' : 's'}`,
    ...(against !== undefined ? [`schemas compatible with ${against}`] : []),
  ].filter((s) => s !== '');
  const line = `stageflow-events check: passed: ${passed.join('; ')}`;
  if (args.format === 'text') io.out(line);
  else io.err(line);
  return 0;
}
