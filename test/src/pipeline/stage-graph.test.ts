import { describe, expect, it } from 'vitest';
import { getEventSink, setEventSink, clearEventSink } from '../../../src/runtime/sink-registry.js';
import { ContractError, ValidationError } from '../../../src/errors.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { type StageGraph, StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import type { PipelineRunLogger, StageContext } from '../../../src/pipeline/index.js';
import { Type } from '@sinclair/typebox';
import { defineEvent, removeCustomEvent } from '../../../src/validation/index.js';
import { deferred, waitForAbort } from '../../helpers/deferred.js';

type Data = Record<string, unknown>;
const data = (sink: CollectingEventSink, type: string): Data => (sink.ofType(type)[0]?.data ?? {}) as Data;

function linear(): StageGraph {
  return new StageGraphBuilder('demo')
    .stage('fetch', () => StageOutput.ok({ user: 'u1', b: 1 }))
    .stage('llm', (ctx) => StageOutput.ok({ reply: `hi ${String(ctx.inputs.fetch?.user)}` }), {
      dependencies: ['fetch'],
    })
    .build();
}

describe('StageGraphBuilder', () => {
  it('rejects a stage name containing a dot', () => {
    expect(() => new StageGraphBuilder().stage('a.b', () => undefined)).toThrow(
      /stage name 'a.b' is invalid: expected a non-empty name without dots/,
    );
  });

  it('rejects unknown dependencies, duplicates and cycles', () => {
    expect(() => new StageGraphBuilder().stage('a', () => undefined, { dependencies: ['x'] }).build()).toThrow(
      "stage 'a' depends on unknown stage 'x'",
    );
    expect(() =>
      new StageGraphBuilder()
        .stage('a', () => undefined)
        .stage('a', () => undefined)
        .build(),
    ).toThrow("stage 'a' is declared twice");
    expect(() =>
      new StageGraphBuilder()
        .stage('a', () => undefined, { dependencies: ['b'] })
        .stage('b', () => undefined, { dependencies: ['a'] })
        .build(),
    ).toThrow(/dependency cycle: a -> b -> a/);
  });

  it('requires the guard-retry stage to be a dependency of the guard', () => {
    expect(() =>
      new StageGraphBuilder()
        .stage('gen', () => undefined)
        .stage('guard', () => undefined, { guardRetry: { retryStage: 'gen' } })
        .build(),
    ).toThrow(/retryStage 'gen' must be one of its dependencies/);
  });
});

