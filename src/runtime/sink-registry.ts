import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventSink } from './types.js';

const NOOP: EventSink = Object.freeze({
  emit: () => Promise.resolve(),
  tryEmit: () => undefined,
});

let processSink: EventSink | undefined;
let scope: AsyncLocalStorage<EventSink> | undefined;

/** Sets the process default sink that every emitter uses outside a {@link withEventSink} scope. */
export function setEventSink(sink: EventSink | undefined): void {
  processSink = sink;
}

/** Clears the process default sink; emitters fall back to a no-op sink. */
export function clearEventSink(): void {
  processSink = undefined;
}

/**
 * The one resolution rule for every emitter in the project: the innermost {@link withEventSink} scope,
 * else the process default, else a shared no-op sink. It is read at emit time, synchronously.
 */
export function getEventSink(): EventSink {
  return scope?.getStore() ?? processSink ?? NOOP;
}

/**
 * Runs `fn` with `sink` as the sink of everything it emits, across awaits, without touching the process default.
 * The AsyncLocalStorage is created on first use, so a process that never scopes a sink pays nothing for it.
 */
export function withEventSink<R>(sink: EventSink, fn: () => R): R {
  scope ??= new AsyncLocalStorage<EventSink>();
  return scope.run(sink, fn);
}
