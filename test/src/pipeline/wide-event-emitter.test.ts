import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { StageGraphBuilder, StageOutput, WideEventEmitter } from '../../../src/pipeline/index.js';
import type { WideContextBlock } from '../../../src/pipeline/index.js';

type Data = Record<string, unknown>;

const context: WideContextBlock = {
  pipeline_run_id: null,
  request_id: null,
  session_id: null,
  user_id: null,
  org_id: null,
  topology: 'chat',
  execution_mode: null,
  service: 'pipeline',
};
const stage = {
  stage: 'a',
  status: 'completed' as const,
  started_at: '2026-01-01T10:00:00+00:00',
  ended_at: '2026-01-01T10:00:01+00:00',
  duration_ms: 1000,
  error: null,
  data_keys: ['z', 'a'],
};

describe('WideEventEmitter', () => {
  it('emits one stage.wide per stage and one pipeline.wide per run, as the reference tests assert', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder('demo')
      .stage('a', () => StageOutput.ok({ y: 1, x: 2 }))
      .stage('b', () => undefined, { dependencies: ['a'] })
      .build();
    await graph.run({ sink, wideEvents: true });
    expect(sink.ofType('stage.wide').map((e) => [(e.data as Data).stage, (e.data as Data).status])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
    expect((sink.ofType('stage.wide')[0]!.data as Data).data_keys).toEqual(['x', 'y']);
    const wide = sink.ofType('pipeline.wide');
    expect(wide).toHaveLength(1);
    expect(wide[0]?.data).toMatchObject({ pipeline_name: 'demo', status: 'completed', stage_counts: { completed: 2 } });
    expect((wide[0]!.data as Data).stage_details).toHaveLength(2);
    expect(sink.types.slice(-2)).toEqual(['pipeline.wide', 'pipeline.completed']);
  });

  it('emits stage.wide for a stage that threw (the reference emits none) and a failed pipeline.wide', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder()
      .stage('a', () => {
        throw new Error('kaput');
      })
      .build();
    await graph.run({ sink, wideEvents: true });
    expect(sink.ofType('stage.wide')[0]?.data).toMatchObject({ stage: 'a', status: 'failed', error: 'kaput' });
    expect(sink.ofType('pipeline.wide')[0]?.data).toMatchObject({ status: 'failed', stage_counts: { failed: 1 } });
  });

  it('emits under overridden type names with the same validated payloads', async () => {
    const sink = new CollectingEventSink();
    const emitter = new WideEventEmitter({ stageEventType: 'stage.wide.custom', pipelineEventType: 'run.summary' });
    await new StageGraphBuilder()
      .stage('a', () => undefined)
      .build()
      .run({ sink, wideEvents: emitter });
    expect(sink.ofType('stage.wide.custom')).toHaveLength(1);
    expect(sink.ofType('run.summary')).toHaveLength(1);
    expect(sink.ofType('stage.wide')).toHaveLength(0);
    expect(() => emitter.emitStageEvent(sink, context, { ...stage, duration_ms: -1 })).toThrow(ValidationError);
  });

  it('builds payloads with sorted data_keys, fallbacks for the name and derived status', () => {
    const s = WideEventEmitter.buildStagePayload(context, stage);
    expect(s.data_keys).toEqual(['a', 'z']);
    expect('extra' in s).toBe(false);
    expect(WideEventEmitter.buildStagePayload(context, stage, { k: 1 }).extra).toEqual({ k: 1 });
    const p = WideEventEmitter.buildPipelinePayload(context, [
      stage,
      { ...stage, stage: 'b', status: 'failed', error: 'x' },
    ]);
    expect(p).toMatchObject({
      pipeline_name: 'chat',
      status: 'failed',
      duration_ms: null,
      stage_counts: { completed: 1, failed: 1 },
    });
    expect(WideEventEmitter.buildPipelinePayload({ ...context, topology: null }, []).pipeline_name).toBe('pipeline');
    expect(WideEventEmitter.buildPipelinePayload(context, []).stage_counts).toEqual({});
  });
});

describe('guard retry', () => {
  function guarded(results: Array<'fail' | 'ok'>, policy: { maxAttempts?: number; stagnationLimit?: number } = {}) {
    let calls = 0;
    let generation = 0;
    return new StageGraphBuilder()
      .stage('generate', () => StageOutput.ok({ draft: `v${++generation}` }))
      .stage(
        'guard',
        () => {
          const r = results[calls++] ?? 'ok';
          return r === 'ok' ? StageOutput.ok({ passed: true }) : StageOutput.fail(`rejected draft ${generation}`);
        },
        { dependencies: ['generate'], guardRetry: { retryStage: 'generate', ...policy } },
      )
      .build();
  }

  it('retries the retry stage and the guard, then reports recovery', async () => {
    const sink = new CollectingEventSink();
    const result = await guarded(['fail', 'ok']).run({ sink, wideEvents: true });
    expect(result.status).toBe('completed');
    expect(sink.ofType('guard_retry.*').map((e) => e.type)).toEqual([
      'guard_retry.attempt',
      'guard_retry.scheduled',
      'guard_retry.recovered',
    ]);
    expect(sink.ofType('guard_retry.attempt')[0]?.data).toMatchObject({
      guard: 'guard',
      attempt: 1,
      retry_stage: 'generate',
      max_attempts: 2,
      stagnation_hits: 0,
      timeout_seconds: null,
    });
    expect(sink.ofType('guard_retry.recovered')[0]?.data).toMatchObject({ guard: 'guard', attempts: 1 });
    expect(
      sink
        .ofType('stage.wide')
        .filter((e) => (e.data as Data).stage === 'guard')
        .map((e) => (e.data as Data).status),
    ).toEqual(['failed', 'completed']);
    expect((result.stages.get('generate')!.data as Data).draft).toBe('v2');
  });

  it('stops at max_attempts and fails the run', async () => {
    const sink = new CollectingEventSink();
    const result = await guarded(['fail', 'fail', 'fail']).run({ sink });
    expect(result.status).toBe('failed');
    expect(sink.ofType('guard_retry.*').map((e) => e.type)).toEqual([
      'guard_retry.attempt',
      'guard_retry.scheduled',
      'guard_retry.attempt',
      'guard_retry.exhausted',
    ]);
    expect(sink.ofType('guard_retry.exhausted')[0]?.data).toMatchObject({ attempts: 2, reason: 'max_attempts' });
  });

  it('stops on stagnation when the failure fingerprint repeats', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder()
      .stage('generate', () => StageOutput.ok({ draft: 'same' }))
      .stage('guard', () => StageOutput.fail('same problem'), {
        dependencies: ['generate'],
        guardRetry: { retryStage: 'generate', maxAttempts: 10, stagnationLimit: 1 },
      })
      .build();
    await graph.run({ sink });
    expect(sink.ofType('guard_retry.exhausted')[0]?.data).toMatchObject({
      attempts: 2,
      stagnation_hits: 1,
      reason: 'stagnation',
    });
  });
});
