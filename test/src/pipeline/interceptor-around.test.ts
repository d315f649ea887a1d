import { describe, expect, it } from 'vitest';
import { StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import type { Interceptor } from '../../../src/pipeline/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { ChunkQueue } from '../../../src/streaming/index.js';
import { ToolExecutor } from '../../../src/tools/index.js';

describe('aroundRun and aroundStage hooks', () => {
  it('nest in ascending priority around the run and around every stage attempt, events included', async () => {
    const sink = new CollectingEventSink();
    const order: string[] = [];
    const mk = (name: string, priority: number): Interceptor => ({
      name,
      priority,
      aroundRun: async (_ctx, next) => {
        order.push(`run> ${name} (${sink.events.length} events)`);
        const r = await next();
        order.push(`run< ${name} ${r.status} (${sink.events.at(-1)?.type})`);
        return r;
      },
      aroundStage: async (stage, _ctx, attempt, next) => {
        order.push(`stage> ${name} ${stage}#${attempt}`);
        const r = await next();
        order.push(`stage< ${name} ${stage}#${attempt} ${r.status}`);
        return r;
      },
    });
    await new StageGraphBuilder('p')
      .stage('a', () => undefined)
      .build()
      .run({ sink, interceptors: [mk('late', 50), mk('early', 10)] });
    expect(order).toEqual([
      'run> early (0 events)',
      'run> late (0 events)',
      'stage> early a#1',
      'stage> late a#1',
      'stage< late a#1 completed',
      'stage< early a#1 completed',
      'run< late completed (pipeline.completed)',
      'run< early completed (pipeline.completed)',
    ]);
  });

  it('isolates an around hook that throws: the stage still runs once and the hook is reported', async () => {
    let runs = 0;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const broken: Interceptor = {
      name: 'broken',
      priority: 1,
      aroundStage: () => {
        throw new Error('hook bug');
      },
      aroundRun: async (_ctx, next) => {
        await next();
        throw new Error('late bug');
      },
    };
    const result = await new StageGraphBuilder('p')
      .stage('a', () => {
        runs += 1;
      })
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [broken] });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(result.status).toBe('completed');
    expect(runs).toBe(1);
    expect(warnings.some((w) => w.includes("'broken' threw in aroundStage: hook bug"))).toBe(true);
    expect(warnings.some((w) => w.includes("'broken' threw in aroundRun: late bug"))).toBe(true);
  });
});

describe('events that name their stage', () => {
  it('emits stage.retry_scheduled when an interceptor retries a stage', async () => {
    const sink = new CollectingEventSink();
    let tries = 0;
    const retryOnce: Interceptor = { name: 'retry', priority: 10, onError: () => 'retry' };
    const result = await new StageGraphBuilder('p')
      .stage('flaky', () => {
        if (++tries === 1) throw new Error('connection reset');
      })
      .build()
      .run({ sink, interceptors: [retryOnce] });
    expect(result.status).toBe('completed');
    const types = sink.events.map((e) => e.type).filter((t) => t.startsWith('stage.'));
    expect(types).toEqual(['stage.flaky.started', 'stage.retry_scheduled', 'stage.flaky.completed']);
    expect(sink.events.find((e) => e.type === 'stage.retry_scheduled')?.data).toMatchObject({
      stage: 'flaky',
      attempt: 1,
      delay_ms: 0,
      error: 'connection reset',
      backoff_strategy: 'constant',
      pipeline_run_id: result.pipelineRunId,
    });
  });

  it('puts the stage on tool.*, approval.* and stream.* events made with StageContext.eventContext()', async () => {
    const sink = new CollectingEventSink();
    const tools = new ToolExecutor({ requestApproval: async () => ({ approved: true }) });
    tools.register({ name: 'refund', requiresApproval: true, handler: async () => ({ success: true }) });
    await new StageGraphBuilder('p')
      .stage('act', async (ctx) => {
        await tools.execute('refund', {}, { context: ctx.eventContext() });
        const q = new ChunkQueue<string>({ maxSize: 2, context: ctx.eventContext(), sink: ctx.pipeline.sink });
        q.close();
        return StageOutput.ok({});
      })
      .build()
      .run({ sink });
    const named = sink.events.filter((e) => /^(tool|approval|stream)\./.test(e.type));
    expect(named.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'tool.invoked',
        'approval.requested',
        'approval.decided',
        'tool.completed',
        'stream.queue_closed',
      ]),
    );
    for (const e of named) expect((e.data as { stage?: string }).stage).toBe('act');
  });
});
