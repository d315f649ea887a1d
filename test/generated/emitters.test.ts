import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_TOOL_INVOKED,
  TypedEventSinkBase,
  dispatchEvent,
  emitGuardrailFailOpen,
  emitStageNameStarted,
  emitToolInvoked,
  findEventDescriptor,
  type AnyEvent,
  type EventMap,
  type GuardrailFailOpenData,
  type StageNameStartedData,
  type ToolInvokedData,
  type ToolInvokedInput,
} from '../../generated/index.js';
import { CollectingEventSink } from '../../src/sinks/collecting-event-sink.js';
import { withEventSink } from '../../src/runtime/sink-registry.js';
import { ValidationError } from '../../src/errors.js';
import { isDateTime } from '../../src/runtime/index.js';

const invoked: ToolInvokedInput = {
  tool_name: 'search_docs',
  action_id: 'cfbfe645-b49b-41e4-845e-76f3fc3ce157',
  pipeline_run_id: 'df05a2e8-4ae1-4f41-bd43-eaff01d9454e',
  request_id: null,
  payload_summary: { query: 'reset password' },
  behavior: 'support',
};

const started: StageNameStartedData = {
  request_id: null,
  session_id: null,
  user_id: null,
  org_id: null,
  service: 'chat',
  stage: 'llm',
  status: 'started',
  timestamp: '2026-11-25T17:49:11.428199+00:00',
  topology: null,
  execution_mode: null,
};

describe('generated emitters', () => {
  it('build the type string, fill a missing timestamp and hand the event to the given sink', () => {
    const sink = new CollectingEventSink();
    emitToolInvoked(invoked, { sink });
    expect(sink.events).toHaveLength(1);
    const [event] = sink.events;
    expect(event?.type).toBe(EVENT_TOOL_INVOKED);
    const data = event?.data as ToolInvokedData;
    expect(isDateTime(data.timestamp)).toBe(true);
    expect(data.timestamp.endsWith('+00:00')).toBe(true);
    expect({ ...data, timestamp: undefined }).toEqual({ ...invoked, timestamp: undefined });
  });

  it("copy the payload to fill the timestamp, leaving the caller's object as it was", () => {
    const sink = new CollectingEventSink();
    const input = { ...invoked };
    emitToolInvoked(input, { sink });
    expect(input).toEqual(invoked);
    expect('timestamp' in input).toBe(false);
    expect(sink.events[0]?.data).not.toBe(input);
    expect(Object.keys(sink.events[0]!.data as object)).toEqual([...Object.keys(invoked), 'timestamp']);
  });

  it('keep an own __proto__ key (as JSON.parse makes it) so validation refuses it instead of it vanishing', () => {
    const sink = new CollectingEventSink();
    const parsed = JSON.parse(
      `{"__proto__": {"polluted": true}, ${JSON.stringify(invoked).slice(1)}`,
    ) as ToolInvokedInput;
    expect(() => emitToolInvoked(parsed, { sink })).toThrow(ValidationError);
    expect(() => emitToolInvoked(parsed, { sink })).toThrow(/__proto__/);
    expect(sink.events).toHaveLength(0);
  });

  it('keep a timestamp the caller gave', () => {
    const sink = new CollectingEventSink();
    emitToolInvoked({ ...invoked, timestamp: '2026-01-01T10:00:00Z' }, { sink });
    expect((sink.events[0]!.data as ToolInvokedData).timestamp).toBe('2026-01-01T10:00:00Z');
  });

  it('build pattern types from their placeholder', () => {
    const sink = new CollectingEventSink();
    emitStageNameStarted('llm', started, { sink });
    expect(sink.types).toEqual(['stage.llm.started']);
    expect(findEventDescriptor('stage.llm.started')?.type).toBe('stage.{name}.started');
  });

  it('send to the scoped sink when none is given', async () => {
    const sink = new CollectingEventSink();
    await withEventSink(sink, async () => {
      await Promise.resolve();
      emitToolInvoked(invoked);
    });
    expect(sink.types).toEqual(['tool.invoked']);
  });

  it('refuse a payload that breaks the contract at run time (tests run in throw mode)', () => {
    const sink = new CollectingEventSink();
    const bad = { ...invoked, action_id: 'not-a-uuid' };
    expect(() => emitToolInvoked(bad, { sink })).toThrow(ValidationError);
    try {
      emitToolInvoked(bad, { sink });
    } catch (e) {
      expect((e as ValidationError).issues[0]).toMatchObject({
        instancePath: '/action_id',
        keyword: 'format',
        eventType: 'tool.invoked',
      });
    }
    expect(sink.events).toHaveLength(0);
  });
});

