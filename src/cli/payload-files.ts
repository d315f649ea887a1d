import { isUtf8 } from 'node:buffer';
import { type Dirent, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { gunzipSync } from 'node:zlib';
import { checkPayloadText, checkValue, type PayloadTextOptions, type PayloadTextResult } from '../conformance/index.js';
import { readLineBatches, type Line, type SourceSummary } from '../io/line-reader.js';
import type { PayloadFinding } from '../conformance/index.js';
import type { LineChecker } from './check-pool.js';
import type { FileSummary, ReportBuilder } from './findings.js';

/** One input to read: a file path (absolute) with the name shown in findings, or stdin. */
export interface PayloadInput {
  readonly path: string;
  readonly display: string;
  readonly bytes: number;
  /** A FIFO, character device or socket (`<(cmd)`, `/dev/stdin`): read once as a stream, never peeked at. */
  readonly stream?: boolean;
  /** Why this input cannot be read (an unreadable directory met while walking): {@link checkInput} reports it as a read error. */
  readonly error?: string;
}

/** An input argument that named nothing readable. */
export class InputError extends Error {}

const PAYLOAD_FILE = /\.(ndjson|jsonl|json)(\.gz)?$/;
// a JSON array file is parsed whole; past this size it is refused rather than risking memory
const MAX_ARRAY_FILE_BYTES = 256 << 20;

/** Why a path could not be read, in words (`permission denied`), from a Node file-system error. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symbolic link that points to itself?)';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** A directory's payload files, recursively; a subdirectory that cannot be read is returned as an error entry, in order. */
function walk(dir: string): (string | { readonly dir: string; readonly error: string })[] {
  const out: (string | { readonly dir: string; readonly error: string })[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return [{ dir, error: reason(e) }];
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && PAYLOAD_FILE.test(e.name)) out.push(p);
  }
  return out;
}

// globs go to tinyglobby (picomatch underneath): `**`, braces, classes and extglobs as users know them from their shell
function expandGlob(pattern: string, cwd: string): string[] {
  return globSync(pattern, { cwd, absolute: true, onlyFiles: true, dot: false, expandDirectories: false });
}

/**
 * Expands paths, directories (recursively: every `.ndjson`, `.jsonl`, `.json` and their `.gz`, sorted) and globs.
 * A FIFO, character device or socket (`<(cmd)`, `/dev/stdin`) is read as a stream. Throws {@link InputError} for an
 * argument that matches nothing or cannot be read (saying why: no such file, permission denied, a symbolic link loop)
 * and for `-` given twice; an unreadable directory found while walking becomes an input with an `error`, so the rest is
 * still checked.
 */
export function expandInputs(args: readonly string[], cwd: string): PayloadInput[] {
  const out: PayloadInput[] = [];
  const display = (abs: string): string => {
    const rel = relative(cwd, abs);
    return rel.startsWith('..') ? abs : rel.split(sep).join('/');
  };
  let stdin = false;
  for (const arg of args) {
    if (arg === '-') {
      if (stdin) throw new InputError('stdin (-) can be given only once: it can be read only once');
      stdin = true;
      out.push({ path: '-', display: '<stdin>', bytes: 0 });
      continue;
    }
    const abs = resolve(cwd, arg);
    let st: ReturnType<typeof statSync> | undefined;
    let statError: unknown;
    try {
      st = statSync(abs);
    } catch (e) {
      st = undefined;
      statError = e;
    }
    if (st?.isDirectory()) {
      const key = (f: string | { readonly dir: string }): string => (typeof f === 'string' ? f : f.dir);
      for (const f of walk(abs).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) {
        if (typeof f === 'string') out.push({ path: f, display: display(f), bytes: statSync(f).size });
        else out.push({ path: f.dir, display: display(f.dir), bytes: 0, error: f.error });
      }
    } else if (st?.isFile()) {
      out.push({ path: abs, display: display(abs), bytes: st.size });
    } else if (st !== undefined && (st.isFIFO() || st.isCharacterDevice() || st.isSocket())) {
      out.push({ path: abs, display: display(abs), bytes: 0, stream: true });
    } else if (st === undefined && isDynamicPattern(arg)) {
      const matches = expandGlob(arg, cwd).sort();
      if (matches.length === 0) throw new InputError(`no file matches '${arg}'`);
      for (const f of matches) out.push({ path: f, display: display(f), bytes: statSync(f).size });
    } else if (st !== undefined) {
      throw new InputError(`cannot read '${arg}': not a file, directory or pipe`);
    } else {
      throw new InputError(`cannot read '${arg}': ${reason(statError)}`);
    }
  }
  return out;
}

