// checks the lines of one NDJSON file, or one share of it, into a report: the same code on the main thread and in the
// `--jobs` workers, so a worker's share merged back in order gives the report one thread writes
import { EVENT_DESCRIPTORS } from '../../generated/index.js';
import {
  checkPayloadText,
  type PayloadFinding,
  type PayloadTextOptions,
  resolveEventType,
  suggestEventType,
} from '../conformance/index.js';
import { lineScannerFor } from '../conformance/line-scanner.js';
import { type RangeLineSink, type RangeSummary, readRangeLines, streamLines } from '../io/range-lines.js';
import { type FileSummary, ReportBuilder, type ReportPart } from './findings.js';
import { UsageError } from './io.js';

const NO_FINDINGS: readonly PayloadFinding[] = Object.freeze([]);

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

// what the sink would read is not what was written: a payload with bad bytes is invalid
export function utf8Finding(eventType: string | null): PayloadFinding {
  return {
    level: 'error',
    eventType,
    instancePath: '',
    keyword: 'utf8',
    message: 'the line holds bytes that are not valid UTF-8 (a reader sees U+FFFD in their place)',
    expected: 'UTF-8 text',
    got: 'invalid UTF-8 bytes',
  };
}

/** Options of a line check: the payload options plus the line limit. */
export type LineCheckOptions = PayloadTextOptions & {
  readonly maxLineBytes: number;
  /** False: every line is decoded, parsed and validated, without the byte scanner first (to compare). Default true. */
  readonly scanBytes?: boolean;
};

/** Turns each line into counted payloads and findings of one file in a report. */
export class LineReporter implements RangeLineSink {
  constructor(
    private readonly report: ReportBuilder,
    private readonly file: FileSummary,
    private readonly options: LineCheckOptions,
  ) {
    const scan = options.scanBytes === false ? undefined : lineScannerFor(options);
    if (scan !== undefined)
      this.bytes = (number, buf, start, end) => {
        if (!scan(buf, start, end)) return false;
        this.report.addPayload(this.file, number, NO_FINDINGS);
        return true;
      };
  }

  bytes?: (number: number, buf: Buffer, start: number, end: number) => boolean;

  line(number: number, text: string, invalidUtf8: boolean): void {
    const result = checkPayloadText(text, this.options);
    if (result.counted)
      this.report.addPayload(
        this.file,
        number,
        invalidUtf8 && !result.findings.some((f) => f.keyword === 'json')
          ? [utf8Finding(this.options.bare?.type ?? null), ...result.findings]
          : result.findings,
      );
    else for (const f of result.findings) this.report.addFinding(this.file.file, number, f);
  }

  tooLong(number: number, bytes: number): void {
    const max = this.options.maxLineBytes;
    this.report.addPayload(this.file, number, [
      {
        level: 'error',
        eventType: this.options.bare?.type ?? null,
        instancePath: '',
        keyword: 'too-long',
        message: `line of ${bytes} bytes exceeds the ${max}-byte limit and was skipped`,
        expected: `at most ${max} bytes`,
        got: `${bytes} bytes`,
      },
    ]);
  }
}

/** The report of one share of a file, lines numbered from 1 at the share's start: what a worker sends back. */
export interface RangePart extends ReportPart {
  readonly summary: RangeSummary;
  /** Upcast steps applied, with counts (`--upcast`). */
  readonly upcasts: readonly (readonly [string, number])[];
}

/**
 * Checks bytes `[start, end)` of an NDJSON file (`end` undefined: to its end) into a part with its own line numbers;
 * `start` -1 reads the whole file as a stream instead (gzip), its `summary.end` then -1.
 */
export async function checkRange(
  path: string,
  start: number,
  end: number | undefined,
  options: LineCheckOptions,
  maxFindings: number,
): Promise<RangePart> {
  const report = new ReportBuilder(maxFindings);
  const file = report.openFile('');
  const upcasts = new Map<string, number>();
  const opts: LineCheckOptions =
    options.upcast === undefined
      ? options
      : {
          ...options,
          onUpcast: (steps) => {
            for (const s of steps) upcasts.set(s, (upcasts.get(s) ?? 0) + 1);
          },
        };
  const reporter = new LineReporter(report, file, opts);
  const summary: RangeSummary =
    start >= 0
      ? await readRangeLines(path, start, end, reporter, { maxLineBytes: options.maxLineBytes })
      : { ...(await streamLines(path, reporter, { maxLineBytes: options.maxLineBytes })), end: -1 };
  return {
    total: report.total,
    valid: report.valid,
    invalid: report.invalid,
    errors: report.errors,
    warnings: report.warnings,
    findings: report.findings,
    omittedFindings: report.omittedFindings,
    summary,
    upcasts: [...upcasts],
  };
}
