import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { emitPipelineSpawnedChild, emitStageNameStarted, emitToolCompleted } from '../../../generated/index.js';
import { clearEventSink, getEventSink, setEventSink, withEventSink } from '../../../src/runtime/sink-registry.js';
import { CollectingEventSink, NoOpEventSink } from '../../../src/sinks/index.js';

afterEach(() => clearEventSink());

// real reference payloads, so the generated emitters' validation (in throw mode) passes
const SAMPLE = readFileSync(new URL('../../fixtures/snapshots/reference-sample.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as { type: string; data: unknown });
function sample(match: (type: string) => boolean): { type: string; data: unknown } {
  const found = SAMPLE.find((e) => match(e.type));
  if (found === undefined) throw new Error('sample has no such event');
  return found;
}

describe('getEventSink', () => {
  it('is a no-op sink by default, and the same one every call', () => {
    const a = getEventSink();
    expect(() => a.tryEmit({ type: 'a.b' })).not.toThrow();
    expect(getEventSink()).toBe(a);
  });

  it('round-trips setEventSink, the last set wins, and clearEventSink resets to the no-op', () => {
    const first = new CollectingEventSink();
    const second = new CollectingEventSink();
    setEventSink(first);
    expect(getEventSink()).toBe(first);
    setEventSink(second);
    expect(getEventSink()).toBe(second);
    clearEventSink();
    expect(getEventSink()).not.toBe(second);
    expect(getEventSink()).not.toBe(first);
  });

  it('keeps a falsy-looking sink (the reference replaced sinks whose length was 0 with a no-op)', () => {
    const sink = Object.assign(new CollectingEventSink(), { length: 0 });
    setEventSink(sink);
    expect(getEventSink()).toBe(sink);
  });

  it('sees a process default set inside a child task from the parent (the reference scoped it to the task)', async () => {
    const sink = new NoOpEventSink();
    await Promise.resolve().then(() => setEventSink(sink));
    expect(getEventSink()).toBe(sink);
  });
});

describe('withEventSink', () => {
  it('scopes a sink across awaits and timers, nested scopes win, and the default is untouched outside', async () => {
    const outer = new CollectingEventSink();
    const inner = new CollectingEventSink();
    const fallback = new CollectingEventSink();
    setEventSink(fallback);
    await withEventSink(outer, async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(getEventSink()).toBe(outer);
      await withEventSink(inner, async () => {
        await Promise.resolve();
        expect(getEventSink()).toBe(inner);
      });
      expect(getEventSink()).toBe(outer);
    });
    expect(getEventSink()).toBe(fallback);
  });

  it('keeps concurrent scopes apart', async () => {
    const a = new CollectingEventSink();
    const b = new CollectingEventSink();
    const run = (sink: CollectingEventSink, n: number) =>
      withEventSink(sink, async () => {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, n));
          getEventSink().tryEmit({ type: 'a.b', data: i });
        }
      });
    await Promise.all([run(a, 1), run(b, 2)]);
    expect(a.events).toHaveLength(5);
    expect(b.events).toHaveLength(5);
  });

  it('sends stage, tool and subpipeline events through the same resolution rule (reference bug: tool and subpipeline events used another sink)', async () => {
    const scoped = new CollectingEventSink();
    const fallback = new CollectingEventSink();
    setEventSink(fallback);
    const stage = sample((t) => /^stage\.[a-z_]+\.started$/.test(t));
    const tool = sample((t) => t === 'tool.completed');
    const child = sample((t) => t === 'pipeline.spawned_child');
    await withEventSink(scoped, async () => {
      await Promise.resolve();
      emitStageNameStarted(stage.type.split('.')[1] as string, stage.data as never);
      emitToolCompleted(tool.data as never);
      emitPipelineSpawnedChild(child.data as never);
    });
    expect(scoped.types).toEqual([stage.type, 'tool.completed', 'pipeline.spawned_child']);
    expect(fallback.events).toHaveLength(0);
    emitToolCompleted(tool.data as never);
    expect(fallback.types).toEqual(['tool.completed']);
  });
});
