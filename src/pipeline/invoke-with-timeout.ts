import { StageTimeoutError, asError } from './errors.js';
import type { StageContext } from './stage-context.js';
import { StageOutput } from './stage-output.js';
import type { StageSpec } from './types.js';

function noop(): void {}

// after a timeout or cancellation, wait up to the grace period for the runner to settle
async function settle(running: Promise<unknown>, cancelGraceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, cancelGraceMs);
  });
  await Promise.race([running.then(noop, noop), grace]);
  clearTimeout(timer);
}

/**
 * Runs one try of a stage's runner, racing it against the stage's `timeoutMs` (which aborts `controller` with a
 * {@link StageTimeoutError}) and against `controller`'s abort. Resolves with the runner's {@link StageOutput}, if it
 * returned one; rejects with the runner's error, the timeout or the abort reason.
 */
export async function invokeWithTimeout(
  spec: StageSpec,
  ctx: StageContext,
  controller: AbortController,
  cancelGraceMs: number,
): Promise<StageOutput | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
      const ms = spec.timeoutMs;
      timer = setTimeout(() => {
        const e = new StageTimeoutError(spec.name, ms);
        controller.abort(e);
        reject(e);
      }, ms);
    }
    onAbort = (): void => reject(asError(controller.signal.reason));
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = Promise.resolve().then(() => spec.runner(ctx));
  try {
    const out = await Promise.race([running, guard]);
    return out instanceof StageOutput ? out : undefined;
  } catch (e) {
    // let a runner that honours its signal (a child run, say) finish reporting before the stage is recorded as ended
    if (controller.signal.aborted) await settle(running, cancelGraceMs);
    throw e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
    guard.catch(() => undefined);
  }
}

/**
 * Runs one try of a stage that has no timeout: races the runner against `runAborted` (the run's one shared promise that
 * rejects when the run is cancelled), so no AbortController, guard promise or listener is made per stage. Settles like
 * {@link invokeWithTimeout}: on cancellation it waits up to the grace period for the runner before rejecting.
 */
export async function invokeUntilAborted(
  spec: StageSpec,
  ctx: StageContext,
  runAborted: Promise<never>,
  cancelGraceMs: number,
): Promise<StageOutput | undefined> {
  const running = Promise.resolve().then(() => spec.runner(ctx));
  try {
    const out = await Promise.race([running, runAborted]);
    return out instanceof StageOutput ? out : undefined;
  } catch (e) {
    if (ctx.signal.aborted) await settle(running, cancelGraceMs);
    throw e;
  }
}