/** The 1-based line on which each top-level element of a JSON array text starts, found by one scan that skips strings. */
export function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (depth === 1 && expectElement && c !== 93) {
      lines.push(line);
      expectElement = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectElement = true;
  }
  return lines;
}

function lineOfPosition(text: string, message: string): number {
  const m = /position (\d+)/.exec(message);
  if (m === null) return 1;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The top-level key our `fixtures` command writes into its `manifest.json`; a `.json` document carrying it is skipped silently. */
export const FIXTURES_MANIFEST_KEY = 'stageflow-events-fixtures-manifest';

function describeDocument(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object with neither a "type" nor a "data" field';
  return `a ${typeof value}`;
}

// a `.json` file holds one JSON document: an array of events, one event, or (neither) one finding saying so
function checkJsonDocumentFile(
  input: PayloadInput,
  file: FileSummary,
  report: ReportBuilder,
  options: PayloadTextOptions,
): void {
  if (input.bytes > MAX_ARRAY_FILE_BYTES) {
    throw new InputError(
      `${input.display}: a .json file is parsed whole as one document and this one is ${input.bytes} bytes (limit ${MAX_ARRAY_FILE_BYTES}); write NDJSON instead`,
    );
  }
  const raw = readFileSync(input.path);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\ufffd') && !isUtf8(bytes)) {
    // bad bytes were replaced while decoding: name the first line that holds one and still check the rest
    const at = text.indexOf('\ufffd');
    let line = 1;
    for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    report.addFinding(file.file, line, UTF8_FINDING(null));
  }
  if (text.trim() === '') {
    report.addFinding(file.file, 0, {
      level: 'error',
      eventType: null,
      instancePath: '',
      keyword: 'empty-file',
      message: 'the file holds no payload',
    });
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    report.addPayload(file, lineOfPosition(text, message), [
      {
        level: 'error',
        eventType: null,
        instancePath: '',
        keyword: 'json',
        message: `not JSON: ${message} (a .json file holds one JSON document: an array of events or one event)`,
      },
    ]);
    return;
  }
  if (Array.isArray(value)) {
    const lines = arrayElementLines(text);
    value.forEach((item, i) => {
      report.addPayload(file, lines[i] ?? i + 1, checkValue(item, options));
    });
    return;
  }
  const firstLine = text.slice(0, text.length - text.trimStart().length).split('\n').length;
  if (typeof value === 'object' && value !== null) {
    if (FIXTURES_MANIFEST_KEY in value) return;
    if (options.bare !== undefined || 'type' in value || 'data' in value) {
      report.addPayload(file, firstLine, checkValue(value, options));
      return;
    }
  }
  report.addFinding(file.file, firstLine, {
    level: 'warning',
    eventType: null,
    instancePath: '',
    keyword: 'not-events',
    message: `the file's one JSON document is ${describeDocument(value)}, neither an event nor an array of events; nothing in it was checked`,
    expected: 'an array of events or one event ({"type": ..., "data": ...})',
    got: describeDocument(value),
  });
}

