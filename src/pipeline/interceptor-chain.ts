import type { ErrorAction, Interceptor } from './interceptor.js';
import type { PipelineContext } from './pipeline-context.js';
import type { StageContext } from './stage-context.js';
import { StageOutput } from './stage-output.js';
import type { PipelineRunResult, StageRunResult } from './types.js';

function warnInterceptor(i: Interceptor, hook: string, e: unknown): void {
  process.emitWarning(
    `stageflow pipeline: interceptor '${i.name}' threw in ${hook}: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/**
 * Calls one around hook with a `next` that runs `inner` at most once. A hook that throws before calling `next` is
 * reported and skipped (`inner` still runs); one that throws after is reported and `inner`'s result is kept.
 */
async function around<R>(
  i: Interceptor,
  hook: string,
  inner: () => Promise<R>,
  call: (next: () => Promise<R>) => Promise<R>,
): Promise<R> {
  let started: Promise<R> | undefined;
  const next = (): Promise<R> => {
    started ??= inner();
    return started;
  };
  try {
    return await call(next);
  } catch (e) {
    if (started !== undefined) {
      const r = await started.then(
        (v) => ({ ok: true as const, v }),
        () => ({ ok: false as const }),
      );
      // the body's own failure is what the caller must see
      if (!r.ok) throw e;
      warnInterceptor(i, hook, e);
      return r.v;
    }
    warnInterceptor(i, hook, e);
    return next();
  }
}

/**
 * The interceptors of one run in the order {@link Interceptor} promises: `before` and `onPipelineStart` in ascending
 * priority, `after`, `onError` and `onPipelineEnd` in descending priority. A hook that throws is isolated and reported
 * through `process.emitWarning`.
 */
export class InterceptorChain {
  private readonly _ascending: Interceptor[];
  private readonly _descending: Interceptor[];
  private readonly _aroundRun: Interceptor[];
  private readonly _aroundStage: Interceptor[];
  /** Whether any interceptor has a `before` hook (a run without one skips the call and its await). */
  readonly hasBefore: boolean;
  /** Whether any interceptor has an `after` hook. */
  readonly hasAfter: boolean;

  constructor(list: readonly Interceptor[]) {
    this._ascending = [...list].sort((a, b) => a.priority - b.priority);
    this._descending = [...this._ascending].reverse();
    this._aroundRun = this._ascending.filter((i) => i.aroundRun !== undefined);
    this.hasBefore = this._ascending.some((i) => i.before !== undefined);
    this.hasAfter = this._ascending.some((i) => i.after !== undefined);
    this._aroundStage = this._ascending.filter((i) => i.aroundStage !== undefined);
  }

  /** Runs `body` inside every `aroundRun` hook, the lowest priority outermost; `body` directly when there is none. */
  aroundRun(ctx: PipelineContext, body: () => Promise<PipelineRunResult>): Promise<PipelineRunResult> {
    let next = body;
    for (let k = this._aroundRun.length - 1; k >= 0; k--) {
      const i = this._aroundRun[k] as Interceptor;
      const inner = next;
      next = () => around(i, 'aroundRun', inner, (n) => i.aroundRun?.(ctx, n) ?? n());
    }
    return next();
  }

  /** Runs `body` inside every `aroundStage` hook, the lowest priority outermost; `body` directly when there is none. */
  aroundStage(
    stage: string,
    ctx: PipelineContext,
    attempt: number,
    body: () => Promise<StageRunResult>,
  ): Promise<StageRunResult> {
    let next = body;
    for (let k = this._aroundStage.length - 1; k >= 0; k--) {
      const i = this._aroundStage[k] as Interceptor;
      const inner = next;
      next = () => around(i, 'aroundStage', inner, (n) => i.aroundStage?.(stage, ctx, attempt, n) ?? n());
    }
    return next();
  }

  /** Calls every `onPipelineStart`, before any stage. */
  pipelineStart(ctx: PipelineContext): void {
    for (const i of this._ascending) {
      try {
        i.onPipelineStart?.(ctx);
      } catch (e) {
        warnInterceptor(i, 'onPipelineStart', e);
      }
    }
  }

  /** Calls every `onPipelineEnd`, once every stage has settled. */
  pipelineEnd(ctx: PipelineContext, result: PipelineRunResult): void {
    for (const i of this._descending) {
      try {
        i.onPipelineEnd?.(ctx, result);
      } catch (e) {
        warnInterceptor(i, 'onPipelineEnd', e);
      }
    }
  }

  /** Runs the `before` hooks; the first {@link StageOutput} returned short-circuits the stage with it. */
  async before(name: string, ctx: StageContext): Promise<StageOutput | undefined> {
    for (const i of this._ascending) {
      if (i.before === undefined) continue;
      try {
        const r = await i.before(name, ctx);
        if (r instanceof StageOutput) return r;
      } catch (e) {
        warnInterceptor(i, 'before', e);
      }
    }
    return undefined;
  }

  /** Runs the `after` hooks with the stage's result. */
  async after(name: string, result: StageRunResult, ctx: StageContext): Promise<void> {
    for (const i of this._descending) {
      if (i.after === undefined) continue;
      try {
        await i.after(name, result, ctx);
      } catch (e) {
        warnInterceptor(i, 'after', e);
      }
    }
  }

  /** Asks the `onError` hooks in turn; `retry` as soon as one asks for it, else `fail`. */
  async onError(name: string, error: unknown, ctx: StageContext): Promise<ErrorAction> {
    for (const i of this._descending) {
      if (i.onError === undefined) continue;
      try {
        if ((await i.onError(name, error, ctx)) === 'retry') return 'retry';
      } catch (e) {
        warnInterceptor(i, 'onError', e);
      }
    }
    return 'fail';
  }
}
