import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  STAGE_NAME_STARTED_DESCRIPTOR,
  TOOL_COMPLETED_DESCRIPTOR,
  TOOL_FAILED_DESCRIPTOR,
} from '../../../generated/index.js';
import { emitEvent } from '../../../src/runtime/index.js';
import { configureValidation } from '../../../src/runtime/validation-policy.js';
import { CollectingEventSink } from '../../../src/sinks/index.js';
import { ValidationError } from '../../../src/errors.js';

const bad = { not: 'a tool payload' };

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  configureValidation({ default: 'throw', unknown: 'throw' });
});

function emit(type: string, data: unknown, descriptor = TOOL_COMPLETED_DESCRIPTOR as never): CollectingEventSink {
  const sink = new CollectingEventSink();
  emitEvent(type, data, descriptor, { sink });
  return sink;
}

describe('emit-time validation policy', () => {
  it('throws a ValidationError with ajv issues in throw mode, and delivers nothing', () => {
    const sink = new CollectingEventSink();
    let error: unknown;
    try {
      emitEvent('tool.completed', bad, TOOL_COMPLETED_DESCRIPTOR as never, { sink });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).eventType).toBe('tool.completed');
    expect((error as ValidationError).issues[0]).toMatchObject({
      eventType: 'tool.completed',
      keyword: expect.any(String),
    });
    expect(sink.events).toHaveLength(0);
  });

  it('drops invalid events silently in drop mode', () => {
    configureValidation({ default: 'drop' });
    expect(emit('tool.completed', bad).events).toHaveLength(0);
  });

  it('delivers invalid events in off mode', () => {
    configureValidation({ default: 'off' });
    expect(emit('tool.completed', bad).events).toHaveLength(1);
  });

  it('warns once per type per interval with the structured errors, counting what it suppressed', () => {
    vi.useFakeTimers();
    const warn = vi.fn();
    configureValidation({ default: 'warn', warnIntervalMs: 1000, logger: { warn } });
    for (let i = 0; i < 5; i++) expect(emit('tool.completed', bad).events).toHaveLength(1);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatchObject({
      eventType: 'tool.completed',
      issues: expect.arrayContaining([expect.objectContaining({ eventType: 'tool.completed' })]),
      suppressed: 0,
    });
    vi.advanceTimersByTime(1000);
    emit('tool.completed', bad);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]?.[1]).toBe(
      "stageflow-events: invalid event 'tool.completed' (4 more since the last warning)",
    );
  });

  it('quarantines invalid events with their issues into the dead-letter sink', () => {
    const deadLetter = new CollectingEventSink();
    configureValidation({ default: 'quarantine', deadLetter });
    expect(emit('tool.completed', bad).events).toHaveLength(0);
    expect(deadLetter.events[0]).toMatchObject({
      type: 'x-dead-letter',
      data: { event: { type: 'tool.completed', data: bad }, reason: 'invalid event', issues: expect.any(Array) },
    });
  });

  it('refuses quarantine without a dead-letter sink, and a sample rate outside 0..1', () => {
    expect(() => configureValidation({ families: { tool: 'quarantine' } })).toThrow(
      "configureValidation: mode 'quarantine' needs a deadLetter sink",
    );
    expect(() => configureValidation({ default: { mode: 'throw', sampleRate: 1.5 } })).toThrow(
      /sampleRate 1.5 is out of range/,
    );
  });

  it('applies a type rule over a family rule over the default, and matches pattern types by template', () => {
    configureValidation({
      default: 'throw',
      families: { tool: 'drop', stage: 'off' },
      types: { 'tool.completed': 'off' },
    });
    expect(emit('tool.completed', bad).events).toHaveLength(1);
    expect(emit('tool.failed', bad, TOOL_FAILED_DESCRIPTOR as never).events).toHaveLength(0);
    expect(emit('stage.llm.started', bad, STAGE_NAME_STARTED_DESCRIPTOR as never).events).toHaveLength(1);
    configureValidation({ default: 'off', types: { 'stage.{name}.started': 'drop' } });
    expect(emit('stage.llm.started', bad, STAGE_NAME_STARTED_DESCRIPTOR as never).events).toHaveLength(0);
  });

  it('validates only the sampled share of events', () => {
    configureValidation({ default: { mode: 'drop', sampleRate: 0.25 } });
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0.1);
    expect(emit('tool.completed', bad).events).toHaveLength(0);
    random.mockReturnValue(0.5);
    expect(emit('tool.completed', bad).events).toHaveLength(1);
  });

  it('gives unknown event types their own policy', () => {
    expect(() => emitEvent('nobody.claims', {}, undefined, { sink: new CollectingEventSink() })).toThrow(
      /event 'nobody.claims' does not match its schema: \/ no schema claims this event type/,
    );
    configureValidation({ default: 'throw', unknown: 'off' });
    const sink = new CollectingEventSink();
    emitEvent('nobody.claims', {}, undefined, { sink });
    expect(sink.types).toEqual(['nobody.claims']);
    const deadLetter = new CollectingEventSink();
    configureValidation({ default: 'throw', unknown: 'quarantine', deadLetter });
    emitEvent('nobody.claims', {}, undefined, { sink });
    expect(deadLetter.events[0]).toMatchObject({ data: { reason: 'unknown event type' } });
  });
});