describe('generated types', () => {
  it('map every type string to its payload and narrow the union on type', () => {
    expectTypeOf<EventMap['tool.invoked']>().toEqualTypeOf<ToolInvokedData>();
    expectTypeOf<EventMap['stage.llm.started']>().toEqualTypeOf<StageNameStartedData>();
    const narrow = (e: AnyEvent): string | undefined => {
      if (e.type === 'tool.invoked') {
        expectTypeOf(e.data).toEqualTypeOf<ToolInvokedData>();
        return e.data.tool_name;
      }
      return undefined;
    };
    expect(narrow({ type: 'tool.invoked', data: { ...invoked, timestamp: '2026-01-01T10:00:00Z' } })).toBe(
      'search_docs',
    );
  });

  it('type 2020-12 tuples (prefixItems) as tuples: a guardrail violation location is [start, end]', () => {
    const sink = new CollectingEventSink();
    const violation = {
      type: 'pii_detected',
      message: 'email address',
      severity: 0.8,
      metadata: {},
      location: [3, 17],
    } as const;
    const base = {
      stage: 'guard',
      pipeline_run_id: null,
      request_id: null,
      execution_mode: null,
      violation_count: 1,
      fail_on_violation: false,
    } as const;
    emitGuardrailFailOpen({ ...base, violations: [{ ...violation, location: [3, 17] }] }, { sink });
    expect((sink.events[0]!.data as GuardrailFailOpenData).violations[0].location).toEqual([3, 17]);
    expectTypeOf<GuardrailFailOpenData['violations'][0]['location']>().toEqualTypeOf<[number, number] | null>();
    expect(() =>
      // @ts-expect-error a third offset is not a [start, end] span
      emitGuardrailFailOpen({ ...base, violations: [{ ...violation, location: [3, 17, 20] }] }, { sink }),
    ).toThrow(ValidationError);
  });

  it('make wrong payloads compile errors', () => {
    const sink = new CollectingEventSink();
    const attempts: (() => void)[] = [
      // @ts-expect-error tool_name must be a string
      () => emitToolInvoked({ ...invoked, tool_name: 42 }, { sink }),
      // @ts-expect-error an unknown key on a closed payload
      () => emitToolInvoked({ ...invoked, unknown_key: true }, { sink }),
      () =>
        emitToolInvoked(
          // @ts-expect-error behavior is required (nullable, not optional)
          {
            tool_name: 'x',
            action_id: invoked.action_id,
            pipeline_run_id: null,
            request_id: null,
            payload_summary: {},
          },
          { sink },
        ),
      // @ts-expect-error status is pinned to 'started'
      () => emitStageNameStarted('llm', { ...started, status: 'completed' }, { sink }),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(ValidationError);
  });
});

describe('generated sink stubs', () => {
  it('route each event to its handler with the payload narrowed, and unknown types to onUnknownEvent', async () => {
    const seen: string[] = [];
    class MySink extends TypedEventSinkBase {
      override onToolInvoked(data: ToolInvokedData): void {
        seen.push(`tool:${data.tool_name}`);
      }
      override onStageNameStarted(data: StageNameStartedData, type: `stage.${string}.started`): void {
        seen.push(`${type}:${data.stage}`);
      }
      override onUnknownEvent(event: { type: string }): void {
        seen.push(`unknown:${event.type}`);
      }
    }
    const sink = new MySink();
    sink.tryEmit({ type: 'tool.invoked', data: invoked });
    await sink.emit({ type: 'stage.llm.started', data: started });
    sink.tryEmit({ type: 'custom.thing' });
    sink.tryEmit({ type: 'tool.failed', data: {} });
    expect(seen).toEqual(['tool:search_docs', 'stage.llm.started:llm', 'unknown:custom.thing']);
  });

  it('never throw from tryEmit when a handler throws, and report it', () => {
    const errors: unknown[] = [];
    class Failing extends TypedEventSinkBase {
      override onToolInvoked(): void {
        throw new Error('boom');
      }
      protected override onHandlerError(error: unknown): void {
        errors.push(error);
      }
    }
    expect(() => new Failing().tryEmit({ type: 'tool.invoked', data: invoked })).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(dispatchEvent({ type: 'nothing.here' }, {})).toBeUndefined();
  });
});
