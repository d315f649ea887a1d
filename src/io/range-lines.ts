import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, read, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { type ReadLinesOptions, readLineBatches, type SourceSummary } from './line-reader.js';

/** Receives the lines of a byte range, in order, numbered from 1 at the range's start. */
export interface RangeLineSink {
  /** A line: `text` excludes the line break and a trailing CR; `invalidUtf8` when its bytes are not UTF-8 (U+FFFD stands in `text`). */
  line(number: number, text: string, invalidUtf8: boolean): void;
  /**
   * Optional: offered a line's bytes `[start, end)` before they are decoded, when a line feed follows them in `buf`;
   * returns true when it has taken the line (then {@link line} is not called for it).
   */
  bytes?(number: number, buf: Buffer, start: number, end: number): boolean;
  /** A line longer than `maxLineBytes`: skipped as it streams, never held whole in memory. */
  tooLong(number: number, bytes: number): void;
}

/** Options of {@link readRangeLines}. */
export interface RangeLinesOptions {
  /** Lines longer than this many bytes go to {@link RangeLineSink.tooLong}. Default 8 MiB. */
  readonly maxLineBytes?: number;
  /** Read size. Default 1 MiB. */
  readonly chunkBytes?: number;
  /** Called after each read with the file offset reached, for progress bars. */
  readonly onOffset?: (offset: number) => void;
}

/** What a range held. */
export interface RangeSummary {
  /** Lines in the range, the last one counted even without a line break after it. */
  readonly lines: number;
  /** True when the range's last line had no line break after it (only the end of a file can). */
  readonly missingFinalNewline: boolean;
  /** The offset after the last byte read. */
  readonly end: number;
}

const NEWLINE = 10;
const CR = 13;

/**
 * Reads the lines of bytes `[start, end)` of a file, in constant memory: two read buffers (the next piece is read while
 * this one is split and checked) and the bytes of one unfinished line, which is skipped as it streams once it passes
 * `maxLineBytes`. `start` must be 0 or just after a line break, and `end` just after one or `undefined` (read to the
 * end of the file). A UTF-8 byte order mark is dropped from the file's first line. The same lines as
 * {@link readLineBatches} sees: what `--jobs` workers run on their share of a file, and the main thread on a whole one.
 */
export async function readRangeLines(
  path: string,
  start: number,
  end: number | undefined,
  sink: RangeLineSink,
  options: RangeLinesOptions = {},
): Promise<RangeSummary> {
  const fd = openSync(path, 'r');
  try {
    return await readFdRange(fd, start, end, sink, options);
  } finally {
    closeSync(fd);
  }
}

/**
 * Feeds the lines of a stream (stdin, a pipe, gzip: anything {@link readLineBatches} reads) to the same sink
 * {@link readRangeLines} feeds, and returns how the source ended.
 */
export async function streamLines(
  source: string | Readable,
  sink: RangeLineSink,
  options: ReadLinesOptions = {},
): Promise<SourceSummary> {
  const summary: { value?: SourceSummary } = {};
  const bytes = sink.bytes;
  const opts: ReadLinesOptions =
    bytes === undefined
      ? options
      : { ...options, take: (n, chunk, start, end) => bytes.call(sink, n, chunk, start, end) };
  for await (const batch of readLineBatches(source, opts, summary))
    for (const line of batch) {
      if (line.tooLong) sink.tooLong(line.number, line.bytes);
      else sink.line(line.number, line.text, line.invalidUtf8 === true);
    }
  return summary.value ?? { lines: 0, missingFinalNewline: false };
}

function readAt(fd: number, buf: Buffer, pos: number, end: number | undefined): Promise<number> {
  const want = end === undefined ? buf.length : Math.min(buf.length, end - pos);
  if (want <= 0) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, want, pos, (e, n) => (e === null ? resolve(n) : reject(e)));
  });
}

async function readFdRange(
  fd: number,
  start: number,
  end: number | undefined,
  sink: RangeLineSink,
  options: RangeLinesOptions,
): Promise<RangeSummary> {
  const maxLineBytes = options.maxLineBytes ?? 8 << 20;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  // two buffers: one is split while the other is read into; kept for the next call (a thread reads share after
  // share, and fresh megabyte buffers are mapped and unmapped each time, which stalls every thread of the process)
  const cached = freeBuffers.pop();
  const buffers = cached?.[0].length === chunkBytes ? cached : twoBuffers(chunkBytes);
  try {
    return await readWith(buffers, fd, start, end, sink, maxLineBytes, options);
  } finally {
    // no read is in flight into them once readWith has settled, whether it returned or threw
    if (freeBuffers.length < 2) freeBuffers.push(buffers);
  }
}

