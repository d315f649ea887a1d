import { afterEach, describe, expect, it, vi } from 'vitest';
import { withEventSink } from '../../../src/runtime/sink-registry.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import {
  ToolApprovalDeniedError,
  ToolApprovalTimeoutError,
  ToolDeniedError,
  ToolExecutionError,
  ToolExecutor,
  ToolNotFoundError,
  ToolUndoError,
} from '../../../src/tools/index.js';
import type {
  ApprovalDecision,
  ApprovalRequest,
  ToolDefinition,
  ToolExecutorOptions,
} from '../../../src/tools/index.js';

const RUN = 'df05a2e8-4ae1-4f41-bd43-eaff01d9454e';
const REQUEST = '925da413-1a91-4249-b041-e1dcb8c48fde';
const APPROVER = '42c23a16-05dd-4cc7-b1c6-c9a952754c9f';
const context = { pipelineRunId: RUN, requestId: REQUEST, executionMode: 'support' };

function makeExecutor(
  options: ToolExecutorOptions = {},
  ...tools: ToolDefinition[]
): { executor: ToolExecutor; sink: CollectingEventSink } {
  const sink = new CollectingEventSink();
  const executor = new ToolExecutor({ sink, ...options });
  for (const tool of tools) executor.register(tool);
  return { executor, sink };
}

const echo: ToolDefinition = { name: 'echo', handler: (payload) => ({ success: true, data: payload }) };

afterEach(() => {
  vi.useRealTimers();
});

