import { formatPayloadFinding, type PayloadFinding } from '../conformance/index.js';
import { escapeControl } from '../io/printable.js';
import type { ReportFormat } from './report-formats.js';

/** One CLI finding: a {@link PayloadFinding} placed at a file and 1-based line (0 when it concerns the whole file). */
export interface Finding extends PayloadFinding {
  readonly file: string;
  readonly line: number;
}

/** Per-file payload counts of a report. */
export interface FileSummary {
  readonly file: string;
  total: number;
  valid: number;
  invalid: number;
}

/** The report `--format json` prints, described by `src/cli/report.schema.json`. */
export interface Report {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly files: readonly FileSummary[];
  readonly findings: readonly Finding[];
  /** Findings counted but not kept because the report reached its cap. */
  readonly omittedFindings: number;
}

export { REPORT_FORMATS, type ReportFormat } from './report-formats.js';

/** The counts and findings of one share of a file, checked on its own with the same findings cap (see {@link ReportBuilder.addPart}). */
export interface ReportPart {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly errors: number;
  readonly warnings: number;
  /** The share's first findings (at most the cap), in line order, numbered from 1 at the share's start. */
  readonly findings: readonly Finding[];
  readonly omittedFindings: number;
}

/** Accumulates payload counts and findings in bounded memory: past `maxFindings` findings are only counted. */
export class ReportBuilder {
  readonly files: FileSummary[] = [];
  readonly findings: Finding[] = [];
  total = 0;
  valid = 0;
  invalid = 0;
  errors = 0;
  warnings = 0;
  omittedFindings = 0;
  private readonly _maxFindings: number;

  /** `maxFindings` defaults to 10000. */
  constructor(maxFindings = 10_000) {
    this._maxFindings = maxFindings;
  }

  /** Starts counting the payloads of one file. */
  openFile(file: string): FileSummary {
    const summary: FileSummary = { file, total: 0, valid: 0, invalid: 0 };
    this.files.push(summary);
    return summary;
  }

  /** Records one checked payload of `file` at `line` with its findings (a payload with an error finding is invalid). */
  addPayload(file: FileSummary, line: number, findings: readonly PayloadFinding[]): void {
    file.total++;
    this.total++;
    let invalid = false;
    for (const f of findings) {
      if (f.level === 'error') invalid = true;
      this.addFinding(file.file, line, f);
    }
    if (invalid) {
      file.invalid++;
      this.invalid++;
    } else {
      file.valid++;
      this.valid++;
    }
  }

  /** Records a finding that is not about one payload (an empty line, a missing newline, an empty file, a schema lint). */
  addFinding(file: string, line: number, finding: PayloadFinding): void {
    if (finding.level === 'error') this.errors++;
    else this.warnings++;
    if (this.findings.length >= this._maxFindings) this.omittedFindings++;
    else this.findings.push({ file, line, ...finding });
  }

  /**
   * Adds the report of a share of `file` checked elsewhere (a `--jobs` worker), its line numbers shifted by `lineBase`:
   * the same counts and findings, in the same order, as adding its payloads here one by one.
   */
  addPart(file: FileSummary, part: ReportPart, lineBase: number): void {
    file.total += part.total;
    file.valid += part.valid;
    file.invalid += part.invalid;
    this.total += part.total;
    this.valid += part.valid;
    this.invalid += part.invalid;
    this.errors += part.errors;
    this.warnings += part.warnings;
    for (const f of part.findings) {
      if (this.findings.length >= this._maxFindings) this.omittedFindings++;
      else this.findings.push({ ...f, file: file.file, line: f.line + lineBase });
    }
    this.omittedFindings += part.omittedFindings;
  }

