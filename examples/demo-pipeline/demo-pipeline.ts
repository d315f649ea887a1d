// the demo pipeline behind `npm start` (`stageflow-events demo`): a support-chat run built only from the package's
// public API, so it also reads as an example of wiring stages, a guard, a tool, a stream and a subpipeline; in your
// project import from 'stageflow-events' instead of the relative path
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChildRunTracker,
  ChildTrackerMetricsInterceptor,
  ChunkQueue,
  MetricsInterceptor,
  PrometheusMetricsInterceptor,
  StageGraphBuilder,
  StageOutput,
  SubpipelineSpawner,
  ToolExecutor,
  TracingInterceptor,
} from '../../src/index.js';
import type { EventSink, PipelineRunResult, StageGraph } from '../../src/index.js';

function summarizer(): StageGraph {
  return new StageGraphBuilder('conversation_summary')
    .stage('condense', async (ctx) => {
      await sleep(2);
      return StageOutput.ok({ summary: `refund issued (${String(ctx.pipeline.data.get('turns') ?? 1)} turn)` });
    })
    .stage('store_summary', () => StageOutput.ok({ stored: true }), { dependencies: ['condense'] })
    .build();
}

/** The demo pipeline: the stages and helpers a realistic support-chat run exercises. */
export function buildDemoPipeline(tools: ToolExecutor): StageGraph {
  let drafts = 0;
  return new StageGraphBuilder('support_chat')
    .stage('fetch_profile', async () => {
      await sleep(3);
      return StageOutput.ok({ tier: 'gold', locale: 'en-GB' });
    })
    .stage('fetch_memory', async () => {
      await sleep(2);
      return StageOutput.ok({ memories: 3 });
    })
    .stage(
      'draft_reply',
      async () => {
        drafts += 1;
        await sleep(1);
        return StageOutput.ok({
          draft:
            drafts === 1
              ? 'Your refund is guaranteed, no questions asked.'
              : 'We have started your refund; you will get an email shortly.',
        });
      },
      { dependencies: ['fetch_profile', 'fetch_memory'] },
    )
    .stage(
      'policy_guard',
      (ctx) => {
        const draft = String(ctx.inputs.draft_reply?.draft ?? '');
        return draft.includes('guaranteed')
          ? StageOutput.fail('draft promises a guaranteed outcome')
          : StageOutput.ok({ approved_draft: draft });
      },
      { dependencies: ['draft_reply'], guardRetry: { retryStage: 'draft_reply', maxAttempts: 3 } },
    )
    .stage(
      'issue_refund',
      async (ctx) => {
        const run = await tools.execute('issue_refund', { order_id: 'A-1001', amount_cents: 2599 }, { context: ctx });
        return StageOutput.ok({ refund_action_id: run.actionId });
      },
      { dependencies: ['policy_guard'] },
    )
    .stage(
      'stream_reply',
      async (ctx) => {
        const queue = new ChunkQueue<string>({
          maxSize: 5,
          channel: 'reply',
          context: ctx,
          sink: ctx.pipeline.sink,
          putTimeoutMs: 2000,
        });
        const words = String(ctx.inputs.policy_guard?.approved_draft ?? '').split(' ');
        const producer = (async () => {
          for (const w of words) await queue.put(w);
          queue.close();
        })();
        let chunks = 0;
        for await (const _ of queue) {
          chunks += 1;
          await sleep(1);
        }
        await producer;
        return StageOutput.ok({ chunks });
      },
      { dependencies: ['policy_guard'] },
    )
    .stage(
      'summarize',
      async (ctx) => {
        ctx.pipeline.data.set('turns', 1);
        const child = await ctx.spawnSubpipeline(summarizer());
        return child.success
          ? StageOutput.ok({ child_run_id: child.childRunId, ...child.data })
          : StageOutput.fail(child.error ?? 'summary failed');
      },
      { dependencies: ['issue_refund', 'stream_reply'] },
    )
    .build();
}

/** The demo's tools: `issue_refund`, which needs an approval that the demo grants at once. */
export function createDemoTools(): ToolExecutor {
  const tools = new ToolExecutor({
    approvalTimeoutMs: 2000,
    requestApproval: async () => ({ approved: true, decidedBy: randomUUID() }),
  });
  tools.register({
    name: 'issue_refund',
    actionType: 'REFUND',
    allowedBehaviors: ['practice', 'live'],
    requiresApproval: true,
    approvalMessage: 'Refund 25.99 GBP on order A-1001?',
    handler: async (payload) => {
      await sleep(2);
      return { success: true, data: { refunded: payload.amount_cents }, undoMetadata: { order_id: payload.order_id } };
    },
    undo: () => undefined,
  });
  return tools;
}

/**
 * Runs the demo pipeline once into `sink`, with wide events, a subpipeline spawner and the tracing, metrics,
 * Prometheus and child-tracker interceptors; resolves with the run's result and the graph that ran.
 */
export async function runDemoPipeline(
  sink: EventSink,
  options: { readonly prometheus?: PrometheusMetricsInterceptor } = {},
): Promise<{ result: PipelineRunResult; graph: StageGraph }> {
  const graph = buildDemoPipeline(createDemoTools());
  const result = await graph.run({
    sink,
    requestId: randomUUID(),
    sessionId: randomUUID(),
    userId: randomUUID(),
    orgId: randomUUID(),
    topology: 'support_chat',
    executionMode: 'practice',
    service: 'demo',
    wideEvents: true,
    spawner: new SubpipelineSpawner({ tracker: new ChildRunTracker() }),
    interceptors: [
      new TracingInterceptor(),
      new MetricsInterceptor(),
      options.prometheus ?? new PrometheusMetricsInterceptor(),
      new ChildTrackerMetricsInterceptor(),
    ],
  });
  return { result, graph };
}
