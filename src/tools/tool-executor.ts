import { randomUUID } from 'node:crypto';
import type { EmitOptions } from '../runtime/index.js';
import { isUuid, nowIso } from '../runtime/index.js';
import {
  emitApprovalDecided,
  emitApprovalRequested,
  emitToolCompleted,
  emitToolDenied,
  emitToolFailed,
  emitToolInvoked,
  emitToolStarted,
  emitToolUndoFailed,
  emitToolUndone,
  TOOL_INVOKED_DESCRIPTOR,
} from '../../generated/index.js';
import { ContractError } from '../errors.js';
import { correlationKeysAmong, toEventContext } from '../observability/event-context.js';
import type { EventContext, EventContextSource } from '../observability/event-context.js';
import type { EventSink } from '../runtime/types.js';
import { summarizePayload } from './payload-summary.js';
import {
  ToolApprovalDeniedError,
  ToolApprovalTimeoutError,
  ToolDeniedError,
  ToolExecutionError,
  ToolNotFoundError,
  ToolUndoError,
  errorClassName,
  errorMessage,
} from './tool-errors.js';

/** What a tool handler returns; `success: false` is still reported as `tool.completed` (read `output_summary.success`). */
export interface ToolOutput {
  readonly success: boolean;
  readonly data?: unknown;
  readonly error?: string | null;
  readonly artifacts?: readonly unknown[];
  /** Anything the undo handler needs to reverse the action; its presence makes the action undoable. */
  readonly undoMetadata?: Readonly<Record<string, unknown>> | null;
}

/** What a handler learns about the call it serves. */
export interface ToolCall {
  readonly actionId: string;
  readonly toolName: string;
  readonly behavior: string | null;
  readonly context: EventContext | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Runs the tool. */
export type ToolHandler = (
  payload: Readonly<Record<string, unknown>>,
  call: ToolCall,
) => ToolOutput | Promise<ToolOutput>;

/** Reverses a completed action from the `undoMetadata` its handler returned. */
export type ToolUndoHandler = (
  undoMetadata: Readonly<Record<string, unknown>>,
  call: { readonly actionId: string; readonly toolName: string },
) => unknown;

/** A tool as registered with {@link ToolExecutor.register}. */
export interface ToolDefinition {
  /** The name sent as `tool_name` and used by `execute`. */
  readonly name: string;
  /** A second key `execute` accepts (the Python framework we follow registers tools under their action type); defaults to `name`. */
  readonly actionType?: string;
  /** Behaviours (execution modes) allowed to call the tool; empty or absent allows every behaviour. */
  readonly allowedBehaviors?: readonly string[];
  /** Ask for human approval before running; default false. */
  readonly requiresApproval?: boolean;
  /** Text shown to the approver; default `Approve execution of tool '<name>'?`. */
  readonly approvalMessage?: string;
  readonly handler: ToolHandler;
  readonly undo?: ToolUndoHandler;
}

/** What the approver is asked; `requestId` is the approval request's id, as sent in `approval.*` events. */
export interface ApprovalRequest {
  readonly requestId: string;
  readonly toolName: string;
  readonly actionId: string;
  readonly pipelineRunId: string | null;
  readonly message: string;
  readonly behavior: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The approver's answer; `decidedBy` is sent as `approval.decided.decided_by` when it is a UUID (the schema's type). */
export interface ApprovalDecision {
  readonly approved: boolean;
  readonly decidedBy?: string;
}

/** Options of {@link ToolExecutor}. */
export interface ToolExecutorOptions {
  /** How long to wait for an approval decision, in milliseconds; default 60000. */
  readonly approvalTimeoutMs?: number;
  /** Asks a human; without it every approval times out after `approvalTimeoutMs`. */
  readonly requestApproval?: (request: ApprovalRequest) => Promise<ApprovalDecision>;
  /** Deliver events to this sink instead of the one resolved at emit time by `getEventSink()`. */
  readonly sink?: EventSink;
  /** How long a completed action stays undoable, in milliseconds; default 3600000 (one hour). */
  readonly undoTtlMs?: number;
}

/** Per-call options of {@link ToolExecutor.execute}. */
export interface ToolExecuteOptions {
  /**
   * Correlation keys (an {@link EventContext} or a pipeline `StageContext`): those the `tool.*` schemas declare
   * (`pipeline_run_id`, `request_id`) and the stage go on every event; `executionMode` is the default behaviour.
   */
  readonly context?: EventContext | EventContextSource;
  /** The behaviour the gate checks; defaults to `context.executionMode`, else null. */
  readonly behavior?: string | null;
  /** Passed to the handler. */
  readonly signal?: AbortSignal;
}

/** The result of a successful {@link ToolExecutor.execute}. */
export interface ToolExecution {
  readonly actionId: string;
  readonly toolName: string;
  readonly output: ToolOutput;
  /** How long the handler ran, in milliseconds with a fraction. */
  readonly durationMs: number;
}

interface UndoRecord {
  readonly tool: ToolDefinition;
  readonly undoMetadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly createdAtMs: number;
  readonly context: EventContext | undefined;
}

// the correlation keys every tool.* and approval.* schema declares (required, nullable)
const TOOL_KEYS = correlationKeysAmong(TOOL_INVOKED_DESCRIPTOR.properties);

interface ToolBase {
  tool_name: string;
  action_id: string;
  pipeline_run_id: string | null;
  request_id: string | null;
  stage?: string;
}

/**
 * Runs registered tools and emits `tool.*` and `approval.*` events in the order of the Python framework we follow:
 * invoked, then denied (behaviour gate), or approval.requested then approval.decided or denied(approval_timeout), then
 * started, then completed or failed. Unlike that framework, an approval denial is followed by `tool.denied` (reason
 * `approval_denied`), `decided_by` carries the decider, undo finds the tool by the name recorded for the action, and
 * every event goes through the generated emitters to one sink.
 */
export class ToolExecutor {
  /** How long to wait for an approval decision, in milliseconds. */
  readonly approvalTimeoutMs: number;
  /** How long a completed action stays undoable, in milliseconds. */
  readonly undoTtlMs: number;
  private readonly _requestApproval: ((request: ApprovalRequest) => Promise<ApprovalDecision>) | undefined;
  private readonly _emitOptions: EmitOptions | undefined;
  private readonly _tools = new Map<string, ToolDefinition>();
  private readonly _undoable = new Map<string, UndoRecord>();

