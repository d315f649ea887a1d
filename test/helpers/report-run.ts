// a recorded run for the report tests: an interceptor retry, a guard retry, a tool call with approval, a stream, a
// child run and a failing stage that skips its dependant
import { appendFileSync } from 'node:fs';
import { ChildRunTracker, StageGraphBuilder, StageOutput, SubpipelineSpawner } from '../../src/pipeline/index.js';
import type { Interceptor, PipelineRunResult } from '../../src/pipeline/index.js';
import { describeSchema } from '../../src/replay/index.js';
import { NdjsonFileEventSink } from '../../src/sinks/index.js';
import { ChunkQueue } from '../../src/streaming/index.js';
import { ToolExecutor } from '../../src/tools/index.js';

/** The bars the timeline must show for {@link recordReportRun}'s run: `stage#attempt status kind`, root run then child. */
export const EXPECTED_BARS = [
  'fetch#1 failed first',
  'fetch#2 completed retry',
  'draft#1 completed first',
  'draft#2 completed guard_retry',
  'guard#1 failed first',
  'guard#2 completed guard_retry',
  'act#1 completed first',
  'inner_a#1 completed first',
  'inner_b#1 completed first',
  'charge#1 failed first',
  'notify#1 skipped first',
];

/** Records the run into `path` (NDJSON, our recorder); resolves with its result. */
export async function recordReportRun(path: string): Promise<PipelineRunResult> {
  const sink = new NdjsonFileEventSink({ path, describe: describeSchema });
  const tools = new ToolExecutor({ requestApproval: async () => ({ approved: true }) });
  tools.register({ name: 'refund', requiresApproval: true, handler: async () => ({ success: true }) });
  let fetches = 0;
  let drafts = 0;
  const retryOnce: Interceptor = { name: 'retry_once', priority: 10, onError: () => 'retry' };
  const child = new StageGraphBuilder('child_summary')
    .stage('inner_a', () => StageOutput.ok({ a: 1 }))
    .stage('inner_b', () => StageOutput.ok({ b: 2 }), { dependencies: ['inner_a'] })
    .build();
  const graph = new StageGraphBuilder('report_fixture')
    .stage('fetch', () => {
      fetches += 1;
      if (fetches === 1) throw new Error('connection reset by peer');
      return StageOutput.ok({ profile: 'gold' });
    })
    .stage('draft', () => StageOutput.ok({ text: ++drafts === 1 ? 'guaranteed refund' : 'refund started' }), {
      dependencies: ['fetch'],
    })
    .stage(
      'guard',
      (ctx) =>
        String(ctx.inputs.draft?.text).includes('guaranteed')
          ? StageOutput.fail('draft promises a guaranteed outcome')
          : StageOutput.ok({ approved: true }),
      { dependencies: ['draft'], guardRetry: { retryStage: 'draft', maxAttempts: 3 } },
    )
    .stage(
      'act',
      async (ctx) => {
        await tools.execute('refund', { order: 'A-1' }, { context: ctx.eventContext() });
        const q = new ChunkQueue<string>({ maxSize: 1, context: ctx.eventContext(), sink: ctx.pipeline.sink });
        await q.put('hello');
        q.close();
        for await (const _ of q) {
          // drain
        }
        const r = await ctx.spawnSubpipeline(child);
        return r.success ? StageOutput.ok({ child: r.childRunId }) : StageOutput.fail('child failed');
      },
      { dependencies: ['guard'] },
    )
    .stage('charge', () => StageOutput.fail('card declined'), { dependencies: ['act'] })
    .stage('notify', () => StageOutput.ok({}), { dependencies: ['charge'] })
    .build();
  try {
    return await graph.run({
      sink,
      requestId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
      sessionId: '6fa459ea-ee8a-4ca4-894e-db77e160355e',
      wideEvents: true,
      interceptors: [retryOnce],
      spawner: new SubpipelineSpawner({ tracker: new ChildRunTracker() }),
    });
  } finally {
    await sink.shutdown();
  }
}

/** Appends lines that are not valid events: one invalid payload and one corrupt line. */
export function appendBadLines(path: string): void {
  appendFileSync(path, '{"type":"tool.invoked","data":{"tool_name":"x"}}\nnot json at all\n');
}