describe('StageGraph.run', () => {
  it('emits pipeline.started first, the stage lifecycle, and pipeline.completed last', async () => {
    const sink = new CollectingEventSink();
    const result = await linear().run({ sink });
    expect(result.status).toBe('completed');
    expect(sink.types).toEqual([
      'pipeline.started',
      'stage.fetch.started',
      'stage.fetch.completed',
      'stage.llm.started',
      'stage.llm.completed',
      'pipeline.completed',
    ]);
    expect(data(sink, 'pipeline.started')).toMatchObject({
      pipeline_run_id: result.pipelineRunId,
      pipeline_name: 'demo',
      stages: ['fetch', 'llm'],
      service: 'pipeline',
    });
    const completed = data(sink, 'stage.fetch.completed');
    expect(completed).toMatchObject({
      stage: 'fetch',
      status: 'completed',
      data_keys: ['b', 'user'],
      pipeline_run_id: result.pipelineRunId,
      request_id: null,
    });
    expect(Number.isInteger(completed.duration_ms)).toBe(true);
    expect(data(sink, 'pipeline.completed')).toMatchObject({ stage_counts: { completed: 2 } });
    expect(result.finalOutput).toEqual({ user: 'u1', b: 1, reply: 'hi u1' });
  });

  it('runs independent stages concurrently', async () => {
    const sink = new CollectingEventSink();
    const gate = deferred();
    const started: string[] = [];
    const hold = (name: string) => async () => {
      started.push(name);
      if (started.length === 2) gate.resolve();
      await gate.promise;
      return StageOutput.ok();
    };
    const graph = new StageGraphBuilder()
      .stage('a', hold('a'))
      .stage('b', hold('b'))
      .stage('c', () => undefined, { dependencies: ['a', 'b'] })
      .build();
    const result = await graph.run({ sink });
    expect(result.status).toBe('completed');
    expect(sink.types.indexOf('stage.b.started')).toBeLessThan(sink.types.indexOf('stage.a.completed'));
    expect(sink.types.indexOf('stage.c.started')).toBeGreaterThan(sink.types.indexOf('stage.b.completed'));
  });

  it('sends every event of the run to the sink captured at start, and scopes that sink around the stages', async () => {
    const ambient = new CollectingEventSink();
    const own = new CollectingEventSink();
    setEventSink(ambient);
    try {
      let seen: unknown;
      const graph = new StageGraphBuilder()
        .stage('a', () => {
          seen = getEventSink();
        })
        .build();
      await graph.run({ sink: own, wideEvents: true });
      expect(seen).toBe(own);
      expect(ambient.events).toHaveLength(0);
      expect(own.types).toContain('pipeline.wide');
    } finally {
      clearEventSink();
    }
  });

  it('fails a stage that throws, skips its dependents naming the failed dependency, and fails the run', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder()
      .stage('a', () => {
        throw new TypeError('boom');
      })
      .stage('b', () => undefined, { dependencies: ['a'] })
      .stage('c', () => undefined, { dependencies: ['b'] })
      .build();
    const result = await graph.run({ sink });
    expect(result.status).toBe('failed');
    expect(data(sink, 'stage.a.failed')).toMatchObject({ error: 'boom', error_type: 'TypeError', status: 'failed' });
    expect(data(sink, 'stage.b.skipped')).toMatchObject({ stage: 'b', reason: "dependency 'a' failed" });
    expect(data(sink, 'stage.c.skipped').reason).toBe("dependency 'b' was skipped because 'a' failed");
    expect(data(sink, 'pipeline.failed')).toMatchObject({
      error: 'boom',
      error_code: 'UNKNOWN',
      retryable: false,
      failed_stage: 'a',
    });
    expect(sink.types.at(-1)).toBe('pipeline.failed');
  });

  it('reports StageOutput.fail like a thrown error', async () => {
    const sink = new CollectingEventSink();
    const result = await new StageGraphBuilder()
      .stage('a', () => StageOutput.fail('bad input'))
      .build()
      .run({ sink });
    expect(result.status).toBe('failed');
    expect(data(sink, 'stage.a.failed').error).toBe('bad input');
  });

  it('reports StageOutput.skip as stage.<name>.skipped and still runs the dependents', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder()
      .stage('a', () => StageOutput.skip('nothing to do'))
      .stage('b', () => undefined, { dependencies: ['a'] })
      .build();
    const result = await graph.run({ sink });
    expect(result.status).toBe('completed');
    expect(data(sink, 'stage.a.skipped')).toMatchObject({ reason: 'nothing to do', stage: 'a' });
    expect(Number.isInteger(data(sink, 'stage.a.skipped').duration_ms)).toBe(true);
    expect(sink.types).toContain('stage.b.completed');
  });

  it('fails a stage that exceeds its timeout with a TIMEOUT summary (the reference reports UNKNOWN)', async () => {
    const sink = new CollectingEventSink();
    let aborted = false;
    const graph = new StageGraphBuilder()
      .stage(
        'slow',
        async (ctx) => {
          await waitForAbort(ctx.signal).catch((e: unknown) => {
            aborted = true;
            throw e;
          });
        },
        { timeoutMs: 20 },
      )
      .build();
    const result = await graph.run({ sink });
    expect(result.status).toBe('failed');
    expect(result.errorSummary).toMatchObject({ code: 'TIMEOUT', retryable: true, stage: 'slow' });
    expect(data(sink, 'stage.slow.failed')).toMatchObject({
      error: "stage 'slow' timed out after 20 ms",
      error_type: 'StageTimeoutError',
    });
    expect(data(sink, 'pipeline.failed')).toMatchObject({
      error_code: 'TIMEOUT',
      retryable: true,
      failed_stage: 'slow',
    });
    expect(aborted).toBe(true);
  });

  it('cancels the run when a stage returns StageOutput.cancel', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder()
      .stage('gate', () => StageOutput.cancel('user left'))
      .stage('slow', async (ctx) => waitForAbort(ctx.signal))
      .stage('after', () => undefined, { dependencies: ['gate'] })
      .build();
    const result = await graph.run({ sink, wideEvents: true });
    expect(result.status).toBe('cancelled');
    expect(result.cancelledByStage).toBe('gate');
    expect(data(sink, 'pipeline.cancelled')).toMatchObject({ reason: 'user left', cancelled_by_stage: 'gate' });
    expect(data(sink, 'stage.after.skipped').reason).toBe('pipeline cancelled');
    expect(data(sink, 'stage.slow.failed').error_type).toBe('PipelineCancelledError');
    expect(data(sink, 'pipeline.wide').status).toBe('cancelled');
    expect(sink.types.at(-1)).toBe('pipeline.cancelled');
    expect(
      sink.ofType('pipeline.*').filter((e) => /^pipeline\.(completed|failed|cancelled)$/.test(e.type)),
    ).toHaveLength(1);
  });

  it('cancels the run through the caller AbortSignal', async () => {
    const sink = new CollectingEventSink();
    const controller = new AbortController();
    const running = deferred();
    const graph = new StageGraphBuilder()
      .stage('wait', async (ctx) => {
        running.resolve();
        await waitForAbort(ctx.signal);
      })
      .build();
    const pending = graph.run({ sink, signal: controller.signal });
    await running.promise;
    controller.abort('shutdown');
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(result.errorSummary?.code).toBe('CANCELLED');
    expect(data(sink, 'pipeline.cancelled')).toMatchObject({ reason: 'shutdown', cancelled_by_stage: null });
    expect(sink.types.at(-1)).toBe('pipeline.cancelled');
  });

  it('reports a bare abort() with the default reason user_requested', async () => {
    const sink = new CollectingEventSink();
    const controller = new AbortController();
    controller.abort();
    const result = await new StageGraphBuilder()
      .stage('a', () => undefined)
      .build()
      .run({ sink, signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(sink.types).toEqual(['pipeline.started', 'stage.a.skipped', 'pipeline.cancelled']);
    expect(sink.ofType('pipeline.cancelled')[0]?.data).toMatchObject({
      reason: 'user_requested',
      cancelled_by_stage: null,
    });
  });

  it('copies the run identity into every lifecycle event', async () => {
    const sink = new CollectingEventSink();
    const ids = {
      requestId: '0b7c3f1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b',
      userId: '1b7c3f1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b',
      orgId: '2b7c3f1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b',
    };
    await linear().run({ sink, ...ids, topology: 'chat', executionMode: 'practice', service: 'api' });
    for (const e of sink.ofType('stage.*.started')) {
      expect(e.data).toMatchObject({
        request_id: ids.requestId,
        user_id: ids.userId,
        org_id: ids.orgId,
        topology: 'chat',
        execution_mode: 'practice',
        service: 'api',
      });
    }
  });

  it('calls a caller run logger besides the built-in pipeline.* events', async () => {
    const calls: string[] = [];
    const logger: PipelineRunLogger = {
      logRunStarted: (r) => void calls.push(`started ${r.pipelineName} ${r.stages.join(',')}`),
      logRunCompleted: (r) =>
        void calls.push(`completed ${JSON.stringify(r.stageResults)} ${JSON.stringify(r.stageCounts)}`),
      logRunFailed: async (r) => void calls.push(`failed ${r.errorCode} ${String(r.stage)} ${r.error}`),
      logRunCancelled: () => void calls.push('cancelled'),
    };
    await linear().run({ sink: new CollectingEventSink(), runLogger: logger });
    await new StageGraphBuilder('x')
      .stage('a', () => StageOutput.fail('no'))
      .build()
      .run({ sink: new CollectingEventSink(), runLogger: logger });
    expect(calls).toEqual([
      'started demo fetch,llm',
      'completed {"fetch":"completed","llm":"completed"} {"completed":2}',
      'started x a',
      'failed UNKNOWN a no',
    ]);
  });
});

