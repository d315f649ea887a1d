// an example third-party sink: forwards every event as one NDJSON line (as a Kafka or file forwarder would), refusing
// payloads that break the contract; in your project import from 'stageflow-events' instead of the relative paths
import { TypedEventSinkBase, findEventDescriptor } from '../../generated/index.js';
import type { StageWideData, ToolInvokedData } from '../../generated/index.js';
import type { EventEnvelope } from '../../src/runtime/index.js';

/** Options of {@link NdjsonForwarderSink}. */
export interface NdjsonForwarderSinkOptions {
  /** Receives each batch of newline-terminated lines. */
  readonly write: (chunk: string) => void;
  /** Lines buffered before a write. Default 256. */
  readonly batchLines?: number;
}

/** Forwards valid events as `{"type","data"}` lines in batches, counts a partition key per event and records refused events. */
export class NdjsonForwarderSink extends TypedEventSinkBase {
  /** How many events went to each partition key (the run id, or the tool action for tool events). */
  readonly partitions = new Map<string, number>();
  /** Events refused because no schema claims their type or their payload does not match it. */
  readonly refused: { readonly type: string; readonly reason: string }[] = [];
  private readonly _write: (chunk: string) => void;
  private readonly _batchLines: number;
  private _buffer: string[] = [];
  private _key = 'default';

  constructor(options: NdjsonForwarderSinkOptions) {
    super();
    this._write = options.write;
    this._batchLines = options.batchLines ?? 256;
  }

  override tryEmit(event: EventEnvelope): void {
    const descriptor = findEventDescriptor(event.type);
    if (descriptor === undefined) {
      this.refused.push({ type: event.type, reason: 'unknown event type' });
      return;
    }
    if (!descriptor.validate(event.data)) {
      const first = descriptor.validate.errors?.[0];
      this.refused.push({ type: event.type, reason: `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` });
      return;
    }
    this._key = runIdOf(event.data);
    super.tryEmit(event);
    this.partitions.set(this._key, (this.partitions.get(this._key) ?? 0) + 1);
    this._buffer.push(JSON.stringify({ type: event.type, data: event.data }));
    if (this._buffer.length >= this._batchLines) this.flush();
  }

  override emit(event: EventEnvelope): Promise<void> {
    this.tryEmit(event);
    return Promise.resolve();
  }

  /** Tool events are keyed by their action so one action's events stay in order on one partition. */
  override onToolInvoked(data: ToolInvokedData): void {
    this._key = data.action_id;
  }

  /** Wide stage events carry the run id even when null elsewhere. */
  override onStageWide(data: StageWideData): void {
    this._key = data.pipeline_run_id ?? 'no-run';
  }

  /** Writes the buffered lines. */
  flush(): void {
    if (this._buffer.length === 0) return;
    this._write(`${this._buffer.join('\n')}\n`);
    this._buffer = [];
  }

  /** Flushes; safe to call twice. */
  shutdown(): void {
    this.flush();
  }
}

function runIdOf(data: unknown): string {
  const id =
    data !== null && typeof data === 'object' ? (data as { pipeline_run_id?: unknown }).pipeline_run_id : undefined;
  return typeof id === 'string' ? id : 'no-run';
}
