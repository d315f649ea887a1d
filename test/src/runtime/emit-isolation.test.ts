// issue 9, point 12: emit never throws into the caller except under the `throw` policy
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOOL_COMPLETED_DESCRIPTOR } from '../../../generated/index.js';
import { ValidationError } from '../../../src/errors.js';
import { getEmitStats } from '../../../src/index.js';
import { emitEvent } from '../../../src/runtime/index.js';
import { configureValidation } from '../../../src/runtime/validation-policy.js';
import type { EventSink } from '../../../src/runtime/types.js';
import { CollectingEventSink } from '../../../src/sinks/index.js';

const D = TOOL_COMPLETED_DESCRIPTOR as never;
const bad = { not: 'a tool payload' };
const throwing: EventSink = {
  emit: () => Promise.reject(new Error('emit')),
  tryEmit: () => {
    throw new Error('sink down');
  },
};
const throwingLogger = {
  warn: () => {
    throw new Error('logger down');
  },
};

function getterPayload(): object {
  return {
    get tool_name(): never {
      throw new Error('getter');
    },
  };
}
function revokedPayload(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

afterEach(() => {
  vi.useRealTimers();
  configureValidation({ default: 'throw', unknown: 'throw' });
});

describe('emit isolates failures', () => {
  it('warn: a logger that throws is counted, and the event still delivered', () => {
    configureValidation({ default: 'warn', logger: throwingLogger });
    const sink = new CollectingEventSink();
    expect(() => emitEvent('tool.completed', bad, D, { sink })).not.toThrow();
    expect(sink.events).toHaveLength(1);
    expect(getEmitStats().loggerFailures).toBe(1);
  });

  it('quarantine: a dead-letter sink that throws is counted, not rethrown', () => {
    configureValidation({ default: 'quarantine', deadLetter: throwing, logger: { warn: () => undefined } });
    const sink = new CollectingEventSink();
    expect(() => emitEvent('tool.completed', bad, D, { sink })).not.toThrow();
    expect(sink.events).toHaveLength(0);
    expect(getEmitStats().deadLetterFailures).toBe(1);
  });

  it.each(['warn', 'drop', 'quarantine'] as const)(
    '%s: a throwing getter or a revoked proxy is an unreadable, invalid payload, not an exception',
    (mode) => {
      const dead = new CollectingEventSink();
      const warn = vi.fn();
      configureValidation({ default: mode, deadLetter: dead, logger: { warn } });
      const sink = new CollectingEventSink();
      for (const payload of [getterPayload(), revokedPayload()])
        expect(() => emitEvent('tool.completed', payload, D, { sink })).not.toThrow();
      expect(getEmitStats().unreadablePayloads).toBe(2);
      expect(sink.events).toHaveLength(mode === 'warn' ? 2 : 0);
      if (mode === 'quarantine') expect(dead.events[0]?.data).toMatchObject({ issues: [{ keyword: 'unreadable' }] });
      if (mode === 'warn') expect(warn.mock.calls[0]?.[0]).toMatchObject({ issues: [{ keyword: 'unreadable' }] });
    },
  );

  it('throw: an unreadable payload and an invalid one still throw', () => {
    configureValidation({ default: 'throw' });
    expect(() => emitEvent('tool.completed', getterPayload(), D, { sink: new CollectingEventSink() })).toThrow(
      'getter',
    );
    expect(() => emitEvent('tool.completed', bad, D, { sink: new CollectingEventSink() })).toThrow(ValidationError);
  });

  it('a user sink whose tryEmit throws is isolated and counted outside throw, rethrown under throw', () => {
    const warn = vi.fn();
    configureValidation({ default: 'off', unknown: 'off', logger: { warn } });
    for (let i = 0; i < 3; i++) expect(() => emitEvent('tool.completed', bad, D, { sink: throwing })).not.toThrow();
    expect(() => emitEvent('x.unknown', {}, undefined, { sink: throwing })).not.toThrow();
    expect(getEmitStats().sinkFailures).toBe(4);
    expect(warn.mock.calls[0]?.[1]).toContain('the sink threw (sink down)');
    configureValidation({ default: 'throw', unknown: 'throw' });
    expect(() => emitEvent('tool.completed', {}, D, { sink: throwing })).toThrow();
  });

  it('rate-limits warnings globally: 100 k distinct types give at most maxWarningsPerInterval warnings per interval', () => {
    vi.useFakeTimers();
    const warn = vi.fn();
    configureValidation({ default: 'warn', unknown: 'warn', warnIntervalMs: 1000, logger: { warn } });
    const sink = new CollectingEventSink();
    for (let i = 0; i < 100_000; i++) emitEvent(`stage.s${i}.started`, {}, undefined, { sink });
    expect(warn).toHaveBeenCalledTimes(100);
    expect(getEmitStats().suppressedWarnings).toBe(99_900);
    expect(sink.events).toHaveLength(100_000);
    vi.advanceTimersByTime(1000);
    emitEvent('stage.late.started', {}, undefined, { sink });
    expect(warn).toHaveBeenCalledTimes(101);
    expect(warn.mock.calls[100]?.[0]).toMatchObject({ eventType: 'stage.late.started', suppressedOtherTypes: 99_900 });
    expect(warn.mock.calls[100]?.[1]).toContain('99900 warnings of other types suppressed');
  });

  it('warns through the configured logger with the object first, and defaults to a pino logger, not console', () => {
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    configureValidation({ default: 'warn' });
    emitEvent('tool.completed', bad, D, { sink: new CollectingEventSink() });
    expect(consoleWarn).not.toHaveBeenCalled();
    consoleWarn.mockRestore();
    const warn = vi.fn();
    configureValidation({ default: 'warn', logger: { warn } });
    emitEvent('tool.completed', bad, D, { sink: new CollectingEventSink() });
    expect(typeof warn.mock.calls[0]?.[0]).toBe('object');
    expect(warn.mock.calls[0]?.[1]).toMatch(/^stageflow-events: invalid event 'tool.completed'/);
  });

  it('escapes and cuts a hostile type in the warning message', () => {
    const warn = vi.fn();
    configureValidation({ unknown: 'warn', logger: { warn } });
    emitEvent(`a\u001b[2J\n${'x'.repeat(10_000)}`, {}, undefined, { sink: new CollectingEventSink() });
    const msg = warn.mock.calls[0]?.[1] as string;
    expect(msg).not.toMatch(/[\u0000-\u001f]/);
    expect(msg.length).toBeLessThan(400);
  });
});