describe('StageContext.emitEvent', () => {
  async function runWith(fn: (ctx: StageContext) => void): Promise<{ sink: CollectingEventSink; error: unknown }> {
    const sink = new CollectingEventSink();
    let error: unknown;
    await new StageGraphBuilder()
      .stage('a', (ctx) => {
        try {
          fn(ctx);
        } catch (e) {
          error = e;
        }
      })
      .build()
      .run({ sink, executionMode: 'practice' });
    return { sink, error };
  }

  it('enriches a catalogued event with the run keys its schema declares', async () => {
    const { sink, error } = await runWith((ctx) => ctx.emitEvent('agent.completed', { turns: 3 }));
    expect(error).toBeUndefined();
    const e = sink.ofType('agent.completed')[0];
    expect(e?.data).toEqual({
      pipeline_run_id: expect.any(String),
      request_id: null,
      execution_mode: 'practice',
      turns: 3,
    });
  });

  it('refuses a caller value for a reserved enrichment key', async () => {
    const { sink, error } = await runWith((ctx) =>
      ctx.emitEvent('agent.completed', { turns: 1, pipeline_run_id: 'mine' }),
    );
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe('reserved_key');
    expect((error as Error).message).toContain("reserved key 'pipeline_run_id'");
    expect(sink.ofType('agent.completed')).toHaveLength(0);
  });

  it('keeps an own __proto__ key of parsed data, so validation refuses it', async () => {
    const { sink, error } = await runWith((ctx) =>
      ctx.emitEvent('agent.completed', JSON.parse('{"turns": 1, "__proto__": {"x": 1}}') as Record<string, unknown>),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("additional properties: '__proto__'");
    expect(sink.ofType('agent.completed')).toHaveLength(0);
  });

  it('validates custom events like every other event', async () => {
    const invalid = await runWith((ctx) => ctx.emitEvent('agent.completed', { turns: 'three' }));
    expect(invalid.error).toBeInstanceOf(ValidationError);
    const unknown = await runWith((ctx) => ctx.emitEvent('made.up', { x: 1 }));
    expect(unknown.error).toBeInstanceOf(ValidationError);
  });

  it('resolves custom types through the given descriptor lookup', async () => {
    const sink = new CollectingEventSink();
    const lookup = (type: string) =>
      type === 'demo.custom'
        ? {
            type,
            family: 'demo',
            version: 1,
            schemaId: 'x',
            schemaPath: 'x',
            title: 'DemoCustom',
            properties: ['pipeline_run_id', 'n'],
            required: ['n'],
            open: false,
            validate: Object.assign((d: unknown): d is unknown => typeof (d as Data).n === 'number', { errors: null }),
          }
        : undefined;
    await new StageGraphBuilder()
      .stage('a', (ctx) => ctx.emitEvent('demo.custom', { n: 1 }))
      .build()
      .run({ sink, lookupDescriptor: lookup });
    expect(sink.ofType('demo.custom')[0]?.data).toEqual({ pipeline_run_id: expect.any(String), n: 1 });
  });

  it('resolves events registered with defineEvent and validates them with their schema', async () => {
    defineEvent(
      'demo.step_done',
      Type.Object(
        { pipeline_run_id: Type.Union([Type.String(), Type.Null()]), step: Type.Integer() },
        { additionalProperties: false },
      ),
    );
    try {
      const ok = await runWith((ctx) => ctx.emitEvent('demo.step_done', { step: 2 }));
      expect(ok.error).toBeUndefined();
      expect(ok.sink.ofType('demo.step_done')[0]?.data).toEqual({ pipeline_run_id: expect.any(String), step: 2 });
      const bad = await runWith((ctx) => ctx.emitEvent('demo.step_done', { step: 'two' }));
      expect(bad.error).toBeInstanceOf(ValidationError);
    } finally {
      removeCustomEvent('demo.step_done');
    }
  });
});

describe('StageGraph scheduling order', () => {
  it('runs a 100-stage chain in order and skips, in declaration order, what depends on a failure declared later', async () => {
    const sink = new CollectingEventSink();
    const b = new StageGraphBuilder('order');
    // declared out of topological order: z depends on y, which depends on the failing x; w depends on the chain's end
    b.stage('z', () => undefined, { dependencies: ['y'] });
    b.stage('y', () => undefined, { dependencies: ['x'] });
    for (let i = 0; i < 100; i++)
      b.stage(`s${i}`, () => StageOutput.ok({ [`k${i}`]: i }), i === 0 ? {} : { dependencies: [`s${i - 1}`] });
    b.stage('x', () => {
      throw new Error('x broke');
    });
    b.stage('w', () => undefined, { dependencies: ['s99', 'z'] });
    const result = await b.build().run({ sink });
    const started = sink.types.filter((t) => t.endsWith('.started') && t.startsWith('stage.'));
    expect(started.filter((t) => t.startsWith('stage.s'))).toEqual(
      Array.from({ length: 100 }, (_, i) => `stage.s${i}.started`),
    );
    const skipped = sink.types.filter((t) => t.endsWith('.skipped'));
    expect(skipped).toEqual(['stage.y.skipped', 'stage.z.skipped', 'stage.w.skipped']);
    expect(data(sink, 'stage.z.skipped').reason).toBe("dependency 'y' was skipped because 'x' failed");
    expect(data(sink, 'stage.w.skipped').reason).toBe("dependency 'z' was skipped because 'x' failed");
    expect(result.status).toBe('failed');
    expect(Object.keys(result.finalOutput)).toHaveLength(100);
  });
});
