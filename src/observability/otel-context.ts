import { AsyncLocalStorage } from 'node:async_hooks';
import { ProxyTracerProvider, context, createContextKey, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
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

// the no-op provider a ProxyTracerProvider delegates to until an SDK registers one (a singleton in the API)
const NO_SDK = new ProxyTracerProvider().getDelegate();
const PROBE = createContextKey('stageflow.context-manager-probe');

/** Whether a context manager that propagates contexts is registered (the API's default no-op one does not). */
export function otelContextManagerActive(): boolean {
  return context.with(context.active().setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

/** Whether an OpenTelemetry SDK has registered a global tracer provider. */
export function otelSdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_SDK;
}

/**
 * Registers `@opentelemetry/context-async-hooks`' `AsyncLocalStorageContextManager` as the global OpenTelemetry
 * context manager when an SDK is present (or `sdkPresent` says so, as for an explicitly given tracer) and no context
 * manager is registered yet, so `trace.getActiveSpan()` works in stage code, tools and interceptors. Does nothing
 * without an SDK (the API's no-op context manager stays); an existing context manager is never replaced. Returns
 * whether a context manager that propagates contexts is now in place. Cheap enough to call once per run.
 */
export function ensureOtelContextManager(sdkPresent = false): boolean {
  if (otelContextManagerActive()) return true;
  if (!sdkPresent && !otelSdkRegistered()) return false;
  const manager = new AsyncLocalStorageContextManager().enable();
  // false: one is registered already (the SDK's own, or the user's); keep it
  if (!context.setGlobalContextManager(manager)) manager.disable();
  return otelContextManagerActive();
}
