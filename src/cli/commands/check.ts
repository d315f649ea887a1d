import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { isClean, runCodegen } from '../../../codegen/index.js';
import { SchemaError } from '../../errors.js';
import type { Mode } from '../../evolution/index.js';
import { printReport, ReportBuilder } from '../findings.js';
import { type CommandIo, UsageError } from '../io.js';
import { main } from '../cli.js';
import type { PayloadOptions } from '../program.js';
import { expandInputs, InputError, type PayloadInput } from '../payload-files.js';
import { alreadyReported, lintSchemas } from '../schema-lint.js';
import { bareOption, checkInputs } from './validate.js';
import { compatibilityFindings } from './diff.js';

/** `stageflow-events check`: codegen drift, schema lint and payload validation in one report; exit 0 clean, 1 findings, 2 usage or read error. */
export async function execute(
  argv: readonly string[],
  args: PayloadOptions & {
    readonly schemas: string;
    readonly generated: string;
    readonly against?: string | undefined;
    readonly mode?: Mode | undefined;
  },
  io: CommandIo,
): Promise<number> {
  bareOption(args.schema);
  if (args.mode !== undefined && args.against === undefined) throw new UsageError('--mode needs --against <git-ref>');
  let inputs: PayloadInput[];
  try {
    inputs = expandInputs(argv, io.cwd);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`stageflow-events check: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const schemasDir = resolve(io.cwd, args.schemas);
  const outDir = resolve(io.cwd, args.generated);
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
  const against = args.against;
  if (against !== undefined) {
    const gate = compatibilityFindings({ against, new: schemasDir, mode: args.mode }, io.cwd);
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

/** Parses `argv` as `stageflow-events check` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['check', ...argv], io);
}
