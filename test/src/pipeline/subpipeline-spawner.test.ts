import { describe, expect, it } from 'vitest';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import {
  ChildRunTracker,
  MaxDepthExceededError,
  StageGraphBuilder,
  StageOutput,
  SubpipelineSpawner,
} from '../../../src/pipeline/index.js';
import type { StageGraph, SubpipelineResult } from '../../../src/pipeline/index.js';
import { deferred, waitForAbort } from '../../helpers/deferred.js';

type Data = Record<string, unknown>;

function child(): StageGraph {
  return new StageGraphBuilder('child').stage('work', () => StageOutput.ok({ answer: 42 })).build();
}

describe('SubpipelineSpawner', () => {
  it('emits spawned_child and child_completed around a child run, all to the parent sink', async () => {
    const sink = new CollectingEventSink();
    const tracker = new ChildRunTracker();
    let sub: SubpipelineResult | undefined;
    const parent = new StageGraphBuilder('parent')
      .stage('spawn', async (ctx) => {
        sub = await ctx.spawnSubpipeline(child(), { correlationId: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
        return StageOutput.ok({ child: sub.childRunId });
      })
      .build();
    const result = await parent.run({ sink, spawner: new SubpipelineSpawner({ tracker }) });
    expect(result.status).toBe('completed');
    expect(sub).toMatchObject({ success: true, data: { answer: 42 } });
    const spawned = sink.ofType('pipeline.spawned_child')[0]!.data as Data;
    expect(spawned).toMatchObject({
      parent_run_id: result.pipelineRunId,
      child_run_id: sub?.childRunId,
      parent_stage_id: 'spawn',
      pipeline_name: 'child',
      correlation_id: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });
    const childStarted = sink
      .ofType('pipeline.started')
      .map((e) => e.data as Data)
      .find((d) => d.pipeline_run_id === sub?.childRunId);
    expect(childStarted?.parent_run_id).toBe(result.pipelineRunId);
    expect(sink.ofType('pipeline.child_completed')[0]?.data).toMatchObject({
      child_run_id: sub?.childRunId,
      pipeline_name: 'child',
    });
    expect(tracker.getMetrics()).toMatchObject({ registration_count: 1, unregistration_count: 1, active_children: 0 });
    expect(sink.types[0]).toBe('pipeline.started');
    expect(sink.types.at(-1)).toBe('pipeline.completed');
  });

  it('emits child_failed when the child run fails', async () => {
    const sink = new CollectingEventSink();
    const failing = new StageGraphBuilder('bad').stage('x', () => StageOutput.fail('nope')).build();
    let sub: SubpipelineResult | undefined;
    await new StageGraphBuilder()
      .stage('spawn', async (ctx) => {
        sub = await ctx.spawnSubpipeline(failing);
      })
      .build()
      .run({ sink, spawner: new SubpipelineSpawner({ tracker: new ChildRunTracker() }) });
    expect(sub).toMatchObject({ success: false, error: 'nope' });
    expect(sink.ofType('pipeline.child_failed')[0]?.data).toMatchObject({
      error_message: 'nope',
      pipeline_name: 'bad',
    });
  });

  it('refuses to spawn beyond maxDepth', async () => {
    const sink = new CollectingEventSink();
    const errors: unknown[] = [];
    const recursive: StageGraph = new StageGraphBuilder('rec')
      .stage('again', async (ctx) => {
        try {
          const r = await ctx.spawnSubpipeline(recursive);
          return r.success ? undefined : StageOutput.fail(r.error ?? 'child failed');
        } catch (e) {
          errors.push(e);
          throw e;
        }
      })
      .build();
    const result = await recursive.run({
      sink,
      spawner: new SubpipelineSpawner({ maxDepth: 2, tracker: new ChildRunTracker() }),
    });
    expect(result.status).toBe('failed');
    expect(errors[0]).toBeInstanceOf(MaxDepthExceededError);
    expect(sink.ofType('pipeline.spawned_child')).toHaveLength(2);
  });

  it('cascades cancellation to children, reporting pipeline.canceled deepest first (the reference leaves children running)', async () => {
    const sink = new CollectingEventSink();
    const controller = new AbortController();
    const deepest = deferred();
    const leaf = new StageGraphBuilder('leaf')
      .stage('hold', async (ctx) => {
        deepest.resolve();
        await waitForAbort(ctx.signal);
      })
      .build();
    const middle = new StageGraphBuilder('middle')
      .stage('spawn', async (ctx) => {
        const r = await ctx.spawnSubpipeline(leaf);
        if (!r.success) return StageOutput.fail(r.error ?? 'child failed');
        return undefined;
      })
      .build();
    const root = new StageGraphBuilder('root')
      .stage('spawn', async (ctx) => {
        await ctx.spawnSubpipeline(middle);
      })
      .build();
    const pending = root.run({
      sink,
      signal: controller.signal,
      spawner: new SubpipelineSpawner({ tracker: new ChildRunTracker() }),
    });
    await deepest.promise;
    controller.abort('user_requested');
    const result = await pending;
    expect(result.status).toBe('cancelled');
    const canceled = sink.ofType('pipeline.canceled').map((e) => e.data as Data);
    expect(canceled.map((d) => d.cascade_depth)).toEqual([2, 1, 0]);
    expect(canceled.every((d) => d.reason === 'user_requested')).toBe(true);
    expect(canceled[2]).toMatchObject({ pipeline_run_id: result.pipelineRunId, parent_run_id: null });
    expect(sink.ofType('pipeline.cancelled')).toHaveLength(3);
    expect(sink.ofType('pipeline.child_failed')).toHaveLength(2);
    expect(sink.types.at(-1)).toBe('pipeline.cancelled');
    expect((sink.events.at(-1)!.data as Data).pipeline_run_id).toBe(result.pipelineRunId);
  });
});
