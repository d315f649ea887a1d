import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { PassThrough, type Readable } from 'node:stream';

/** One line of an NDJSON source, numbered from 1; `text` excludes the line break (and a trailing CR). */
export interface Line {
  readonly number: number;
  readonly text: string;
  /** True when the line exceeded `maxLineBytes`: `text` is then empty and the content was skipped, not buffered. */
  readonly tooLong: boolean;
  /** The line's length in bytes, counted even when it was too long. */
  readonly bytes: number;
  /** True when the line's bytes are not valid UTF-8: `text` then holds U+FFFD where the bad bytes were. */
  readonly invalidUtf8?: boolean;
}

/** Options of {@link readLineBatches}. */
export interface ReadLinesOptions {
  /** Lines longer than this many bytes are reported as `tooLong` without being kept in memory. Default 8 MiB. */
  readonly maxLineBytes?: number;
  /** Read size per chunk. Default 1 MiB. */
  readonly chunkBytes?: number;
  /** Called with the count of raw (possibly compressed) bytes read so far, for progress bars. */
  readonly onBytes?: (bytesRead: number) => void;
  /**
   * Offered a line's bytes `[start, end)` before they are decoded, when the whole line and its line feed (no CR before
   * it) lie in one chunk and it is not the first line; returns true when it has taken the line, which then does not
   * appear in a batch (it is still counted and numbered).
   */
  readonly take?: (number: number, chunk: Buffer, start: number, end: number) => boolean;
}

/** What a source ended with, learned once the last batch has been read. */
export interface SourceSummary {
  /** True when the last line had no line break after it. */
  readonly missingFinalNewline: boolean;
  readonly lines: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Opens a path (or `-` for stdin) or takes a stream, and transparently gunzips content that starts with the gzip magic bytes. */
export function openSource(source: string | Readable, options: ReadLinesOptions = {}): Readable {
  const raw: Readable =
    typeof source === 'string'
      ? source === '-'
        ? process.stdin
        : createReadStream(source, { highWaterMark: options.chunkBytes ?? 1 << 20 })
      : source;
  const out = new PassThrough({ highWaterMark: options.chunkBytes ?? 1 << 20 });
  let decided = false;
  let read = 0;
  raw.on('error', (e) => out.destroy(e));
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    options.onBytes?.(read);
    if (!decided) {
      decided = true;
      if (chunk.length >= 2 && chunk[0] === GZIP_MAGIC_0 && chunk[1] === GZIP_MAGIC_1) {
        const gunzip = createGunzip();
        gunzip.on('error', (e) => out.destroy(e));
        raw.unpipe?.();
        raw.removeAllListeners('data');
        raw.on('data', (c: Buffer) => {
          read += c.length;
          options.onBytes?.(read);
          if (!gunzip.write(c)) raw.pause();
        });
        gunzip.on('drain', () => raw.resume());
        raw.on('end', () => gunzip.end());
        gunzip.pipe(out);
        if (!gunzip.write(chunk)) raw.pause();
        return;
      }
      raw.on('end', () => out.end());
    }
    if (!out.write(chunk)) {
      raw.pause();
      out.once('drain', () => raw.resume());
    }
  });
  raw.on('end', () => {
    if (!decided) out.end();
  });
  return out;
}

// the decoder turns bad bytes into U+FFFD; only then are the raw bytes checked, so valid text costs one indexOf
function badUtf8(text: string, pieces: readonly Buffer[]): boolean {
  if (text.indexOf('\ufffd') === -1) return false;
  return !isUtf8(pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces));
}

/**
 * Streams the lines of an NDJSON source in batches (one batch per chunk read), in constant memory: only the current
 * chunk and one partial line are held, and a line over `maxLineBytes` is skipped as it streams. `summary` is filled
 * when iteration ends. A UTF-8 byte order mark at the start of the source is dropped; a line whose bytes are not valid
 * UTF-8 is flagged `invalidUtf8`.
 */
export async function* readLineBatches(
  source: string | Readable,
  options: ReadLinesOptions = {},
  summary?: { value?: SourceSummary },
): AsyncGenerator<Line[]> {
  const maxLineBytes = options.maxLineBytes ?? 8 << 20;
  const take = options.take;
  const stream = openSource(source, options);
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let partialPieces: Buffer[] = [];
  let partialBytes = 0;
  let skipping = false;
  let lineNo = 0;
  let sawAny = false;
  let endedWithNewline = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (chunk.length === 0) continue;
    sawAny = true;
    const batch: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      lineNo++;
      const pieceBytes = nl - start;
      const total = partialBytes + pieceBytes;
      if (skipping || total > maxLineBytes) {
        batch.push({ number: lineNo, text: '', tooLong: true, bytes: total });
        decoder.end();
      } else if (
        take !== undefined &&
        partialBytes === 0 &&
        lineNo > 1 &&
        (nl === start || chunk[nl - 1] !== 13) &&
        take(lineNo, chunk, start, nl)
      ) {
        // taken as bytes: nothing decoded
      } else {
        const piece = chunk.subarray(start, nl);
        let text = partial + decoder.write(piece) + decoder.end();
        if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
        partialPieces.push(piece);
        if (badUtf8(text, partialPieces))
          batch.push({ number: lineNo, text, tooLong: false, bytes: total, invalidUtf8: true });
        else batch.push({ number: lineNo, text, tooLong: false, bytes: total });
      }
      partial = '';
      partialPieces = [];
      partialBytes = 0;
      skipping = false;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      partialBytes += rest;
      if (skipping || partialBytes > maxLineBytes) {
        if (!skipping) decoder.end();
        skipping = true;
        partial = '';
        partialPieces = [];
      } else {
        const piece = chunk.subarray(start);
        partial += decoder.write(piece);
        partialPieces.push(piece);
      }
      endedWithNewline = false;
    } else {
      endedWithNewline = true;
    }
    if (batch.length > 0) yield batch;
  }
  if (partialBytes > 0 || skipping) {
    lineNo++;
    if (skipping) yield [{ number: lineNo, text: '', tooLong: true, bytes: partialBytes }];
    else {
      let text = partial + decoder.end();
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
      yield [
        badUtf8(text, partialPieces)
          ? { number: lineNo, text, tooLong: false, bytes: partialBytes, invalidUtf8: true }
          : { number: lineNo, text, tooLong: false, bytes: partialBytes },
      ];
    }
  }
  if (summary) summary.value = { missingFinalNewline: sawAny && !endedWithNewline, lines: lineNo };
}
