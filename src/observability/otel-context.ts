import { AsyncLocalStorage } from 'node:async_hooks';
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

// the OpenTelemetry context of the innermost StageflowTracer span; kept here because OpenTelemetry's own context
// propagation needs a registered context manager, which a process may not have
const spanScope = new AsyncLocalStorage<Context>();

/** The OpenTelemetry context in effect: the innermost {@link runInOtelContext} scope, else OpenTelemetry's active context. */
export function activeOtelContext(): Context {
  return spanScope.getStore() ?? context.active();
}

/** Runs `fn` with `ctx` as the active OpenTelemetry context, both in our scope and in any registered context manager. */
export function runInOtelContext<R>(ctx: Context, fn: () => R): R {
  return spanScope.run(ctx, () => context.with(ctx, fn));
}
