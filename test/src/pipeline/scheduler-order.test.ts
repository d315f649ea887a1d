import { describe, expect, it } from 'vitest';
import { StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';

// the ready-queue scheduler must look at stages in the order the full scan did: declaration order within a pass, a
// stage declared before the one that unblocked it only in the next pass
function order(sink: CollectingEventSink): string[] {
  return sink.events.map((e) => e.type).filter((t) => t.startsWith('stage.'));
}

describe('scheduler order', () => {
  it('skips and starts stages in the same order as a scan of every pending stage per pass', async () => {
    const sink = new CollectingEventSink();
    const graph = new StageGraphBuilder('order')
      .stage('late', () => StageOutput.ok({}), { dependencies: ['b'] })
      .stage('a', () => StageOutput.fail(new Error('boom')))
      .stage('b', () => StageOutput.ok({}), { dependencies: ['a'] })
      .stage('c', () => StageOutput.ok({}), { dependencies: ['b'] })
      .stage('d', () => StageOutput.ok({}))
      .stage('e', () => StageOutput.ok({}), { dependencies: ['d', 'late'] })
      .stage('f', () => StageOutput.ok({}), { dependencies: ['d'] })
      .stage('g', () => StageOutput.ok({}), { dependencies: ['f'] })
      .build();
    const result = await graph.run({ sink });
    expect(result.status).toBe('failed');
    expect(order(sink)).toEqual([
      'stage.a.started',
      'stage.d.started',
      'stage.a.failed',
      'stage.d.completed',
      'stage.b.skipped',
      'stage.c.skipped',
      'stage.f.started',
      // declared before b: looked at in the pass after the one that skipped b
      'stage.late.skipped',
      'stage.e.skipped',
      'stage.f.completed',
      'stage.g.started',
      'stage.g.completed',
    ]);
    const skipped = sink.events
      .filter((e) => e.type.endsWith('.skipped'))
      .map((e) => (e.data as { reason: string }).reason);
    expect(skipped).toEqual([
      "dependency 'a' failed",
      "dependency 'b' was skipped because 'a' failed",
      "dependency 'b' was skipped because 'a' failed",
      "dependency 'late' was skipped because 'a' failed",
    ]);
  });

  it('a chain of 100 runs every stage once, in order', async () => {
    const sink = new CollectingEventSink();
    const b = new StageGraphBuilder('chain');
    for (let i = 0; i < 100; i++)
      b.stage(`s${i}`, () => StageOutput.ok({ i }), i === 0 ? {} : { dependencies: [`s${i - 1}`] });
    const result = await b.build().run({ sink });
    expect(result.status).toBe('completed');
    const started = sink.events
      .filter((e) => e.type.endsWith('.started') && e.type.startsWith('stage.'))
      .map((e) => e.type);
    expect(started).toEqual(Array.from({ length: 100 }, (_, i) => `stage.s${i}.started`));
  });
});
