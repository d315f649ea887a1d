import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { LoggingEventSink, NoOpEventSink } from '../../../src/sinks/index.js';
import type { EventSink } from '../../../src/sinks/index.js';

function capture(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof pino> } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'trace' }, stream) };
}

describe('NoOpEventSink', () => {
  it('satisfies the sink protocol and ignores its arguments', async () => {
    const sink: EventSink = new NoOpEventSink();
    await expect(sink.emit({ type: 'a.b', data: { x: 1 } })).resolves.toBeUndefined();
    expect(sink.tryEmit({ type: undefined as unknown as string })).toBeUndefined();
  });
});

describe('LoggingEventSink', () => {
  it('defaults to level info', () => {
    expect(new LoggingEventSink().level).toBe('info');
  });

  it('logs the type in the message and type and data as structured fields under the stageflow.events name', async () => {
    const { lines, logger } = capture();
    const sink = new LoggingEventSink({ logger });
    sink.tryEmit({ type: 'tool.completed', data: { tool: 'x' } });
    await sink.emit({ type: 'tool.failed' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      name: 'stageflow.events',
      msg: 'Event: tool.completed',
      event_type: 'tool.completed',
      event_data: { tool: 'x' },
    });
    expect(lines[1]).toMatchObject({ msg: 'Event: tool.failed', event_type: 'tool.failed' });
  });

  it('logs at the configured level', () => {
    const { lines, logger } = capture();
    const sink = new LoggingEventSink({ logger, level: 'debug' });
    expect(sink.level).toBe('debug');
    sink.tryEmit({ type: 'a.b' });
    expect(lines[0]?.level).toBe(20);
  });

  it("accepts a user's logger with pino-like level methods", () => {
    const warn = vi.fn();
    new LoggingEventSink({ logger: { warn }, level: 'warn' }).tryEmit({ type: 'a.b', data: 1 });
    expect(warn).toHaveBeenCalledWith({ event_type: 'a.b', event_data: 1 }, 'Event: a.b');
  });

  it('never throws when the logger does, and reports to onError', () => {
    const onError = vi.fn();
    const sink = new LoggingEventSink({
      logger: {
        info: () => {
          throw new Error('disk full');
        },
      },
      onError,
    });
    expect(() => sink.tryEmit({ type: 'a.b' })).not.toThrow();
    expect(onError).toHaveBeenCalledOnce();
  });

  it('refuses a logger without the configured level', () => {
    expect(() => new LoggingEventSink({ logger: { info: () => undefined }, level: 'trace' })).toThrow(
      /the logger has no 'trace' method/,
    );
  });
});
