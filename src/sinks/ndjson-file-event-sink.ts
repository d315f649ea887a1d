import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { dirname, extname } from 'node:path';
import type { EventEnvelope, EventSink } from '../runtime/types.js';
import { nowIso } from '../runtime/timestamp.js';

/** The schema an event type was validated against, as a snapshot line records it. */
export interface SchemaRef {
  readonly schemaId: string;
  readonly version: number;
}

/** Options of {@link NdjsonFileEventSink}. */
export interface NdjsonFileEventSinkOptions {
  /** The first file's path (`events.ndjson`); rotation adds `events.1.ndjson`, `events.2.ndjson`, ... beside it. */
  readonly path: string;
  /** Names the schema of a type for the `schema_id`/`schema_version` fields; both are null when it returns undefined. Default: always undefined. */
  readonly describe?: (type: string) => SchemaRef | undefined;
  /** Buffered lines are written once this many are pending. Default 256 lines. */
  readonly maxBatchLines?: number;
  /** Buffered lines are also written every this many milliseconds. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** Start a new file before one would grow past this many bytes. Default: never rotate. */
  readonly maxFileBytes?: number;
  /** Called with write failures (and a torn line cut from the end of the file on open); the sink never throws from `tryEmit`. */
  readonly onError?: (error: unknown) => void;
  /** The clock for `recorded_at` (epoch milliseconds). Default `Date.now`. */
  readonly now?: () => number;
}

/** The counters of a {@link NdjsonFileEventSink}; `offered = delivered + failed + dropped + pending` always holds. */
export interface NdjsonRecorderMetrics {
  /** Events handed to `emit` or `tryEmit`. */
  readonly offered: number;
  /** Events whose line was written to the file (and is fsynced by the next `flush()` or `shutdown()`). */
  readonly delivered: number;
  /** Events lost: their write failed (a full disk) or their data could not be encoded; each is reported through `onError`. */
  readonly failed: number;
  /** Events refused after `shutdown()`. */
  readonly dropped: number;
  /** Lines buffered, not yet written. */
  readonly pending: number;
}

const NO_SCHEMA: SchemaRef | null = null;

/**
 * The snapshot recorder: appends each event as one NDJSON line `{seq, recorded_at, schema_id, schema_version, type, data}`
 * (`seq` monotonic from 1 per recorder), batching `tryEmit` lines into one `writeSync` per batch or interval, with
 * size-based rotation; `emit` writes at once and rejects when the write fails; `flush()` and `shutdown()` write the rest
 * and fsync. Only whole lines are handed to the OS, so a killed process leaves at most one torn final line, which the
 * next recorder on the same path cuts off; a failed write (a full disk) is cut back to the last whole line, counted
 * `failed` and reported. A restarted recorder continues the rotation sequence instead of appending to full files.
 */
