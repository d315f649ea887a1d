// the run report's model: a pure fold of recorded events (and the findings of reading them) into runs, stage
// attempts, markers and cross-run statistics; no I/O, so the CLI, the demo and tests all build it the same way
import { CORRELATION_KEYS as GENERATED_CORRELATION_KEYS } from '../../generated/common/correlation-keys.js';

/** A stage attempt's or a run's outcome as the report colours it. */
export type ReportStatus = 'completed' | 'failed' | 'skipped' | 'cancelled' | 'running';

/** Why an attempt started: the stage's first run, an interceptor retry (`stage.retry_scheduled`) or a guard retry. */
export type AttemptKind = 'first' | 'retry' | 'guard_retry';

/** One bar of a run's timeline: one attempt of one stage, from its start to its end. */
export interface ReportAttempt {
  readonly stage: string;
  /** 1-based, per stage and run. */
  readonly attempt: number;
  readonly kind: AttemptKind;
  /** Epoch milliseconds. */
  readonly start: number;
  /** Epoch milliseconds; the run's last event time for an attempt that never ended. */
  end: number;
  status: ReportStatus;
  /** True when an interceptor retry ended this attempt. */
  retried: boolean;
  /** Indices into {@link ReportModel.payloads}: the events behind the bar (start, retry, end). */
  readonly events: number[];
  /** Runs this attempt spawned, by run id. */
  readonly children: string[];
}

/** Something that happened during a stage, drawn as a tick on its row: a tool call, an approval, a stream event, a guard retry. */
export interface ReportMarker {
  /** The stage the event names, or null when it names none (drawn on the run's own row). */
  readonly stage: string | null;
  readonly kind: 'tool' | 'approval' | 'stream' | 'guard_retry' | 'retry' | 'event';
  readonly type: string;
  /** Epoch milliseconds. */
  readonly time: number;
  /** Index into {@link ReportModel.payloads}, or -1 when the payload budget was spent. */
  readonly event: number;
}

/** A run's error summary (from `pipeline.failed` or `pipeline.cancelled`). */
export interface ReportError {
  readonly code: string;
  readonly message: string;
  readonly stage: string | null;
  readonly retryable: boolean | null;
}

/** One pipeline run: its identity, outcome, timeline and the runs it spawned. */
export interface ReportRun {
  readonly runId: string;
  pipelineName: string;
  parentRunId: string | null;
  parentStage: string | null;
  status: ReportStatus;
  start: number;
  end: number;
  durationMs: number | null;
  error: ReportError | null;
  /** request_id, session_id, user_id, org_id, topology, execution_mode, service, as first seen. */
  readonly correlation: Record<string, string>;
  traceId: string | null;
  /** Declared stage order from `pipeline.started`, then stages in order of first appearance. */
  readonly stages: string[];
  readonly attempts: ReportAttempt[];
  readonly markers: ReportMarker[];
  /** Child run ids, in spawn order. */
  readonly children: string[];
  /** The run's own `pipeline.*` events, as payload indices. */
  readonly events: number[];
  eventCount: number;
}

/** A line of the input that is not a valid event. */
export interface ReportFinding {
  readonly source: string;
  /** 1-based line number, or null for a store. */
  readonly line: number | null;
  /** The event type, or null for a corrupt line. */
  readonly type: string | null;
  readonly errors: readonly string[];
}

