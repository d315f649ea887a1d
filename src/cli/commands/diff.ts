import { relative, resolve, sep } from 'node:path';
import {
  CompileError,
  type DiffFinding,
  type DiffReport,
  diffSchemaSets,
  type Mode,
  RefError,
  type SchemaSet,
  type TypeDiff,
} from '../../evolution/index.js';
import type { PayloadFinding } from '../../conformance/index.js';
// a type-only import: loading findings.js would load every generated validator, which diff never needs
import type { ReportFormat } from '../findings.js';
import { type CommandIo, UsageError } from '../io.js';
import { main } from '../cli.js';
import { readSchemaFolder, readSchemasAtRef, SchemaSourceError } from '../schema-source.js';
import { type CorpusResult, corpusGate, formatCorpus, recommendBump } from '../corpus-gate.js';
import { InputError } from '../payload-files.js';

/** The parsed options of `stageflow-events diff`. */
export interface DiffCommandOptions {
  /** The old schemas folder; exclusive with `against`. */
  readonly old?: string | undefined;
  /** A git ref: the old schemas are the `new` folder as it is at that ref. */
  readonly against?: string | undefined;
  /** The new schemas folder (default `schemas`). */
  readonly new?: string | undefined;
  readonly mode?: Mode | undefined;
  readonly format?: ReportFormat | undefined;
  /** Snapshot files or folders whose records are replayed against the new schemas (the corpus gate). */
  readonly corpus?: readonly string[] | undefined;
  /** Carry older records of the corpus forward through the upcasters first. */
  readonly upcast?: boolean | undefined;
}

/** Reads both sides and diffs them; throws SchemaSourceError, RefError or CompileError when a side cannot be read. */
export function diffFromOptions(
  options: DiffCommandOptions,
  cwd: string,
): { report: DiffReport; oldLabel: string; newLabel: string; newDisplay: string } {
  if ((options.old === undefined) === (options.against === undefined))
    throw new UsageError('give either --old DIR or --against GIT-REF');
  const newDir = resolve(cwd, options.new ?? 'schemas');
  const show = (abs: string): string => {
    const rel = relative(cwd, abs).split(sep).join('/');
    return rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  };
  const newDisplay = show(newDir);
  let oldSet: SchemaSet;
  let oldLabel: string;
  if (options.against !== undefined) {
    oldSet = readSchemasAtRef(newDir, options.against, cwd);
    oldLabel = `${newDisplay} at ${options.against}`;
  } else {
    const oldDir = resolve(cwd, options.old as string);
    oldLabel = show(oldDir);
    oldSet = readSchemaFolder(oldDir, oldLabel);
  }
  const newSet = readSchemaFolder(newDir, newDisplay);
  const report = diffSchemaSets(oldSet, newSet, { mode: options.mode ?? 'backward' });
  return { report, oldLabel, newLabel: newDisplay, newDisplay };
}

/** The exit code of a report: 0 compatible, 1 breaking or undecided. */
export function exitCodeOf(report: DiffReport): number {
  return report.verdict === 'compatible' ? 0 : 1;
}

const word = (v: boolean | null): string => (v === true ? 'compatible' : v === false ? 'breaking' : 'undecided');

/** Whether a finding's direction decides the type's verdict under its mode. */
export function counts(t: TypeDiff, f: DiffFinding): boolean {
  return t.mode === 'full' || t.mode === f.direction;
}

function typeHeader(t: TypeDiff): string {
  const verdict = t.compatible === true ? 'ok' : t.compatible === false ? 'BREAKING' : 'UNDECIDED';
  return `${t.eventType} v${t.version} (${t.file}): ${t.change}; backward ${word(t.backward)}, forward ${word(t.forward)} -> ${verdict} under ${t.mode}`;
}

/** Formats one finding for people (several lines: the finding, the hint, the counterexample). */
export function formatDiffFinding(f: DiffFinding, indent = '  '): string[] {
  const mark = f.decided ? 'x' : '?';
  const where = f.instancePath === '' ? '' : ` ${f.instancePath}`;
  const lines = [`${indent}${mark} ${f.direction}${where} [${f.keyword}]: ${f.message}`];
  if (f.source !== undefined) lines.push(`${indent}    in shared definition ${f.source}`);
  lines.push(`${indent}    what to do: ${f.hint}`);
  if (f.decided) lines.push(`${indent}    counterexample (data): ${JSON.stringify(f.counterexample)}`);
  return lines;
}

function summary(report: DiffReport): string {
  const breaking = report.types.filter((t) => t.compatible === false).length;
  const undecided = report.types.filter((t) => t.compatible === null).length;
  const fine = report.types.length - breaking - undecided;
  return `verdict: ${report.verdict} under ${report.mode} (${report.types.length} event type${report.types.length === 1 ? '' : 's'} changed: ${breaking} breaking, ${undecided} undecided, ${fine} compatible)`;
}

