/** The identifiers of {@link CorrelationIds}; `runId` is sent as `pipeline_run_id`. */
export interface CorrelationIdsInit {
  readonly runId?: string | null;
  readonly requestId?: string | null;
  readonly traceId?: string | null;
  readonly sessionId?: string | null;
  readonly userId?: string | null;
  readonly orgId?: string | null;
  /** Extra keys merged last by {@link CorrelationIds.toDict}, so they can override the named ones. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** An immutable bundle of the ids that correlate a run's logs and events (the frozen `CorrelationIds` of the Python framework we follow). */
export class CorrelationIds {
  readonly runId: string | null;
  readonly requestId: string | null;
  readonly traceId: string | null;
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly orgId: string | null;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(init: CorrelationIdsInit = {}) {
    this.runId = init.runId ?? null;
    this.requestId = init.requestId ?? null;
    this.traceId = init.traceId ?? null;
    this.sessionId = init.sessionId ?? null;
    this.userId = init.userId ?? null;
    this.orgId = init.orgId ?? null;
    this.extra = Object.freeze({ ...init.extra });
    Object.freeze(this);
  }

  /**
   * The ids as a dict with each key present only when truthy (`runId` renamed `pipeline_run_id`), then `extra`
   * merged last, as in `to_dict` of the Python framework we follow.
   */
  toDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.runId) out.pipeline_run_id = this.runId;
    if (this.requestId) out.request_id = this.requestId;
    if (this.traceId) out.trace_id = this.traceId;
    if (this.sessionId) out.session_id = this.sessionId;
    if (this.userId) out.user_id = this.userId;
    if (this.orgId) out.org_id = this.orgId;
    return Object.assign(out, this.extra);
  }
}
