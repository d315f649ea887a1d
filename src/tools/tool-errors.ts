import { ContractError } from '../errors.js';

/** No tool is registered under the name given to `execute`; raised before any event is emitted. */
export class ToolNotFoundError extends ContractError {
  readonly toolName: string;
  constructor(toolName: string) {
    super('tool_not_found', `no tool registered as '${toolName}'`);
    this.toolName = toolName;
  }
}

/** The behaviour gate refused the call: the behaviour is not in the tool's allowed behaviours. */
export class ToolDeniedError extends ContractError {
  readonly toolName: string;
  readonly actionId: string;
  readonly behavior: string | null;
  readonly allowedBehaviors: readonly string[];
  constructor(toolName: string, actionId: string, behavior: string | null, allowedBehaviors: readonly string[]) {
    super(
      'tool_denied',
      `tool '${toolName}' does not allow behavior '${String(behavior)}' (allowed: ${allowedBehaviors.join(', ')})`,
    );
    this.toolName = toolName;
    this.actionId = actionId;
    this.behavior = behavior;
    this.allowedBehaviors = allowedBehaviors;
  }
}

/** The approver denied the call (or the approval request itself failed, which is kept as `cause`). */
export class ToolApprovalDeniedError extends ContractError {
  readonly toolName: string;
  readonly actionId: string;
  readonly decidedBy: string | null;
  constructor(toolName: string, actionId: string, decidedBy: string | null, options?: { cause?: unknown }) {
    super(
      'tool_approval_denied',
      `approval for tool '${toolName}' was denied${decidedBy === null ? '' : ` by '${decidedBy}'`}`,
      options,
    );
    this.toolName = toolName;
    this.actionId = actionId;
    this.decidedBy = decidedBy;
  }
}

/** No approval decision arrived within the executor's `approvalTimeoutMs`. */
export class ToolApprovalTimeoutError extends ContractError {
  readonly toolName: string;
  readonly actionId: string;
  readonly timeoutMs: number;
  constructor(toolName: string, actionId: string, timeoutMs: number) {
    super('tool_approval_timeout', `approval for tool '${toolName}' timed out after ${timeoutMs} ms`);
    this.toolName = toolName;
    this.actionId = actionId;
    this.timeoutMs = timeoutMs;
  }
}

/** The tool handler threw; the handler's error is the `cause`. */
export class ToolExecutionError extends ContractError {
  readonly toolName: string;
  readonly actionId: string;
  constructor(toolName: string, actionId: string, cause: unknown) {
    super('tool_execution_failed', `tool '${toolName}' failed: ${errorMessage(cause)}`, { cause });
    this.toolName = toolName;
    this.actionId = actionId;
  }
}

/** The undo handler threw; the handler's error is the `cause`. */
export class ToolUndoError extends ContractError {
  readonly toolName: string;
  readonly actionId: string;
  constructor(toolName: string, actionId: string, cause: unknown) {
    super('tool_undo_failed', `undo of tool '${toolName}' action '${actionId}' failed: ${errorMessage(cause)}`, {
      cause,
    });
    this.toolName = toolName;
    this.actionId = actionId;
  }
}

/** The text of a thrown value: an Error's message, else its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The class name of a thrown value, as the Python framework we follow reports it in `error_code` and `reason`. */
export function errorClassName(error: unknown): string {
  if (error instanceof Error) return error.constructor.name || error.name || 'Error';
  return typeof error;
}
