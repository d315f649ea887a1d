// `--jobs <n>`: a pool of worker threads that run checkPayloadText on batches of lines; the main thread still reads,
// splits and numbers the lines and applies the results in input order, so the report is the one a single thread writes
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PayloadTextResult } from '../conformance/index.js';

/** What a worker needs to check lines exactly as the main thread would (no functions: they do not cross threads). */
export interface CheckPoolOptions {
  readonly allowUnknown: boolean;
  /** `--schema`, resolved again in each worker. */
  readonly schema: string | undefined;
}

/** Checks batches of line texts on worker threads; results come back per batch, in the batch's line order. */
export interface LineChecker {
  /** One result per text; `0` stands for a valid payload (counted, no findings). */
  check(texts: readonly string[]): Promise<readonly (PayloadTextResult | 0)[]>;
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly results?: readonly (PayloadTextResult | 0)[];
  readonly error?: string;
}

/** The cores no other process is using right now (at least 1): the default of `--jobs`. */
export function freeCores(): number {
  return Math.max(1, Math.min(availableParallelism(), Math.round(availableParallelism() - (loadavg()[0] ?? 0))));
}

/** Starts `jobs` worker threads (`jobs` >= 1) that check lines with `options`. */
export function startCheckPool(jobs: number, options: CheckPoolOptions): LineChecker {
  const url = new URL(`./check-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const workers: Worker[] = [];
  const pending = new Map<
    number,
    { resolve: (r: readonly (PayloadTextResult | 0)[]) => void; reject: (e: Error) => void }
  >();
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  for (let i = 0; i < jobs; i++) {
    const w = new Worker(url, { workerData: options });
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (p === undefined) return;
      pending.delete(m.id);
      if (m.results !== undefined) p.resolve(m.results);
      else p.reject(new Error(m.error ?? 'a check worker failed'));
    });
    w.on('error', fail);
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a check worker exited with code ${code}`));
    });
    workers.push(w);
  }
  let next = 0;
  let seq = 0;
  return {
    check(texts) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = seq++;
      const w = workers[next] as Worker;
      next = (next + 1) % workers.length;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // one string (lines hold no newline once split) clones as one copy, not one object per line
        w.postMessage({ id, text: texts.join('\n'), count: texts.length });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
