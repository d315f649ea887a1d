import { closeSync, fsyncSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
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
  /** Called with write failures; the sink never throws from `tryEmit`. */
  readonly onError?: (error: unknown) => void;
  /** The clock for `recorded_at` (epoch milliseconds). Default `Date.now`. */
  readonly now?: () => number;
}

const NO_SCHEMA: SchemaRef | null = null;

/**
 * The snapshot recorder: appends each event as one NDJSON line `{seq, recorded_at, schema_id, schema_version, type, data}`
 * (`seq` monotonic from 1 per recorder), batching lines into one `writeSync` per batch or interval, with size-based
 * rotation; `shutdown()` writes the rest and fsyncs. Only whole lines are handed to the OS, so a killed process leaves
 * at most one torn final line.
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
    this._open(this._path);
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

  emit(event: EventEnvelope): Promise<void> {
    this.tryEmit(event);
    return Promise.resolve();
  }

  tryEmit(event: EventEnvelope): void {
    if (this._closed) {
      this._report(new Error(`NdjsonFileEventSink: event '${event.type}' emitted after shutdown of '${this._path}'`));
      return;
    }
    let line: string;
    try {
      const seq = this._seq + 1;
      const data = event.data === undefined ? 'null' : JSON.stringify(event.data);
      line = `{"seq":${seq},"recorded_at":"${nowIso(this._now())}",${this._schema(event.type)},"type":${JSON.stringify(event.type)},"data":${data}}\n`;
      this._seq = seq;
    } catch (e) {
      this._report(e);
      return;
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
  }

  /** Writes the buffered lines now. */
  flush(): Promise<void> {
    this._write();
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

  private _open(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    this._fd = openSync(path, 'a');
    this._fileBytes = statSync(path).size;
    this._files.push(path);
  }

  private _close(): void {
    if (this._fd === undefined) return;
    try {
      fsyncSync(this._fd);
      closeSync(this._fd);
    } catch (e) {
      this._report(e);
    }
    this._fd = undefined;
  }

  private _rotate(): void {
    this._close();
    const ext = extname(this._path);
    const base = ext === '' ? this._path : this._path.slice(0, -ext.length);
    this._open(`${base}.${this._files.length}${ext}`);
  }

  private _write(): void {
    if (this._pendingLines === 0 || this._fd === undefined) return;
    const chunk = this._pending;
    this._pending = '';
    this._pendingLines = 0;
    this._pendingBytes = 0;
    try {
      const buf = Buffer.from(chunk);
      let off = 0;
      while (off < buf.length) off += writeSync(this._fd, buf, off, buf.length - off);
      this._fileBytes += buf.length;
    } catch (e) {
      this._report(e);
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