describe('ToolExecutor', () => {
  it('emits invoked, started, completed with the base keys on every event', async () => {
    const { executor, sink } = makeExecutor({}, echo);
    const result = await executor.execute('echo', { q: 'hi' }, { context });
    expect(sink.types).toEqual(['tool.invoked', 'tool.started', 'tool.completed']);
    for (const event of sink.events) {
      expect(event.data).toMatchObject({
        tool_name: 'echo',
        action_id: result.actionId,
        pipeline_run_id: RUN,
        request_id: REQUEST,
      });
    }
    expect(sink.events[0]?.data).toMatchObject({ payload_summary: { q: 'hi' }, behavior: 'support' });
    expect(sink.events[2]?.data).toMatchObject({
      output_summary: {
        success: true,
        has_data: true,
        has_error: false,
        has_artifacts: false,
        has_undo_metadata: false,
      },
      artifacts_count: 0,
    });
    expect(typeof (sink.events[2]!.data as { duration_ms: unknown }).duration_ms).toBe('number');
    expect(result.output.data).toEqual({ q: 'hi' });
  });

  it('sends null ids outside a run', async () => {
    const { executor, sink } = makeExecutor({}, echo);
    await executor.execute('echo');
    expect(sink.events[0]?.data).toMatchObject({ pipeline_run_id: null, request_id: null, behavior: null });
  });

  it('throws ToolNotFoundError before any event', async () => {
    const { executor, sink } = makeExecutor();
    await expect(executor.execute('missing')).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(executor.execute('missing')).rejects.toMatchObject({
      code: 'tool_not_found',
      message: "no tool registered as 'missing'",
    });
    expect(sink.events).toEqual([]);
  });

  it('denies a behaviour outside allowed_behaviors: invoked, denied, then ToolDeniedError', async () => {
    const handler = vi.fn(() => ({ success: true }));
    const { executor, sink } = makeExecutor({}, { name: 'edit', allowedBehaviors: ['doc_edit', 'support'], handler });
    await expect(executor.execute('edit', {}, { context, behavior: 'practice' })).rejects.toBeInstanceOf(
      ToolDeniedError,
    );
    expect(sink.types).toEqual(['tool.invoked', 'tool.denied']);
    expect(sink.events[1]?.data).toMatchObject({
      reason: 'behavior_not_allowed',
      behavior: 'practice',
      allowed_behaviors: ['doc_edit', 'support'],
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('allows every behaviour when allowed_behaviors is empty, and gates on the context execution mode by default', async () => {
    const { executor, sink } = makeExecutor(
      {},
      { name: 'any', allowedBehaviors: [], handler: () => ({ success: true }) },
      { name: 'gated', allowedBehaviors: ['support'], handler: () => ({ success: true }) },
    );
    await executor.execute('any', {}, { behavior: 'whatever' });
    await executor.execute('gated', {}, { context });
    expect(sink.ofType('tool.denied')).toEqual([]);
    expect(sink.ofType('tool.completed')).toHaveLength(2);
  });

  it('asks for approval and runs once approved: invoked, approval.requested, approval.decided, started, completed', async () => {
    const requests: ApprovalRequest[] = [];
    const requestApproval = (request: ApprovalRequest): Promise<ApprovalDecision> => {
      requests.push(request);
      return Promise.resolve({ approved: true, decidedBy: APPROVER });
    };
    const { executor, sink } = makeExecutor(
      { requestApproval },
      {
        name: 'send_email',
        requiresApproval: true,
        approvalMessage: 'Send this email to the customer?',
        handler: () => ({ success: true }),
      },
    );
    const result = await executor.execute('send_email', { to: 'a@b.c' }, { context });
    expect(sink.types).toEqual([
      'tool.invoked',
      'approval.requested',
      'approval.decided',
      'tool.started',
      'tool.completed',
    ]);
    const requested = sink.events[1]!.data as Record<string, unknown>;
    expect(requested).toMatchObject({
      tool_name: 'send_email',
      action_id: result.actionId,
      pipeline_run_id: RUN,
      approval_message: 'Send this email to the customer?',
    });
    expect(requested.request_id).toBe(requests[0]?.requestId);
    expect(requested.request_id).not.toBe(REQUEST);
    expect(sink.events[2]?.data).toMatchObject({
      request_id: requests[0]?.requestId,
      decision: 'approved',
      decided_by: APPROVER,
      pipeline_run_id: RUN,
    });
  });

  it('builds a default approval message from the tool name', async () => {
    const { executor, sink } = makeExecutor(
      { requestApproval: () => Promise.resolve({ approved: true }) },
      { name: 'wire_transfer', requiresApproval: true, handler: () => ({ success: true }) },
    );
    await executor.execute('wire_transfer');
    expect(sink.events[1]?.data).toMatchObject({ approval_message: "Approve execution of tool 'wire_transfer'?" });
    expect(sink.events[2]?.data).toMatchObject({ decided_by: null });
  });

  it('follows a denied approval with tool.denied(approval_denied) and ToolApprovalDeniedError (the reference emits no tool.denied)', async () => {
    const handler = vi.fn(() => ({ success: true }));
    const { executor, sink } = makeExecutor(
      { requestApproval: () => Promise.resolve({ approved: false, decidedBy: APPROVER }) },
      { name: 'wire_transfer', requiresApproval: true, allowedBehaviors: ['support'], handler },
    );
    const error: unknown = await executor.execute('wire_transfer', {}, { context }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolApprovalDeniedError);
    expect(error).toMatchObject({ code: 'tool_approval_denied', decidedBy: APPROVER });
    expect(sink.types).toEqual(['tool.invoked', 'approval.requested', 'approval.decided', 'tool.denied']);
    expect(sink.events[2]?.data).toMatchObject({ decision: 'denied', decided_by: APPROVER });
    expect(sink.events[3]?.data).toMatchObject({
      reason: 'approval_denied',
      behavior: 'support',
      allowed_behaviors: ['support'],
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('times out an approval with tool.denied(approval_timeout) and no approval.decided', async () => {
    vi.useFakeTimers();
    const { executor, sink } = makeExecutor(
      { approvalTimeoutMs: 5000, requestApproval: () => new Promise<ApprovalDecision>(() => undefined) },
      { name: 'slow', requiresApproval: true, handler: () => ({ success: true }) },
    );
    const outcome = executor.execute('slow').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4999);
    expect(sink.types).toEqual(['tool.invoked', 'approval.requested']);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(ToolApprovalTimeoutError);
    expect(error).toMatchObject({
      code: 'tool_approval_timeout',
      message: "approval for tool 'slow' timed out after 5000 ms",
    });
    expect(sink.types).toEqual(['tool.invoked', 'approval.requested', 'tool.denied']);
    expect(sink.events[2]?.data).toMatchObject({ reason: 'approval_timeout' });
  });

  it('times out after the 60 s default when no approver is configured', async () => {
    vi.useFakeTimers();
    const { executor } = makeExecutor(
      {},
      { name: 'needs_ok', requiresApproval: true, handler: () => ({ success: true }) },
    );
    const outcome = executor.execute('needs_ok').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await outcome).toBeInstanceOf(ToolApprovalTimeoutError);
  });

  it('refuses the call when the approval channel itself fails', async () => {
    const { executor, sink } = makeExecutor(
      { requestApproval: () => Promise.reject(new Error('approval service down')) },
      { name: 'x', requiresApproval: true, handler: () => ({ success: true }) },
    );
    const error: unknown = await executor.execute('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolApprovalDeniedError);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(sink.types).toEqual(['tool.invoked', 'approval.requested', 'tool.denied']);
  });

  it('reports a handler that throws as tool.failed with the class name, then ToolExecutionError', async () => {
    class ConnectionError extends Error {}
    const { executor, sink } = makeExecutor(
      {},
      { name: 'flaky', handler: () => Promise.reject(new ConnectionError('connection reset')) },
    );
    const error: unknown = await executor.execute('flaky').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as ToolExecutionError).cause).toBeInstanceOf(ConnectionError);
    expect(sink.types).toEqual(['tool.invoked', 'tool.started', 'tool.failed']);
    expect(sink.events[2]?.data).toMatchObject({ error_code: 'ConnectionError', error_message: 'connection reset' });
  });

  it('reports success=false as tool.completed, not tool.failed', async () => {
    const { executor, sink } = makeExecutor(
      {},
      { name: 'soft_fail', handler: () => ({ success: false, error: 'not found', artifacts: [{ id: 1 }] }) },
    );
    await executor.execute('soft_fail');
    expect(sink.types).toEqual(['tool.invoked', 'tool.started', 'tool.completed']);
    expect(sink.events[2]?.data).toMatchObject({
      output_summary: { success: false, has_error: true, has_artifacts: true, has_data: false },
      artifacts_count: 1,
    });
  });

  it('summarises long strings and big lists in payload_summary', async () => {
    const { executor, sink } = makeExecutor({}, echo);
    await executor.execute('echo', {
      text: 'x'.repeat(250),
      ids: Array.from({ length: 100 }, (_, i) => i),
      small: [1, 2],
      n: 5,
    });
    expect(sink.events[0]?.data).toMatchObject({
      payload_summary: { text: `${'x'.repeat(200)}...`, ids: '<list with 100 items>', small: [1, 2], n: 5 },
    });
  });

  it('undoes a completed action: tool.undone with the original timestamp', async () => {
    const undo = vi.fn();
    const { executor, sink } = makeExecutor(
      {},
      { name: 'create_doc', handler: () => ({ success: true, undoMetadata: { docId: 'd1' } }), undo },
    );
    const { actionId } = await executor.execute('create_doc', {}, { context });
    expect(executor.canUndo(actionId)).toBe(true);
    expect(await executor.undo(actionId)).toBe(true);
    expect(undo).toHaveBeenCalledWith({ docId: 'd1' }, { actionId, toolName: 'create_doc' });
    const undone = sink.ofType('tool.undone')[0]!.data as Record<string, unknown>;
    expect(undone).toMatchObject({
      tool_name: 'create_doc',
      action_id: actionId,
      pipeline_run_id: RUN,
      request_id: REQUEST,
    });
    expect(typeof undone.original_action_timestamp).toBe('string');
    expect(await executor.undo(actionId)).toBe(false);
  });

  it('undoes a tool whose action type differs from its name (the reference looked it up by the wrong key)', async () => {
    const undo = vi.fn();
    const { executor, sink } = makeExecutor(
      {},
      {
        name: 'send_email',
        actionType: 'EMAIL_SEND',
        handler: () => ({ success: true, undoMetadata: { messageId: 'm1' } }),
        undo,
      },
    );
    const { actionId } = await executor.execute('EMAIL_SEND');
    expect(await executor.undo(actionId)).toBe(true);
    expect(undo).toHaveBeenCalledTimes(1);
    expect(sink.ofType('tool.undone')[0]?.data).toMatchObject({ tool_name: 'send_email' });
  });

  it('returns false without events when there is no undo metadata or no undo handler', async () => {
    const { executor, sink } = makeExecutor({}, echo, {
      name: 'no_handler',
      handler: () => ({ success: true, undoMetadata: { a: 1 } }),
    });
    const a = await executor.execute('echo');
    const b = await executor.execute('no_handler');
    sink.clear();
    expect(await executor.undo(a.actionId)).toBe(false);
    expect(await executor.undo(b.actionId)).toBe(false);
    expect(await executor.undo('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(sink.events).toEqual([]);
  });

  it('emits tool.undo_failed then ToolUndoError when the undo handler throws', async () => {
    class PermissionError extends Error {}
    const { executor, sink } = makeExecutor(
      {},
      {
        name: 'rm',
        handler: () => ({ success: true, undoMetadata: { path: '/x' } }),
        undo: () => {
          throw new PermissionError('read-only');
        },
      },
    );
    const { actionId } = await executor.execute('rm');
    await expect(executor.undo(actionId)).rejects.toBeInstanceOf(ToolUndoError);
    expect(sink.ofType('tool.undo_failed').map((e) => e.data)).toEqual([
      expect.objectContaining({ error_message: 'read-only', reason: 'PermissionError', action_id: actionId }),
    ]);
  });

  it('stops offering undo after the TTL', async () => {
    vi.useFakeTimers();
    const undo = vi.fn();
    const { executor } = makeExecutor(
      { undoTtlMs: 1000 },
      { name: 'tmp', handler: () => ({ success: true, undoMetadata: { a: 1 } }), undo },
    );
    const { actionId } = await executor.execute('tmp');
    vi.advanceTimersByTime(1001);
    expect(executor.canUndo(actionId)).toBe(false);
    expect(await executor.undo(actionId)).toBe(false);
    expect(undo).not.toHaveBeenCalled();
  });

  it('resolves the sink at emit time when none is given', async () => {
    const sink = new CollectingEventSink();
    const executor = new ToolExecutor().register(echo);
    await withEventSink(sink, () => executor.execute('echo'));
    expect(sink.types).toEqual(['tool.invoked', 'tool.started', 'tool.completed']);
  });

  it('refuses to register two tools under the same key', () => {
    const executor = new ToolExecutor().register(echo);
    expect(() => executor.register({ name: 'other', actionType: 'echo', handler: () => ({ success: true }) })).toThrow(
      "a tool is already registered as 'echo'",
    );
  });
});
