// `--jobs <n>`: worker threads that each read and check whole shares of a file by offset (src/cli/check-range.ts) and
// send back only counts and findings; the main thread cuts the shares and merges the parts in file order
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RangePart } from './check-range.js';

/** What a worker needs to check lines exactly as the main thread would (plain data: functions do not cross threads). */
export interface CheckPoolOptions {
  readonly allowUnknown: boolean;
  /** `--schema`, resolved again in each worker. */
  readonly schema: string | undefined;
  readonly schemaVersion: 'record' | 'latest' | number;
  /** `--upcast`: each worker loads the upcasters and counts the steps it applied. */
  readonly upcast: boolean;
  readonly maxLineBytes: number;
  readonly maxFindings: number;
}

/** Checks shares of plain NDJSON files on worker threads. */
export interface RangePool {
  /** Checks bytes `[start, end)` of `path` (`end` undefined: to the end of the file). */
  check(path: string, start: number, end: number | undefined): Promise<RangePart>;
  /** Worker threads in the pool. */
  readonly size: number;
  close(): Promise<void>;
}

/** What the main thread sends a worker. */
export interface RangeRequest {
  readonly id: number;
  readonly path: string;
  readonly start: number;
  readonly end: number | undefined;
}

/** What a worker sends back: the part, or why it could not read or check the share. */
export interface RangeReply {
  readonly id: number;
  readonly part?: RangePart;
  readonly error?: string;
}

function idleAndTotal(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/**
 * The cores no other process is using right now (at least 1), from the idle time of every core over `sampleMs`: the
 * default of `--jobs` for large inputs. Not the load average, which still counts a job that ended a minute ago.
 */
export async function freeCores(sampleMs = 50): Promise<number> {
  const n = availableParallelism();
  const a = idleAndTotal();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const b = idleAndTotal();
  const span = b.total - a.total;
  // no tick counted (a coarse clock): fall back on the load average
  const free = span > 0 ? ((b.idle - a.idle) / span) * n : n - (loadavg()[0] ?? 0);
  return Math.max(1, Math.min(n, Math.round(free)));
}

/** Starts `jobs` worker threads (`jobs` >= 1); shares go to the worker with the fewest in flight. */
export function startCheckPool(jobs: number, options: CheckPoolOptions): RangePool {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./check-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
  // run from TypeScript source (node --import tsx): a worker does not inherit the --import hooks, so it registers tsx
  // itself before it loads the worker module
  const start = (): Worker =>
    fromSource
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
          { eval: true, workerData: options },
        )
      : new Worker(url, { workerData: options });
  const pending = new Map<number, { resolve: (r: RangePart) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const workers: { worker: Worker; busy: number }[] = [];
  for (let i = 0; i < jobs; i++) {
    const slot = { worker: start(), busy: 0 };
    slot.worker.on('message', (m: RangeReply) => {
      slot.busy--;
      const p = pending.get(m.id);
      if (p === undefined) return;
      pending.delete(m.id);
      if (m.part !== undefined) p.resolve(m.part);
      else p.reject(new Error(m.error ?? 'a check worker failed'));
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a check worker exited with code ${code}`));
    });
    workers.push(slot);
  }
  let seq = 0;
  let closed = false;
  return {
    size: jobs,
    check(path, start, end) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = seq++;
      let slot = workers[0] as (typeof workers)[number];
      for (const w of workers) if (w.busy < slot.busy) slot = w;
      slot.busy++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, path, start, end } satisfies RangeRequest);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