  constructor(options: ToolExecutorOptions = {}) {
    this.approvalTimeoutMs = options.approvalTimeoutMs ?? 60_000;
    this.undoTtlMs = options.undoTtlMs ?? 3_600_000;
    this._requestApproval = options.requestApproval;
    this._emitOptions = options.sink === undefined ? undefined : { sink: options.sink };
  }

  /** Registers a tool under its name (and its action type when different); a key already taken throws `tool_exists`. */
  register(tool: ToolDefinition): this {
    const keys =
      tool.actionType === undefined || tool.actionType === tool.name ? [tool.name] : [tool.name, tool.actionType];
    for (const key of keys) {
      if (this._tools.has(key)) throw new ContractError('tool_exists', `a tool is already registered as '${key}'`);
    }
    for (const key of keys) this._tools.set(key, tool);
    return this;
  }

  /** Whether a tool is registered under `name` (its name or action type). */
  has(name: string): boolean {
    return this._tools.has(name);
  }

  /**
   * Executes a tool: throws {@link ToolNotFoundError} before any event, {@link ToolDeniedError},
   * {@link ToolApprovalDeniedError}, {@link ToolApprovalTimeoutError} or {@link ToolExecutionError}, each after its events.
   */
  async execute(
    name: string,
    payload: Readonly<Record<string, unknown>> = {},
    options: ToolExecuteOptions = {},
  ): Promise<ToolExecution> {
    const tool = this._tools.get(name);
    if (tool === undefined) throw new ToolNotFoundError(name);
    const context = toEventContext(options.context);
    const behavior = options.behavior !== undefined ? options.behavior : (context?.executionMode ?? null);
    const base = this._base(tool.name, randomUUID(), context);
    const opts = this._emitOptions;

    emitToolInvoked({ ...base, payload_summary: summarizePayload(payload), behavior }, opts);

    const allowed = tool.allowedBehaviors ?? [];
    if (allowed.length > 0 && (behavior === null || !allowed.includes(behavior))) {
      emitToolDenied({ ...base, reason: 'behavior_not_allowed', behavior, allowed_behaviors: [...allowed] }, opts);
      throw new ToolDeniedError(tool.name, base.action_id, behavior, allowed);
    }

    if (tool.requiresApproval === true) await this._approve(tool, base, behavior, payload);

    emitToolStarted(base, opts);
    const call: ToolCall = { actionId: base.action_id, toolName: tool.name, behavior, context, signal: options.signal };
    const startedAt = performance.now();
    let output: ToolOutput;
    try {
      output = await tool.handler(payload, call);
    } catch (error) {
      emitToolFailed(
        {
          ...base,
          duration_ms: performance.now() - startedAt,
          error_code: errorClassName(error),
          error_message: errorMessage(error),
        },
        opts,
      );
      throw new ToolExecutionError(tool.name, base.action_id, error);
    }
    const durationMs = performance.now() - startedAt;
    const artifacts = output.artifacts ?? [];
    const undoMetadata = output.undoMetadata ?? undefined;
    emitToolCompleted(
      {
        ...base,
        duration_ms: durationMs,
        output_summary: {
          success: output.success,
          has_data: output.data !== undefined && output.data !== null,
          has_error: output.error !== undefined && output.error !== null && output.error !== '',
          has_artifacts: artifacts.length > 0,
          has_undo_metadata: undoMetadata !== undefined,
        },
        artifacts_count: artifacts.length,
      },
      opts,
    );
    if (undoMetadata !== undefined) {
      this._undoable.set(base.action_id, { tool, undoMetadata, createdAt: nowIso(), createdAtMs: Date.now(), context });
    }
    return { actionId: base.action_id, toolName: tool.name, output, durationMs };
  }

