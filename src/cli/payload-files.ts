import { isUtf8 } from 'node:buffer';
import { type Dirent, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { gunzipSync } from 'node:zlib';
import { closeSync, openSync, readSync } from 'node:fs';
import { checkValue, type PayloadTextOptions } from '../conformance/index.js';
import type { SourceSummary } from '../io/line-reader.js';
import { nextLineStart, readRangeLines, streamLines } from '../io/range-lines.js';
import type { RangePool } from './check-pool.js';
import { checkRange, type LineCheckOptions, LineReporter, type RangePart, utf8Finding } from './check-range.js';
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
    report.addFinding(file.file, line, utf8Finding(null));
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

/** Hooks {@link checkInput} reports progress to. */
export interface CheckProgress {
  onBytes?(input: PayloadInput, bytesRead: number): void;
}

function startsWithGzipMagic(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    // unreadable: the read that follows reports why
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * How a worker may read an input: `range`, a plain NDJSON file, in shares by offset; `whole`, a gzip NDJSON file, from
 * its start as one share; `undefined`, only the main thread (stdin, a pipe, a `.json` document, an unreadable entry).
 */
export function workerReadable(input: PayloadInput): 'range' | 'whole' | undefined {
  if (input.error !== undefined || input.stream === true || input.path === '-' || /\.json(\.gz)?$/.test(input.path))
    return undefined;
  return startsWithGzipMagic(input.path) ? 'whole' : 'range';
}

/** Adds what only the whole file tells: that it held no payload, or that its last line has no line break. */
export function finishFile(report: ReportBuilder, file: FileSummary, s: SourceSummary): void {
  if (file.total === 0) {
    // an empty file and a file of blank lines alike: nothing was checked, which a CI gate must not take as success
    report.addFinding(file.file, 0, {
      level: 'error',
      eventType: null,
      instancePath: '',
      keyword: 'empty-file',
      message: s.lines === 0 ? 'the file holds no payload' : 'the file holds only blank lines, no payload',
    });
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

/**
 * Checks every payload of one input into `report` on this thread; read errors (an unreadable file, corrupt gzip)
 * propagate. A plain file is read synchronously in large pieces; stdin, pipes and gzip as a stream.
 */
export async function checkInput(
  input: PayloadInput,
  report: ReportBuilder,
  options: PayloadTextOptions & { readonly maxLineBytes?: number },
  progress: CheckProgress = {},
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? 8 << 20;
  if (input.error !== undefined) throw new InputError(input.error);
  const file = report.openFile(input.display);
  if (input.path !== '-' && /\.json(\.gz)?$/.test(input.path)) {
    checkJsonDocumentFile(input, file, report, options);
    return;
  }
  const reporter = new LineReporter(report, file, { ...options, maxLineBytes });
  const onBytes = progress.onBytes;
  if (workerReadable(input) === 'range') {
    const summary = await readRangeLines(
      input.path,
      0,
      undefined,
      reporter,
      onBytes === undefined ? { maxLineBytes } : { maxLineBytes, onOffset: (n) => onBytes(input, n) },
    );
    finishFile(report, file, summary);
    return;
  }
  const summary = await streamLines(
    input.path,
    reporter,
    onBytes === undefined ? { maxLineBytes } : { maxLineBytes, onBytes: (n) => onBytes(input, n) },
  );
  finishFile(report, file, summary);
}

// shares of a file for the workers: about four per worker so they finish together, never under 64 KiB (a message and
// a read per share) nor over 8 MiB (what one share's findings and memory may grow to)
const MIN_SHARE_BYTES = 64 << 10;
const MAX_SHARE_BYTES = 8 << 20;

/** Cuts a plain file into shares that start and end at line breaks; the last one reads to the end of the file. */
export function shareFile(input: PayloadInput, jobs: number): { start: number; end: number | undefined }[] {
  const size = input.bytes;
  const step = Math.min(MAX_SHARE_BYTES, Math.max(MIN_SHARE_BYTES, Math.ceil(size / (jobs * 4))));
  const shares: { start: number; end: number | undefined }[] = [];
  let start = 0;
  for (let at = step; at < size; ) {
    // at or after `at`, so a share is never empty; a long line makes it longer than `step`
    const cut = nextLineStart(input.path, at, size);
    if (cut >= size) break;
    shares.push({ start, end: cut });
    start = cut;
    at = cut + step;
  }
  shares.push({ start, end: undefined });
  return shares;
}

/** How {@link checkInputs} checks: the line options, progress, and the worker pool (`--jobs`) if any. */
export interface CheckInputsOptions {
  readonly options: LineCheckOptions;
  /** Threads that check with a pool: the main thread and the pool's workers (`--jobs`). */
  readonly threads: number;
  readonly maxFindings: number;
  readonly progress?: CheckProgress;
  /**
   * Starts the worker threads that check shares of plain and gzip files beside the main thread (at most `threads` - 1,
   * never more than the shares need). Without it, the main thread checks everything.
   */
  readonly pool?: (workers: number) => RangePool;
  /** Told of an input that could not be read; the inputs after it are still checked. */
  readonly onError: (input: PayloadInput, error: Error) => void;
  /** Told the upcast steps applied to a share, with counts. */
  readonly onUpcasts?: (counts: readonly (readonly [string, number])[]) => void;
}

interface FileState {
  readonly input: PayloadInput;
  /** Opened in the report when its first share is merged, so files appear in input order. */
  file?: FileSummary;
  lines: number;
  failed: boolean;
}

/** One step of a check, in report order: a share of a file (any thread), an input the main thread reads, or an error. */
type Unit =
  | {
      readonly kind: 'share';
      readonly state: FileState;
      readonly start: number;
      readonly end: number | undefined;
      readonly last: boolean;
    }
  | { readonly kind: 'main'; readonly input: PayloadInput }
  | { readonly kind: 'error'; readonly input: PayloadInput; readonly error: Error };

function ignore(): void {}

// shares each worker holds at once (one being checked, one waiting), so it never waits for the main thread
const WORKER_BACKLOG = 2;
// shares checked ahead of the merge, per checking thread: bounds the parts (each up to the findings cap) in memory
const AHEAD_PER_THREAD = 4;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(ignore);
  return { promise, resolve, reject };
}

/** The steps of checking `inputs` with `threads` checking threads, in report order. */
function unitsOf(inputs: readonly PayloadInput[], threads: number): Unit[] {
  const units: Unit[] = [];
  for (const input of inputs) {
    const how = workerReadable(input);
    if (how === undefined) {
      units.push({ kind: 'main', input });
      continue;
    }
    let shares: { start: number; end: number | undefined }[];
    try {
      // gzip can only be read from its start: the whole file is one share
      shares = how === 'whole' ? [{ start: -1, end: undefined }] : shareFile(input, threads);
    } catch (e) {
      units.push({ kind: 'error', input, error: e as Error });
      continue;
    }
    const state: FileState = { input, lines: 0, failed: false };
    for (let i = 0; i < shares.length; i++) {
      const share = shares[i] as (typeof shares)[number];
      units.push({ kind: 'share', state, start: share.start, end: share.end, last: i === shares.length - 1 });
    }
  }
  return units;
}

/**
 * Checks every input into `report`, in order. With a pool, plain files are cut into shares at line breaks and the
 * shares of every file are handed out in order to whichever thread is free: each worker keeps two in hand (the next
 * goes out the moment one comes back), and the main thread takes the next itself whenever it is free, so it is one of
 * the `--jobs` threads and checks while the workers are still starting. A gzip file is one share. The main thread
 * merges the parts in order with their line numbers shifted, and reads stdin, pipes and `.json` documents in their
 * turn: the report is byte for byte the one the main thread alone writes.
 */
export async function checkInputs(
  inputs: readonly PayloadInput[],
  report: ReportBuilder,
  o: CheckInputsOptions,
): Promise<void> {
  const progress = o.progress ?? {};
  const checkHere = async (input: PayloadInput): Promise<void> => {
    try {
      await checkInput(input, report, o.options, progress);
    } catch (e) {
      o.onError(input, e as Error);
    }
  };
  const units = o.pool === undefined ? [] : unitsOf(inputs, o.threads);
  // never more workers than shares beside the one the main thread takes: each loads every validator
  const workers = Math.min(o.threads - 1, units.filter((u) => u.kind === 'share').length - 1);
  if (o.pool === undefined || workers < 1) {
    for (const input of inputs) await checkHere(input);
    return;
  }
  const pool = o.pool(workers);
  try {
    const window = (pool.size + 1) * AHEAD_PER_THREAD;
    const results = units.map(() => deferred<RangePart>());
    let next = 0;
    let merged = 0;
    let waiting: (() => void)[] = [];
    // the next share not yet taken, once it is within the window of the merge; -1 when none is left
    const take = async (): Promise<number> => {
      for (;;) {
        while (next < units.length && (units[next] as Unit).kind !== 'share') next++;
        if (next >= units.length) return -1;
        if (next - merged < window) return next++;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    };
    const lane = async (check: (path: string, start: number, end: number | undefined) => Promise<RangePart>) => {
      for (let i = await take(); i !== -1; i = await take()) {
        const unit = units[i] as Extract<Unit, { kind: 'share' }>;
        const result = results[i] as Deferred<RangePart>;
        if (unit.state.failed) result.reject(new Error('skipped'));
        else await check(unit.state.input.path, unit.start, unit.end).then(result.resolve, result.reject);
      }
    };
    const lanes = [
      lane((path, start, end) => checkRange(path, start, end, o.options, o.maxFindings)),
      ...Array.from({ length: pool.size * WORKER_BACKLOG }, () =>
        lane((path, start, end) => pool.check(path, start, end)),
      ),
    ];
    for (let i = 0; i < units.length; i++) {
      const unit = units[i] as Unit;
      if (unit.kind === 'main') await checkHere(unit.input);
      else if (unit.kind === 'error') o.onError(unit.input, unit.error);
      else await merge(unit, results[i] as Deferred<RangePart>);
      merged = i + 1;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    }
    await Promise.all(lanes);
  } finally {
    await pool.close();
  }

  async function merge(unit: Extract<Unit, { kind: 'share' }>, result: Deferred<RangePart>): Promise<void> {
    const { state } = unit;
    let part: RangePart;
    try {
      part = await result.promise;
    } catch (e) {
      if (!state.failed) o.onError(state.input, e as Error);
      state.failed = true;
      return;
    }
    if (state.failed) return;
    state.file ??= report.openFile(state.input.display);
    report.addPart(state.file, part, state.lines);
    state.lines += part.summary.lines;
    if (part.upcasts.length > 0) o.onUpcasts?.(part.upcasts);
    progress.onBytes?.(state.input, part.summary.end < 0 ? state.input.bytes : part.summary.end);
    if (unit.last)
      finishFile(report, state.file, { lines: state.lines, missingFinalNewline: part.summary.missingFinalNewline });
  }
}
