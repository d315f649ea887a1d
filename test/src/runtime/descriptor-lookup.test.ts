import { describe, expect, it } from 'vitest';
import {
  createDescriptorLookup,
  DispatchingSinkBase,
  type EventDescriptor,
  type EventEnvelope,
} from '../../../src/runtime/index.js';

const descriptor = (type: string, pattern?: string): EventDescriptor =>
  ({
    type,
    pattern,
    schemaId: type,
    version: 1,
    family: 'x',
    keys: [],
    validate: () => true,
  }) as unknown as EventDescriptor;

describe('createDescriptorLookup', () => {
  it('prefers an exact type, then the first matching pattern, and answers a miss with undefined', () => {
    const exact = descriptor('stage.started');
    const pattern = descriptor('stage.{name}.started', '^stage\\.[^.]+\\.started$');
    const find = createDescriptorLookup([pattern, exact]);
    expect(find('stage.started')).toBe(exact);
    expect(find('stage.fetch.started')).toBe(pattern);
    expect(find('stage.fetch.started')).toBe(pattern);
    expect(find('nope')).toBeUndefined();
  });

  it('keeps answering correctly after its memo of pattern lookups is cleared at the limit', () => {
    const pattern = descriptor('stage.{name}.started', '^stage\\.[^.]+\\.started$');
    const find = createDescriptorLookup([pattern], 2);
    for (const name of ['a', 'b', 'c', 'd', 'a']) expect(find(`stage.${name}.started`)).toBe(pattern);
    expect(find('other')).toBeUndefined();
  });
});

describe('DispatchingSinkBase', () => {
  class Sink extends DispatchingSinkBase {
    readonly errors: unknown[] = [];
    constructor(private readonly handler: (e: EventEnvelope) => void | Promise<void>) {
      super();
    }
    protected dispatch(event: EventEnvelope): void | Promise<void> {
      return this.handler(event);
    }
    protected override onHandlerError(error: unknown): void {
      this.errors.push(error);
    }
  }
  const event = { type: 't', data: {} };

  it('tryEmit never throws: sync and async handler failures go to onHandlerError', async () => {
    const sync = new Sink(() => {
      throw new Error('sync');
    });
    expect(() => sync.tryEmit(event)).not.toThrow();
    expect(sync.errors).toEqual([new Error('sync')]);
    const async = new Sink(() => Promise.reject(new Error('async')));
    async.tryEmit(event);
    await Promise.resolve();
    await Promise.resolve();
    expect(async.errors).toEqual([new Error('async')]);
  });

  it('emit rejects with what the handler threw', async () => {
    await expect(
      new Sink(() => {
        throw new Error('boom');
      }).emit(event),
    ).rejects.toThrow('boom');
    await expect(new Sink(() => undefined).emit(event)).resolves.toBeUndefined();
  });
});