  /** The report as `--format json` prints it. */
  build(): Report {
    return {
      total: this.total,
      valid: this.valid,
      invalid: this.invalid,
      files: this.files,
      findings: this.findings,
      omittedFindings: this.omittedFindings,
    };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Formats one finding for people: `file:line: error: type /pointer: message (expected X, got Y); did you mean 'z'? [keyword]`.
 * Control characters from the input (ESC, CR, LF, ...) are escaped as `\u` and four hex digits (`\u001b`): one finding is always one line.
 */
export function formatFindingText(f: Finding): string {
  return escapeControl(`${f.line > 0 ? `${f.file}:${f.line}` : f.file}: ${formatPayloadFinding(f)}`);
}

// JSON.stringify escapes C0 controls; these are valid JSON raw but act on terminals and editors, and only occur in strings
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The report as one line of JSON, every control character escaped. */
export function formatJson(report: Report): string {
  return JSON.stringify(report).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The one-line summary the text format ends with. */
export function summaryLine(b: ReportBuilder | (Report & { errors?: number; warnings?: number })): string {
  const files = b.files.length;
  const extra = 'omittedFindings' in b && b.omittedFindings > 0 ? ` (${b.omittedFindings} findings not listed)` : '';
  return `${plural(b.total, 'payload')} in ${plural(files, 'file')}: ${b.valid} valid, ${b.invalid} invalid${extra}`;
}

function xmlEscape(s: string): string {
  return escapeControl(s)
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** JUnit XML: one `<testsuite>` per file, one failing `<testcase>` per payload line with errors, and one passing case for the valid rest. */
export function formatJunit(report: Report, suiteName = 'stageflow-events validate'): string {
  const byFile = new Map<string, Map<number, Finding[]>>();
  for (const f of report.findings) {
    if (f.level !== 'error') continue;
    let lines = byFile.get(f.file);
    if (lines === undefined) byFile.set(f.file, (lines = new Map()));
    const list = lines.get(f.line);
    if (list === undefined) lines.set(f.line, [f]);
    else list.push(f);
  }
  const names = new Set(report.files.map((f) => f.file));
  for (const f of byFile.keys()) names.add(f);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const name of names) {
    const summary = report.files.find((f) => f.file === name);
    const lines = byFile.get(name) ?? new Map<number, Finding[]>();
    const cases: string[] = [];
    for (const [line, list] of [...lines].sort((a, b) => a[0] - b[0])) {
      const type = list[0]?.eventType ?? 'payload';
      // each finding is escaped to one line before the lines are joined, so the newlines left are ours
      const body = list.map((f) => xmlEscape(formatFindingText(f))).join('\n');
      const first = list[0];
      cases.push(
        `    <testcase classname="${xmlEscape(name)}" name="${xmlEscape(`line ${line}: ${type}`)}"><failure message="${xmlEscape(first === undefined ? '' : `${first.instancePath} ${first.message}`.trim())}" type="${xmlEscape(first?.keyword ?? 'error')}">${body}</failure></testcase>`,
      );
    }
    const validCount = summary?.valid ?? 0;
    if (validCount > 0 || cases.length === 0)
      cases.push(
        `    <testcase classname="${xmlEscape(name)}" name="${xmlEscape(`${plural(validCount, 'valid payload')}`)}"/>`,
      );
    tests += cases.length;
    failures += lines.size;
    suites.push(
      `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${lines.size}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(suiteName)}" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}${suites.length > 0 ? '\n' : ''}</testsuites>\n`;
}

function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One GitHub Actions workflow command (`::error file=…,line=…,title=…::message`) per finding. */
export function formatGithub(f: Finding): string {
  const props = [`file=${ghProperty(escapeControl(f.file))}`];
  if (f.line > 0) props.push(`line=${f.line}`);
  props.push(`title=${ghProperty(escapeControl(`${f.eventType ?? 'payload'} ${f.keyword}`))}`);
  const detail =
    f.expected !== undefined || f.got !== undefined ? ` (expected ${f.expected ?? '?'}, got ${f.got ?? '?'})` : '';
  const hint = f.hint !== undefined ? `; ${f.hint}` : '';
  return `::${f.level === 'error' ? 'error' : 'warning'} ${props.join(',')}::${ghData(escapeControl(`${f.instancePath === '' ? '' : `${f.instancePath}: `}${f.message}${detail}${hint}`))}`;
}

/** Prints a finished report in the chosen format through `write` (which receives whole chunks, newline-terminated). */
export function printReport(
  builder: ReportBuilder,
  format: ReportFormat,
  write: (chunk: string) => void,
  suiteName?: string,
): void {
  const report = builder.build();
  switch (format) {
    case 'json':
      write(`${formatJson(report)}\n`);
      return;
    case 'junit':
      write(formatJunit(report, suiteName));
      return;
    case 'github': {
      const lines = report.findings.map(formatGithub);
      lines.push(summaryLine(builder));
      write(`${lines.join('\n')}\n`);
      return;
    }
    case 'text': {
      const lines = report.findings.map(formatFindingText);
      lines.push(summaryLine(builder));
      write(`${lines.join('\n')}\n`);
      return;
    }
  }
}