const freeBuffers: (readonly [Buffer, Buffer])[] = [];

function twoBuffers(bytes: number): readonly [Buffer, Buffer] {
  return [Buffer.allocUnsafeSlow(bytes), Buffer.allocUnsafeSlow(bytes)];
}

async function readWith(
  buffers: readonly [Buffer, Buffer],
  fd: number,
  start: number,
  end: number | undefined,
  sink: RangeLineSink,
  maxLineBytes: number,
  options: RangeLinesOptions,
): Promise<RangeSummary> {
  let which = 0;
  let pos = start;
  let lineNo = 0;
  // the unfinished line: copies of its pieces so far, or (past maxLineBytes) only its length
  let carry: Buffer[] = [];
  let carried = 0;
  let skipping = false;
  let endedWithNewline = true;
  let pending = readAt(fd, buffers[0], pos, end);
  try {
    return await splitPieces();
  } catch (e) {
    // a sink that threw leaves the next read in flight: let it land before the file is closed and the buffers reused
    await pending.catch(() => undefined);
    throw e;
  }

  async function splitPieces(): Promise<RangeSummary> {
    for (;;) {
      const n = await pending;
      if (n === 0) break;
      pos += n;
      const buf = (which === 0 ? buffers[0] : buffers[1]).subarray(0, n);
      // read the next piece into the other buffer while this one is split and checked
      which ^= 1;
      pending = readAt(fd, which === 0 ? buffers[0] : buffers[1], pos, end);
      let lineStart = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, lineStart)) {
        lineNo++;
        if (lineStart === 0 && (carried > 0 || skipping)) {
          // the first line break of this piece ends a line carried over from the pieces before
          const total = carried + nl;
          if (skipping || total > maxLineBytes) sink.tooLong(lineNo, total);
          else {
            carry.push(buf.subarray(0, nl));
            const whole = Buffer.concat(carry, total);
            emitLine(sink, whole, 0, total, lineNo, start === 0 && lineNo === 1);
          }
          carry = [];
          carried = 0;
          skipping = false;
        } else if (nl - lineStart > maxLineBytes) {
          sink.tooLong(lineNo, nl - lineStart);
        } else {
          emitLine(sink, buf, lineStart, nl, lineNo, start === 0 && lineNo === 1);
        }
        lineStart = nl + 1;
      }
      options.onOffset?.(pos);
      const rest = n - lineStart;
      endedWithNewline = rest === 0;
      if (rest === 0) continue;
      carried += rest;
      if (skipping) continue;
      if (carried > maxLineBytes) {
        skipping = true;
        carry = [];
      } else {
        // a copy: this buffer is read into again two pieces from now
        carry.push(Buffer.from(buf.subarray(lineStart)));
      }
    }
    if (carried > 0) {
      lineNo++;
      if (skipping) sink.tooLong(lineNo, carried);
      else emitLine(sink, Buffer.concat(carry, carried), 0, carried, lineNo, start === 0 && lineNo === 1);
    }
    return { lines: lineNo, missingFinalNewline: !endedWithNewline, end: pos };
  }
}

function emitLine(
  sink: RangeLineSink,
  buf: Buffer,
  from: number,
  to: number,
  number: number,
  firstOfFile: boolean,
): void {
  let a = from;
  let b = to;
  if (firstOfFile && b - a >= 3 && buf[a] === 0xef && buf[a + 1] === 0xbb && buf[a + 2] === 0xbf) a += 3;
  if (b > a && buf[b - 1] === CR) b--;
  else if (sink.bytes !== undefined && buf[b] === NEWLINE && sink.bytes(number, buf, a, b)) return;
  // utf8Slice is what toString('utf8', a, b) calls once it has checked its arguments, which these already are
  const text = (buf as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice(a, b);
  // the decoder put U+FFFD where bytes were bad; only then are the raw bytes checked, so valid text costs one indexOf
  sink.line(number, text, text.indexOf('\ufffd') !== -1 && !isUtf8(buf.subarray(from, to)));
}

/**
 * The offset just after the first line break at or after `offset` (`size` when there is none): where a share of a
 * file may start. Reads forward in small pieces, so a cut inside a long line costs one scan of that line.
 */
export function nextLineStart(path: string, offset: number, size: number): number {
  if (offset <= 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 << 10);
    // the byte before `offset` may itself be the line break
    let pos = offset - 1;
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n === 0) return size;
      const nl = buf.indexOf(NEWLINE);
      if (nl !== -1 && nl < n) return pos + nl + 1;
      pos += n;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}
