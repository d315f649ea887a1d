import { describe, expect, it } from 'vitest';
import { CollectingEventSink, expectEmitted, expectNotEmitted, expectOrder } from '../../../src/testing/index.js';

function sink(): CollectingEventSink {
  const s = new CollectingEventSink();
  s.tryEmit({ type: 'pipeline.started', data: { run: 1 } });
  s.tryEmit({ type: 'stage.llm.started', data: { stage: 'llm', meta: { attempt: 1, tags: ['a'] } } });
  s.tryEmit({ type: 'stage.llm.completed', data: { stage: 'llm', duration_ms: 12 } });
  s.tryEmit({ type: 'pipeline.completed', data: { run: 1 } });
  return s;
}

describe('expectEmitted', () => {
  it('returns the first event of the type whose data contains the partial data, matched deeply', () => {
    expect(expectEmitted(sink(), 'stage.*.started', { meta: { attempt: 1 } }).type).toBe('stage.llm.started');
    expect(expectEmitted(sink(), 'stage.llm.completed').data).toEqual({ stage: 'llm', duration_ms: 12 });
  });

  it('throws listing the events of that type when the data does not match', () => {
    expect(() => expectEmitted(sink(), 'stage.llm.completed', { duration_ms: 13 })).toThrow(
      /expected an event 'stage.llm.completed' with data matching \{"duration_ms":13\}; events of that type:\n {2}stage.llm.completed \{"stage":"llm","duration_ms":12\}/,
    );
  });

  it('throws listing the types received when none has the type', () => {
    expect(() => expectEmitted(sink(), 'tool.failed')).toThrow(
      "expectEmitted: expected an event 'tool.failed'; types received: pipeline.started, stage.llm.started, stage.llm.completed, pipeline.completed",
    );
  });

  it('matches arrays exactly rather than by subset', () => {
    expect(() => expectEmitted(sink(), 'stage.llm.started', { meta: { tags: [] } })).toThrow(/expectEmitted/);
  });
});

describe('expectNotEmitted', () => {
  it('passes when absent and throws with the offending events when present', () => {
    expectNotEmitted(sink(), 'tool.*');
    expect(() => expectNotEmitted(sink(), 'pipeline.*', { run: 1 })).toThrow(
      /expected no event 'pipeline\.\*' matching \{"run":1\}/,
    );
  });
});

describe('expectOrder', () => {
  it('accepts types in order, not necessarily adjacent', () => {
    expectOrder(sink(), ['pipeline.started', 'stage.llm.completed', 'pipeline.completed']);
  });

  it('throws naming the type that came out of order', () => {
    expect(() => expectOrder(sink(), ['stage.llm.completed', 'stage.llm.started'])).toThrow(
      /expected 'stage.llm.started' \(position 2 of \[stage.llm.completed, stage.llm.started\]\) after 'stage.llm.completed', but it was only received before the previous one/,
    );
    expect(() => expectOrder(sink(), ['tool.failed'])).toThrow(/it was never received/);
  });
});