/** Duration percentiles of one stage across runs, from `stage.wide` events (milliseconds). */
export interface StageDurationStats {
  readonly stage: string;
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Everything the HTML report shows. */
export interface ReportModel {
  readonly title: string;
  readonly sources: readonly string[];
  readonly totals: {
    readonly events: number;
    readonly runs: number;
    readonly attempts: number;
    readonly invalid: number;
    readonly corrupt: number;
    /** Payloads not kept because the budget was spent. */
    readonly payloadsDropped: number;
  };
  /** Top-level runs first (in start order), each followed by nothing: children are reached through `children`. */
  readonly runs: readonly ReportRun[];
  /** Ids of runs no other run spawned, in start order. */
  readonly roots: readonly string[];
  readonly families: Readonly<Record<string, number>>;
  readonly stageDurations: readonly StageDurationStats[];
  readonly findings: readonly ReportFinding[];
  readonly findingsTotal: number;
  /** The kept event payloads, as `{type, data, source?, line?}`; items reference them by index. */
  readonly payloads: readonly unknown[];
}

/** One event handed to the builder. */
export interface ReportEvent {
  readonly type: string;
  readonly data?: unknown;
  /** When it was recorded (the recorder's `recorded_at`), used when the payload has no timestamp. */
  readonly recordedAt?: string;
  readonly source?: string;
  readonly line?: number;
}

/** Options of {@link ReportBuilder}. */
export interface ReportBuilderOptions {
  readonly title?: string;
  /** At most this many event payloads are kept for click-to-inspect (default 50 000); the rest are counted. */
  readonly maxPayloads?: number;
  /** At most this many findings are listed (default 1000); the rest are counted. */
  readonly maxFindings?: number;
}

const STAGE_EVENT = /^stage\.([^.]+)\.(started|completed|failed|skipped)$/;
// the run's correlation keys (schemas/common/correlation-keys.v1.json) but the run id, which the report keys runs by
const CORRELATION_KEYS: readonly string[] = GENERATED_CORRELATION_KEYS.map((k) => k.snake).filter(
  (k) => k !== 'pipeline_run_id',
);

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The family of an event type as the report counts it: the first dot-separated part (`stage.x.started` → `stage`). */
export function familyOfType(type: string): string {
  if (type === 'pipeline.wide' || type === 'stage.wide') return 'wide';
  if (/^pipeline\.(spawned_child|child_completed|child_failed|canceled)$/.test(type)) return 'subpipeline';
  const dot = type.indexOf('.');
  return dot === -1 ? type : type.slice(0, dot);
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

/**
 * Folds events, in recorded order, into a {@link ReportModel}: `add` each event, `addFinding` each line that was not a
 * valid event, then `build`. Attempts are paired per run and stage: `stage.<name>.started` opens one,
 * `stage.retry_scheduled` ends it (failed, retried) and opens the retry, `stage.<name>.completed|failed|skipped` ends it
 * (`completed` with `cancelled: true` counts as cancelled); a skip without a start is a zero-length skipped attempt.
 */
export class ReportBuilder {
  private readonly _title: string;
  private readonly _maxPayloads: number;
  private readonly _maxFindings: number;
  private readonly _runs = new Map<string, ReportRun>();
  private readonly _open = new Map<string, Map<string, ReportAttempt>>();
  private readonly _attemptCount = new Map<string, Map<string, number>>();
  private readonly _guardPending = new Map<string, Set<string>>();
  private readonly _childOf = new Map<string, { parent: string; stage: string | null }>();
  private readonly _families = new Map<string, number>();
  private readonly _durations = new Map<string, number[]>();
  private readonly _findings: ReportFinding[] = [];
  private readonly _payloads: unknown[] = [];
  private readonly _sources = new Set<string>();
  private _findingsTotal = 0;
  private _events = 0;
  private _attempts = 0;
  private _invalid = 0;
  private _corrupt = 0;
  private _dropped = 0;
  private _lastTime = 0;

  constructor(options: ReportBuilderOptions = {}) {
    this._title = options.title ?? 'stageflow run report';
    this._maxPayloads = options.maxPayloads ?? 50_000;
    this._maxFindings = options.maxFindings ?? 1000;
  }

  /** How many findings were added so far. */
  get findingCount(): number {
    return this._findingsTotal;
  }

  /** Records a line that is not a valid event: corrupt (`type` null) or invalid against its schema. */
  addFinding(finding: ReportFinding): void {
    this._findingsTotal++;
    if (finding.type === null) this._corrupt++;
    else this._invalid++;
    if (finding.source !== '') this._sources.add(finding.source);
    if (this._findings.length < this._maxFindings) this._findings.push(finding);
  }

  private keep(e: ReportEvent): number {
    if (this._payloads.length >= this._maxPayloads) {
      this._dropped++;
      return -1;
    }
    const p: Record<string, unknown> = { type: e.type, data: e.data ?? null };
    if (e.source !== undefined) p.source = e.source;
    if (e.line !== undefined) p.line = e.line;
    this._payloads.push(p);
    return this._payloads.length - 1;
  }

  private run(id: string, time: number): ReportRun {
    let r = this._runs.get(id);
    if (r === undefined) {
      const link = this._childOf.get(id);
      r = {
        runId: id,
        pipelineName: '',
        parentRunId: link?.parent ?? null,
        parentStage: link?.stage ?? null,
        status: 'running',
        start: time,
        end: time,
        durationMs: null,
        error: null,
        correlation: {},
        traceId: null,
        stages: [],
        attempts: [],
        markers: [],
        children: [],
        events: [],
        eventCount: 0,
      };
      this._runs.set(id, r);
    }
    return r;
  }

  private stageRow(run: ReportRun, stage: string): void {
    if (!run.stages.includes(stage)) run.stages.push(stage);
  }

  private openAttempt(run: ReportRun, stage: string, kind: AttemptKind, time: number, event: number): ReportAttempt {
    let counts = this._attemptCount.get(run.runId);
    if (counts === undefined) this._attemptCount.set(run.runId, (counts = new Map()));
    const n = (counts.get(stage) ?? 0) + 1;
    counts.set(stage, n);
    const a: ReportAttempt = {
      stage,
      attempt: n,
      kind,
      start: time,
      end: time,
      status: 'running',
      retried: false,
      events: event === -1 ? [] : [event],
      children: [],
    };
    run.attempts.push(a);
    this._attempts++;
    let open = this._open.get(run.runId);
    if (open === undefined) this._open.set(run.runId, (open = new Map()));
    open.set(stage, a);
    this.stageRow(run, stage);
    return a;
  }

  /** Adds one event, in recorded order. */
  add(e: ReportEvent): void {
    this._events++;
    if (e.source !== undefined) this._sources.add(e.source);
    const family = familyOfType(e.type);
    this._families.set(family, (this._families.get(family) ?? 0) + 1);
    const d = obj(e.data);
    const ts = str(d.timestamp) ?? e.recordedAt;
    let time = ts === undefined ? Number.NaN : Date.parse(ts);
    if (Number.isNaN(time)) time = this._lastTime;
    else this._lastTime = time;

    if (e.type === 'stage.wide') {
      const stage = str(d.stage);
      if (stage !== null && typeof d.duration_ms === 'number') {
        let list = this._durations.get(stage);
        if (list === undefined) this._durations.set(stage, (list = []));
        list.push(d.duration_ms);
      }
    }

    if (e.type === 'pipeline.spawned_child') {
      const parent = str(d.parent_run_id);
      const child = str(d.child_run_id);
      if (parent === null || child === null) return;
      const stage = str(d.parent_stage_id);
      this._childOf.set(child, { parent, stage });
      const p = this.run(parent, time);
      p.eventCount++;
      if (!p.children.includes(child)) p.children.push(child);
      const c = this.run(child, time);
      c.parentRunId = parent;
      c.parentStage = stage;
      if (str(d.pipeline_name) !== null && c.pipelineName === '') c.pipelineName = d.pipeline_name as string;
      const idx = this.keep(e);
      if (stage !== null) {
        const a = this._open.get(parent)?.get(stage);
        if (a !== undefined) a.children.push(child);
        p.markers.push({ stage, kind: 'event', type: e.type, time, event: idx });
      }
      return;
    }

    const runId = str(d.pipeline_run_id) ?? (e.type.startsWith('pipeline.child_') ? str(d.parent_run_id) : null);
    if (runId === null) return;
    const run = this.run(runId, time);
    run.eventCount++;
    if (time < run.start) run.start = time;
    if (time > run.end) run.end = time;
    for (const k of CORRELATION_KEYS) {
      const v = str(d[k]);
      if (v !== null && run.correlation[k] === undefined && !(k === 'request_id' && e.type.startsWith('approval.')))
        run.correlation[k] = v;
    }

    const m = STAGE_EVENT.exec(e.type);
    if (m !== null) {
      const stage = m[1] as string;
      const what = m[2] as string;
      const idx = this.keep(e);
      const open = this._open.get(runId)?.get(stage);
      if (what === 'started') {
        if (open !== undefined) this.close(run, open, 'running', time);
        // a stage started again in the same run is a guard retry (an interceptor retry has no second start)
        const n = this._attemptCount.get(runId)?.get(stage) ?? 0;
        this.openAttempt(
          run,
          stage,
          n > 0 || this._guardPending.get(runId)?.has(stage) === true ? 'guard_retry' : 'first',
          time,
          idx,
        );
        return;
      }
      const status: ReportStatus =
        what === 'completed' ? (d.cancelled === true ? 'cancelled' : 'completed') : (what as ReportStatus);
      const a = open ?? this.openAttempt(run, stage, 'first', time, -1);
      if (idx !== -1) a.events.push(idx);
      this.close(run, a, status, time);
      return;
    }

    switch (e.type) {
      case 'pipeline.started': {
        run.start = time;
        if (str(d.pipeline_name) !== null) run.pipelineName = d.pipeline_name as string;
        if (str(d.parent_run_id) !== null && run.parentRunId === null) run.parentRunId = d.parent_run_id as string;
        if (str(d.trace_id) !== null) run.traceId = d.trace_id as string;
        if (Array.isArray(d.stages)) for (const s of d.stages) if (typeof s === 'string') this.stageRow(run, s);
        const idx = this.keep(e);
        if (idx !== -1) run.events.push(idx);
        return;
      }
      case 'pipeline.completed':
      case 'pipeline.failed':
      case 'pipeline.cancelled': {
        run.status =
          e.type === 'pipeline.completed' ? 'completed' : e.type === 'pipeline.failed' ? 'failed' : 'cancelled';
        run.end = time;
        if (typeof d.duration_ms === 'number') run.durationMs = d.duration_ms;
        if (str(d.pipeline_name) !== null && run.pipelineName === '') run.pipelineName = d.pipeline_name as string;
        if (e.type === 'pipeline.failed')
          run.error = {
            code: str(d.error_code) ?? 'UNKNOWN',
            message: str(d.error) ?? 'failed',
            stage: str(d.failed_stage),
            retryable: typeof d.retryable === 'boolean' ? d.retryable : null,
          };
        else if (e.type === 'pipeline.cancelled')
          run.error = {
            code: 'CANCELLED',
            message: str(d.reason) ?? 'cancelled',
            stage: str(d.cancelled_by_stage),
            retryable: false,
          };
        const idx = this.keep(e);
        if (idx !== -1) run.events.push(idx);
        for (const a of this._open.get(runId)?.values() ?? []) this.close(run, a, 'running', time);
        return;
      }
      case 'stage.retry_scheduled': {
        const stage = str(d.stage);
        if (stage === null) return;
        const idx = this.keep(e);
        const open = this._open.get(runId)?.get(stage);
        if (open !== undefined) {
          if (idx !== -1) open.events.push(idx);
          open.retried = true;
          this.close(run, open, 'failed', time);
        }
        this.openAttempt(run, stage, 'retry', time, -1);
        run.markers.push({ stage, kind: 'retry', type: e.type, time, event: idx });
        return;
      }
      default:
        break;
    }

    if (e.type.startsWith('guard_retry.')) {
      const guard = str(d.guard);
      const retry = str(d.retry_stage);
      if (e.type === 'guard_retry.scheduled' && guard !== null) {
        let pending = this._guardPending.get(runId);
        if (pending === undefined) this._guardPending.set(runId, (pending = new Set()));
        pending.add(guard);
        if (retry !== null) pending.add(retry);
      }
      run.markers.push({ stage: guard, kind: 'guard_retry', type: e.type, time, event: this.keep(e) });
      return;
    }
    const kind: ReportMarker['kind'] | undefined = e.type.startsWith('tool.')
      ? 'tool'
      : e.type.startsWith('approval.')
        ? 'approval'
        : e.type.startsWith('stream.')
          ? 'stream'
          : undefined;
    if (kind !== undefined) {
      const stage = str(d.stage);
      if (stage !== null) this.stageRow(run, stage);
      run.markers.push({ stage, kind, type: e.type, time, event: this.keep(e) });
    }
  }

  private close(run: ReportRun, a: ReportAttempt, status: ReportStatus, time: number): void {
    a.end = Math.max(a.start, time);
    a.status = status;
    if (status !== 'running') this._open.get(run.runId)?.delete(a.stage);
  }

  /** The model of everything added so far. */
  build(): ReportModel {
    const runs = [...this._runs.values()].sort((a, b) => a.start - b.start);
    for (const r of runs) {
      if (r.pipelineName === '') r.pipelineName = '(unnamed)';
      // a still-open attempt of a finished or truncated run ends where the run's record ends
      for (const a of this._open.get(r.runId)?.values() ?? []) a.end = Math.max(a.start, r.end);
    }
    const roots = runs.filter((r) => r.parentRunId === null || !this._runs.has(r.parentRunId)).map((r) => r.runId);
    const stageDurations: StageDurationStats[] = [];
    for (const [stage, list] of this._durations) {
      const sorted = Float64Array.from(list).sort();
      const arr = Array.from(sorted);
      stageDurations.push({
        stage,
        count: arr.length,
        p50: percentile(arr, 50),
        p90: percentile(arr, 90),
        p99: percentile(arr, 99),
        max: arr[arr.length - 1] ?? 0,
      });
    }
    stageDurations.sort((a, b) => b.p90 - a.p90 || a.stage.localeCompare(b.stage));
    return {
      title: this._title,
      sources: [...this._sources],
      totals: {
        events: this._events,
        runs: runs.length,
        attempts: this._attempts,
        invalid: this._invalid,
        corrupt: this._corrupt,
        payloadsDropped: this._dropped,
      },
      runs,
      roots,
      families: Object.fromEntries([...this._families.entries()].sort((a, b) => a[0].localeCompare(b[0]))),
      stageDurations,
      findings: this._findings,
      findingsTotal: this._findingsTotal,
      payloads: this._payloads,
    };
  }
}

/** Builds a report model from events already in memory (and optional findings). */
export function buildReportModel(
  events: Iterable<ReportEvent>,
  options: ReportBuilderOptions & { readonly findings?: Iterable<ReportFinding> } = {},
): ReportModel {
  const b = new ReportBuilder(options);
  for (const e of events) b.add(e);
  for (const f of options.findings ?? []) b.addFinding(f);
  return b.build();
}