// what the sink would read is not what was written: a payload with bad bytes is invalid
function UTF8_FINDING(eventType: string | null): PayloadFinding {
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

/** Hooks {@link checkInput} reports progress to. */
export interface CheckProgress {
  onBytes?(input: PayloadInput, bytesRead: number): void;
}

const VALID: PayloadTextResult = Object.freeze({ counted: true, findings: Object.freeze([]) });

function ignore(): void {}

/**
 * Checks every payload of one input into `report`; read errors (an unreadable file, corrupt gzip) propagate. With a
 * `checker` (`--jobs`), batches of lines are checked on worker threads, a few in flight, and their results applied
 * in line order, so the report is identical to the one-thread report.
 */
export async function checkInput(
  input: PayloadInput,
  report: ReportBuilder,
  options: PayloadTextOptions & { readonly maxLineBytes?: number },
  progress: CheckProgress = {},
  checker?: LineChecker,
  inFlight = 4,
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? 8 << 20;
  if (input.error !== undefined) throw new InputError(input.error);
  const file = report.openFile(input.display);
  if (input.path !== '-' && /\.json(\.gz)?$/.test(input.path)) {
    checkJsonDocumentFile(input, file, report, options);
    return;
  }
  const summary: { value?: SourceSummary } = {};
  const onBytes = progress.onBytes;
  const batches = readLineBatches(
    input.path,
    onBytes === undefined ? { maxLineBytes } : { maxLineBytes, onBytes: (n) => onBytes(input, n) },
    summary,
  );
  const apply = (batch: readonly Line[], results?: readonly (PayloadTextResult | 0)[]): void => {
    let k = 0;
    for (const line of batch) {
      if (line.tooLong) {
        report.addPayload(file, line.number, [
          {
            level: 'error',
            eventType: options.bare?.type ?? null,
            instancePath: '',
            keyword: 'too-long',
            message: `line of ${line.bytes} bytes exceeds the ${maxLineBytes}-byte limit and was skipped`,
            expected: `at most ${maxLineBytes} bytes`,
            got: `${line.bytes} bytes`,
          },
        ]);
        continue;
      }
      const r = results === undefined ? checkPayloadText(line.text, options) : results[k++];
      if (r === undefined) throw new Error(`a check worker returned no result for line ${line.number}`);
      const result = r === 0 ? VALID : r;
      if (result.counted)
        report.addPayload(
          file,
          line.number,
          line.invalidUtf8 === true && !result.findings.some((f) => f.keyword === 'json')
            ? [UTF8_FINDING(options.bare?.type ?? null), ...result.findings]
            : result.findings,
        );
      else for (const f of result.findings) report.addFinding(file.file, line.number, f);
    }
  };
  const queue: { batch: readonly Line[]; results: Promise<readonly (PayloadTextResult | 0)[]> }[] = [];
  try {
    for await (const batch of batches) {
      if (checker === undefined) {
        apply(batch);
        continue;
      }
      const texts: string[] = [];
      for (const line of batch) if (!line.tooLong) texts.push(line.text);
      const results = checker.check(texts);
      results.catch(ignore);
      queue.push({ batch, results });
      while (queue.length > inFlight) {
        const head = queue.shift() as (typeof queue)[number];
        apply(head.batch, await head.results);
      }
    }
    for (let head = queue.shift(); head !== undefined; head = queue.shift()) apply(head.batch, await head.results);
  } finally {
    queue.length = 0;
  }
  const s = summary.value;
  if (file.total === 0) {
    // an empty file and a file of blank lines alike: nothing was checked, which a CI gate must not take as success
    report.addFinding(file.file, 0, {
      level: 'error',
      eventType: null,
      instancePath: '',
      keyword: 'empty-file',
      message:
        s === undefined || s.lines === 0 ? 'the file holds no payload' : 'the file holds only blank lines, no payload',
    });
  } else if (s === undefined) {
    return;
  } else if (s.missingFinalNewline) {
    report.addFinding(file.file, s.lines, {
      level: 'warning',
      eventType: null,
      instancePath: '',
      keyword: 'newline',
      message: 'no newline at the end of the file (the last line was still checked)',
    });
  }
}
