import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { defineEvent, findCustomEventDescriptor, removeCustomEvent } from '../../../src/validation/index.js';
import { withEventSink } from '../../../src/runtime/sink-registry.js';
import { configureValidation } from '../../../src/runtime/validation-policy.js';
import { CollectingEventSink } from '../../../src/sinks/index.js';
import { ValidationError } from '../../../src/errors.js';

const defined: string[] = [];
function define<T extends Parameters<typeof defineEvent>[1]>(
  type: string,
  schema: T,
  options?: Parameters<typeof defineEvent>[2],
) {
  defined.push(type);
  return defineEvent(type, schema, options);
}

afterEach(() => {
  for (const t of defined.splice(0)) removeCustomEvent(t);
  configureValidation({ default: 'throw', unknown: 'throw' });
});

const Started = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    at: Type.String({ format: 'date-time' }),
    items: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
const ok = { job_id: '6c60df13-3845-4cc2-b03b-b433c389bec3', at: '2026-01-01T00:00:00.000+00:00', items: 3 };

describe('defineEvent', () => {
  it('returns a typed emitter that delivers valid events to the resolved sink', () => {
    const emitStarted = define('custom.processing_started', Started);
    expectTypeOf(emitStarted).parameter(0).toEqualTypeOf<{ job_id: string; at: string; items: number }>();
    const sink = new CollectingEventSink();
    withEventSink(sink, () => emitStarted(ok));
    expect(sink.events).toEqual([{ type: 'custom.processing_started', data: ok }]);
    expect(emitStarted.type).toBe('custom.processing_started');
  });

  it('validates through the same policy, with our uuid and date-time formats', () => {
    const emitStarted = define('custom.processing_started', Started);
    const sink = new CollectingEventSink();
    let error: unknown;
    try {
      emitStarted({ ...ok, job_id: 'not-a-uuid', at: '2024-02-30T00:00:00Z' }, { sink });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.instancePath)).toEqual(['/job_id', '/at']);
    expect((error as ValidationError).issues[0]).toMatchObject({
      keyword: 'StringFormat',
      eventType: 'custom.processing_started',
    });
    configureValidation({ default: 'throw', families: { custom: 'drop' } });
    emitStarted({ ...ok, items: -1 }, { sink });
    expect(sink.events).toHaveLength(0);
  });

  it('registers a descriptor that callers can look up, with the family from the type or the options', () => {
    define('custom.processing_started', Started);
    define('billing.charged', Type.Object({ cents: Type.Integer() }), { family: 'money', version: 2 });
    expect(findCustomEventDescriptor('custom.processing_started')).toMatchObject({
      family: 'custom',
      version: 1,
      schemaId: 'custom:custom.processing_started.v1',
      properties: ['job_id', 'at', 'items'],
      required: ['job_id', 'at', 'items'],
      open: false,
    });
    expect(findCustomEventDescriptor('billing.charged')).toMatchObject({ family: 'money', version: 2 });
    expect(findCustomEventDescriptor('billing.charged')?.validate({ cents: 1.5 })).toBe(false);
    expect(findCustomEventDescriptor('nobody.defined')).toBeUndefined();
  });

  it('refuses a type that is not dot.case or already defined', () => {
    define('custom.processing_started', Started);
    expect(() => defineEvent('custom.processing_started', Started)).toThrow(
      "defineEvent: event type 'custom.processing_started' is already defined",
    );
    expect(() => defineEvent('Custom Thing', Started)).toThrow(
      "defineEvent: event type 'Custom Thing' is not dot.case",
    );
  });
});