function xml(s: string): string {
  return s
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function gh(s: string, property = false): string {
  const data = s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return property ? data.replace(/:/g, '%3A').replace(/,/g, '%2C') : data;
}

/** Renders a report in one of the formats; `newDisplay` prefixes schema files in github annotations. */
export function formatDiffReport(
  report: DiffReport,
  format: ReportFormat,
  labels: { oldLabel: string; newLabel: string; newDisplay: string },
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report)}\n`;
    case 'text': {
      const lines = [`comparing ${labels.oldLabel} (old) with ${labels.newLabel} (new), mode ${report.mode}`];
      for (const t of report.types) {
        lines.push('', typeHeader(t));
        for (const f of t.findings) lines.push(...formatDiffFinding(f));
      }
      lines.push('', summary(report));
      return `${lines.join('\n')}\n`;
    }
    case 'github': {
      const lines: string[] = [];
      for (const t of report.types)
        for (const f of t.findings) {
          const level = counts(t, f) ? (f.decided ? 'error' : 'warning') : 'notice';
          const title = `${t.eventType} v${t.version}: ${f.decided ? 'breaks' : 'undecided'} ${f.direction} ${f.keyword}`;
          const body = `${f.instancePath === '' ? '' : `${f.instancePath}: `}${f.message}; what to do: ${f.hint}${f.decided ? `; counterexample: ${JSON.stringify(f.counterexample)}` : ''}`;
          lines.push(
            `::${level} file=${gh(`${labels.newDisplay}/${t.file}`, true)},title=${gh(title, true)}::${gh(body)}`,
          );
        }
      lines.push(summary(report));
      return `${lines.join('\n')}\n`;
    }
    case 'junit': {
      const cases = report.types.map((t) => {
        const name = `${t.eventType} v${t.version} (${t.change})`;
        if (t.compatible === true) return `    <testcase classname="${xml(t.file)}" name="${xml(name)}"/>`;
        const body = t.findings.flatMap((f) => formatDiffFinding(f, '')).join('\n');
        const first = t.findings.find((f) => counts(t, f)) ?? t.findings[0];
        const message = first === undefined ? '' : `${first.direction} ${first.instancePath} ${first.message}`;
        return `    <testcase classname="${xml(t.file)}" name="${xml(name)}"><failure message="${xml(message)}" type="${xml(t.compatible === false ? 'breaking' : 'undecided')}">${xml(body)}</failure></testcase>`;
      });
      const failures = report.types.filter((t) => t.compatible !== true).length;
      const suite = `  <testsuite name="schema compatibility (${report.mode})" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}${cases.length > 0 ? '\n' : ''}  </testsuite>`;
      return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="stageflow-events diff" tests="${cases.length}" failures="${failures}" errors="0">\n${suite}\n</testsuites>\n`;
    }
  }
}

/**
 * The gate of `check --against`: one error finding per break or undecided place that decides the verdict of an
 * event type changed or removed in place (an added type, such as a new major version, never fails the gate).
 */
export function compatibilityFindings(
  options: DiffCommandOptions,
  cwd: string,
): { findings: { file: string; finding: PayloadFinding }[] } | { error: string } {
  let report: DiffReport;
  try {
    report = diffFromOptions(options, cwd).report;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SchemaSourceError || e instanceof RefError || e instanceof CompileError)
      return { error: e.message };
    throw e;
  }
  const findings: { file: string; finding: PayloadFinding }[] = [];
  for (const t of report.types) {
    if (t.change === 'added' || t.compatible === true) continue;
    for (const f of t.findings) {
      if (!counts(t, f)) continue;
      findings.push({
        file: t.file,
        finding: {
          level: 'error',
          eventType: t.eventType,
          instancePath: f.instancePath,
          keyword: 'compatibility',
          message: `${f.decided ? 'breaks' : 'cannot decide'} ${f.direction} compatibility (${t.mode}) of v${t.version} [${f.keyword}]: ${f.message}${f.decided ? `; counterexample: ${JSON.stringify(f.counterexample)}` : ''}`,
          hint: f.hint,
        },
      });
    }
  }
  return { findings };
}

/** `stageflow-events diff` on parsed options: exit 0 compatible under the mode, 1 breaking or undecided, 2 usage or read error. */
export async function execute(options: DiffCommandOptions, io: CommandIo): Promise<number> {
  try {
    const { report, ...labels } = diffFromOptions(options, io.cwd);
    if (options.corpus === undefined || options.corpus.length === 0) {
      io.write(formatDiffReport(report, options.format ?? 'text', labels));
      return exitCodeOf(report);
    }
    const newSet = readSchemaFolder(resolve(io.cwd, options.new ?? 'schemas'), labels.newDisplay);
    const upcaster =
      options.upcast === true ? (await import('../../../generated/upcasters.js')).upcastRecord : undefined;
    let corpus: CorpusResult;
    try {
      corpus = await corpusGate(newSet, options.corpus, io.cwd, upcaster);
    } catch (e) {
      if (e instanceof InputError) throw new UsageError(`--corpus: ${e.message}`);
      throw e;
    }
    const bump = recommendBump(report.verdict, report.types.length, corpus);
    if (options.format === 'json') io.write(`${JSON.stringify({ ...report, corpus, recommendedBump: bump })}\n`);
    else {
      io.write(formatDiffReport(report, options.format ?? 'text', labels));
      if ((options.format ?? 'text') === 'text') io.write(`${formatCorpus(corpus, bump).join('\n')}\n`);
    }
    return exitCodeOf(report) === 0 && corpus.rejected === 0 ? 0 : 1;
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof SchemaSourceError ||
      e instanceof RefError ||
      e instanceof CompileError
    ) {
      io.err(`stageflow-events diff: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** Parses `argv` as `stageflow-events diff` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['diff', ...argv], io);
}
