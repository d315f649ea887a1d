// tool execution with behaviour gating, approval and undo, emitting tool.* and approval.* events
export { ToolExecutor } from './tool-executor.js';
export type {
  ApprovalDecision,
  ApprovalRequest,
  ToolCall,
  ToolDefinition,
  ToolExecuteOptions,
  ToolExecution,
  ToolExecutorOptions,
  ToolHandler,
  ToolOutput,
  ToolUndoHandler,
} from './tool-executor.js';
export {
  ToolApprovalDeniedError,
  ToolApprovalTimeoutError,
  ToolDeniedError,
  ToolExecutionError,
  ToolNotFoundError,
  ToolUndoError,
} from './tool-errors.js';
export { summarizePayload } from './payload-summary.js';
export type { EventContext, EventContextSource } from '../observability/event-context.js';