export class NdjsonFileEventSink implements EventSink {
  private readonly _path: string;
  private readonly _describe: ((type: string) => SchemaRef | undefined) | undefined;
  private readonly _schemaCache = new Map<string, string>();
  private readonly _maxBatchLines: number;
  private readonly _maxFileBytes: number;
  private readonly _onError: ((error: unknown) => void) | undefined;
  private readonly _now: () => number;
  private readonly _files: string[] = [];
  private _pending = '';
  private _pendingLines = 0;
  private _pendingBytes = 0;
  private _fileBytes = 0;
  private _fd: number | undefined;
  private _seq = 0;
  private _index = 0;
  private _offered = 0;
  private _delivered = 0;
  private _failed = 0;
  private _dropped = 0;
  private _torn = false;
  private _lastWriteError: unknown;
  private _closed = false;
  private _timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: NdjsonFileEventSinkOptions) {
    this._path = options.path;
    this._describe = options.describe;
    this._maxBatchLines = options.maxBatchLines ?? 256;
    this._maxFileBytes = options.maxFileBytes ?? Number.POSITIVE_INFINITY;
    this._onError = options.onError;
    this._now = options.now ?? Date.now;
    mkdirSync(dirname(this._path), { recursive: true });
    this._openExisting();
    const interval = options.flushIntervalMs ?? 100;
    if (interval > 0) {
      this._timer = setInterval(() => this._write(), interval);
      this._timer.unref();
    }
  }

  /** The files written so far, oldest first. */
  get files(): readonly string[] {
    return this._files;
  }

  /** The `seq` of the last recorded event (0 before the first). */
  get lastSeq(): number {
    return this._seq;
  }

  /** A snapshot of the counters. */
  get metrics(): NdjsonRecorderMetrics {
    return {
      offered: this._offered,
      delivered: this._delivered,
      failed: this._failed,
      dropped: this._dropped,
      pending: this._pendingLines,
    };
  }

  /** Records the event and writes it (with any lines buffered before it) at once; rejects when it could not be recorded, so that a queue in front counts it failed, not delivered. */
  emit(event: EventEnvelope): Promise<void> {
    const error = this._record(event);
    if (error !== undefined) return Promise.reject(error);
    return this._write() ? Promise.resolve() : Promise.reject(this._lastWriteError);
  }

  /** Buffers the event's line; never throws. Failures are counted (`failed`, `dropped`) and reported through `onError`. */
  tryEmit(event: EventEnvelope): void {
    this._record(event);
  }

  // builds and buffers one line; returns the error when the event is not recorded (after reporting it)
  private _record(event: EventEnvelope): Error | undefined {
    this._offered++;
    if (this._closed) {
      this._dropped++;
      const error = new Error(`NdjsonFileEventSink: event '${event.type}' emitted after shutdown of '${this._path}'`);
      this._report(error);
      return error;
    }
    let line: string;
    try {
      const seq = this._seq + 1;
      const data = event.data === undefined ? 'null' : JSON.stringify(event.data);
      line = `{"seq":${seq},"recorded_at":"${nowIso(this._now())}",${this._schema(event.type)},"type":${JSON.stringify(event.type)},"data":${data}}\n`;
      this._seq = seq;
    } catch (e) {
      this._failed++;
      this._report(e);
      return e instanceof Error ? e : new Error(String(e));
    }
    if (this._maxFileBytes !== Number.POSITIVE_INFINITY) {
      const bytes = Buffer.byteLength(line);
      if (
        this._fileBytes + this._pendingBytes + bytes > this._maxFileBytes &&
        this._fileBytes + this._pendingBytes > 0
      ) {
        this._write();
        this._rotate();
      }
      this._pendingBytes += bytes;
    }
    this._pending += line;
    if (++this._pendingLines >= this._maxBatchLines) this._write();
    return undefined;
  }

  /** Writes the buffered lines now and fsyncs the file; failures are counted and reported, never thrown. */
  flush(): Promise<void> {
    this._write();
    this._fsync();
    return Promise.resolve();
  }

  /** Writes the buffered lines, fsyncs and closes the file; calling it twice is harmless. */
  shutdown(): Promise<void> {
    if (this._closed) return Promise.resolve();
    this._write();
    this._closed = true;
    if (this._timer !== undefined) clearInterval(this._timer);
    this._close();
    return Promise.resolve();
  }

  private _schema(type: string): string {
    let s = this._schemaCache.get(type);
    if (s === undefined) {
      const ref = this._describe?.(type) ?? NO_SCHEMA;
      s =
        ref === null
          ? '"schema_id":null,"schema_version":null'
          : `"schema_id":${JSON.stringify(ref.schemaId)},"schema_version":${ref.version}`;
      // stage names are open-ended: bound the memo
      if (this._schemaCache.size >= 4096) this._schemaCache.clear();
      this._schemaCache.set(type, s);
    }
    return s;
  }

  private _fileAt(index: number): string {
    if (index === 0) return this._path;
    const ext = extname(this._path);
    const base = ext === '' ? this._path : this._path.slice(0, -ext.length);
    return `${base}.${index}${ext}`;
  }

  // a recorder restarted on the same path continues the rotation sequence at its last file, not at the first
  private _openExisting(): void {
    if (this._maxFileBytes !== Number.POSITIVE_INFINITY)
      while (existsSync(this._fileAt(this._index + 1))) this._index++;
    this._open(this._fileAt(this._index));
  }

  private _open(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a');
    this._fd = fd;
    const stat = fstatSync(fd);
    this._fileBytes = stat.size;
    this._files.push(path);
    if (stat.isFile() && stat.size > 0) this._cutTornTail(fd, path);
  }

  // a crashed run may have left a torn last line: cut it so that the next line does not glue onto it
  private _cutTornTail(fd: number, path: string): void {
    const size = this._fileBytes;
    let end = size;
    let reader: number | undefined;
    try {
      reader = openSync(path, 'r');
      const tail = Buffer.alloc(Math.min(size, 64 * 1024));
      while (end > 0) {
        const start = Math.max(0, end - tail.length);
        const n = readSync(reader, tail, 0, end - start, start);
        const nl = tail.subarray(0, n).lastIndexOf(0x0a);
        if (nl !== -1) {
          end = start + nl + 1;
          break;
        }
        end = start;
      }
    } catch (e) {
      // unreadable (write-only): start on a new line, to be safe
      this._report(e);
      this._torn = true;
      return;
    } finally {
      if (reader !== undefined) closeSync(reader);
    }
    if (end === size) return;
    try {
      ftruncateSync(fd, end);
      this._fileBytes = end;
      this._report(
        new Error(
          `NdjsonFileEventSink: cut a torn last line (${size - end} bytes) left in '${path}' by an earlier run`,
        ),
      );
    } catch (e) {
      // cannot cut: start on a new line instead, leaving the torn one as one corrupt line
      this._torn = true;
      this._report(e);
    }
  }

  private _fsync(): void {
    if (this._fd === undefined) return;
    try {
      fsyncSync(this._fd);
    } catch (e) {
      // a device or a pipe (ndjson:/dev/stdout) cannot be fsynced: nothing is lost by that
      if ((e as { code?: unknown }).code !== 'EINVAL') this._report(e);
    }
  }

  private _close(): void {
    if (this._fd === undefined) return;
    this._fsync();
    try {
      closeSync(this._fd);
    } catch (e) {
      this._report(e);
    }
    this._fd = undefined;
  }

  private _rotate(): void {
    this._close();
    this._index++;
    this._open(this._fileAt(this._index));
  }

  // writes the buffered lines; on failure cuts the file back to its last whole line and counts the lines failed
  private _write(): boolean {
    if (this._pendingLines === 0) return true;
    const chunk = this._torn ? `\n${this._pending}` : this._pending;
    const lines = this._pendingLines;
    this._pending = '';
    this._pendingLines = 0;
    this._pendingBytes = 0;
    const fd = this._fd;
    if (fd === undefined) {
      this._failed += lines;
      this._lastWriteError = new Error(`NdjsonFileEventSink: '${this._path}' is closed`);
      this._report(this._lastWriteError);
      return false;
    }
    const buf = Buffer.from(chunk);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      this._fileBytes += buf.length;
      this._delivered += lines;
      this._torn = false;
      return true;
    } catch (e) {
      this._failed += lines;
      if (off > 0) {
        try {
          ftruncateSync(fd, this._fileBytes);
        } catch {
          this._torn = true;
        }
      }
      const file = this._files[this._files.length - 1] ?? this._path;
      this._lastWriteError = new Error(
        `NdjsonFileEventSink: ${lines} events not recorded, the write to '${file}' failed: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
      this._report(this._lastWriteError);
      return false;
    }
  }

  private _report(error: unknown): void {
    try {
      this._onError?.(error);
    } catch {
      // an error hook that throws must not reach the emitter either
    }
  }
}