  /** Whether `actionId` can still be undone (it returned undo metadata, its tool has an undo handler, and it has not expired). */
  canUndo(actionId: string): boolean {
    const record = this._undoable.get(actionId);
    return record !== undefined && record.tool.undo !== undefined && Date.now() - record.createdAtMs <= this.undoTtlMs;
  }

  /**
   * Reverses a completed action: emits `tool.undone` and resolves true, or emits `tool.undo_failed` and throws
   * {@link ToolUndoError}; resolves false with no event when the action has no undo metadata, no handler, or expired.
   */
  async undo(actionId: string): Promise<boolean> {
    const record = this._undoable.get(actionId);
    if (record === undefined) return false;
    const undo = record.tool.undo;
    if (undo === undefined) return false;
    if (Date.now() - record.createdAtMs > this.undoTtlMs) {
      this._undoable.delete(actionId);
      return false;
    }
    // the record holds the registered tool itself, so undo cannot miss it (the Python framework we follow looks it up by the wrong key)
    const base = this._base(record.tool.name, actionId, record.context);
    const startedAt = performance.now();
    try {
      await undo(record.undoMetadata, { actionId, toolName: record.tool.name });
    } catch (error) {
      emitToolUndoFailed(
        { ...base, error_message: errorMessage(error), reason: errorClassName(error) },
        this._emitOptions,
      );
      throw new ToolUndoError(record.tool.name, actionId, error);
    }
    this._undoable.delete(actionId);
    emitToolUndone(
      { ...base, duration_ms: performance.now() - startedAt, original_action_timestamp: record.createdAt },
      this._emitOptions,
    );
    return true;
  }

  private _base(toolName: string, actionId: string, context: EventContext | undefined): ToolBase {
    const base: Record<string, unknown> = { tool_name: toolName, action_id: actionId };
    for (const { camel, snake } of TOOL_KEYS) base[snake] = context?.[camel] ?? null;
    if (context?.stage !== undefined) base.stage = context.stage;
    return base as unknown as ToolBase;
  }

  private async _approve(
    tool: ToolDefinition,
    base: ToolBase,
    behavior: string | null,
    payload: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const opts = this._emitOptions;
    const allowed = [...(tool.allowedBehaviors ?? [])];
    const request: ApprovalRequest = {
      requestId: randomUUID(),
      toolName: tool.name,
      actionId: base.action_id,
      pipelineRunId: base.pipeline_run_id,
      message: tool.approvalMessage ?? `Approve execution of tool '${tool.name}'?`,
      behavior,
      payload,
    };
    emitApprovalRequested(
      {
        request_id: request.requestId,
        tool_name: tool.name,
        action_id: base.action_id,
        pipeline_run_id: base.pipeline_run_id,
        approval_message: request.message,
        ...(base.stage === undefined ? {} : { stage: base.stage }),
      },
      opts,
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.approvalTimeoutMs);
    });
    let outcome: ApprovalDecision | 'timeout';
    try {
      const pending =
        this._requestApproval === undefined ? timeout : Promise.race([this._requestApproval(request), timeout]);
      outcome = await pending;
    } catch (error) {
      // the approval channel failed: nobody decided, and the call is refused
      emitToolDenied({ ...base, reason: 'approval_denied', behavior, allowed_behaviors: allowed }, opts);
      throw new ToolApprovalDeniedError(tool.name, base.action_id, null, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'timeout') {
      emitToolDenied({ ...base, reason: 'approval_timeout', behavior, allowed_behaviors: allowed }, opts);
      throw new ToolApprovalTimeoutError(tool.name, base.action_id, this.approvalTimeoutMs);
    }
    const decider = outcome.decidedBy?.toLowerCase();
    const decidedBy = decider !== undefined && isUuid(decider) ? decider : null;
    emitApprovalDecided(
      {
        request_id: request.requestId,
        tool_name: tool.name,
        action_id: base.action_id,
        decision: outcome.approved ? 'approved' : 'denied',
        decided_by: decidedBy,
        pipeline_run_id: base.pipeline_run_id,
        ...(base.stage === undefined ? {} : { stage: base.stage }),
      },
      opts,
    );
    if (!outcome.approved) {
      emitToolDenied({ ...base, reason: 'approval_denied', behavior, allowed_behaviors: allowed }, opts);
      throw new ToolApprovalDeniedError(tool.name, base.action_id, outcome.decidedBy ?? null);
    }
  }
}
