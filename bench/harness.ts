// shared bench helpers: repeated rounds, medians and ranges, because this machine's speed swings about 2x
import os from 'node:os';

/** One measured case: events (or operations) per second over several rounds. */
export interface CaseResult {
  readonly name: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Runs `fn(n)` (which performs n operations) for `rounds` rounds of about `roundMs` each; returns ops/s stats. */
export function measure(name: string, fn: (n: number) => void, rounds = 7, roundMs = 300): CaseResult {
  let n = 1000;
  for (;;) {
    const t0 = performance.now();
    fn(n);
    const dt = performance.now() - t0;
    if (dt > 30) {
      n = Math.max(1, Math.round((n * roundMs) / dt));
      break;
    }
    n *= 4;
  }
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn(n);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    median: rates[Math.floor(rates.length / 2)] ?? 0,
    min: rates[0] ?? 0,
    max: rates[rates.length - 1] ?? 0,
  };
}

/** Formats ops/s as `1.23 M/s`. */
export function rate(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(1)} k/s`;
}

/** Prints a table of cases with median and range, plus each case's ratio against the named peer. */
export function printTable(title: string, results: readonly CaseResult[], peer: string): void {
  const base = results.find((r) => r.name === peer);
  console.log(`\n${title}`);
  console.log(`| case | median | range | vs ${peer} |`);
  console.log('| --- | --- | --- | --- |');
  for (const r of results) {
    const ratio = base ? `${(r.median / base.median).toFixed(2)}x` : '';
    console.log(`| ${r.name} | ${rate(r.median)} | ${rate(r.min)} – ${rate(r.max)} | ${ratio} |`);
  }
}

/** A case for {@link compare}: `fn(n)` performs n operations. */
export interface CompareCase {
  readonly name: string;
  readonly fn: (n: number) => void;
}

/** The result of {@link compare}: each case's rates plus its median ratio to the peer, taken round by round. */
export interface CompareResult extends CaseResult {
  /** Median over rounds of (this case's rate / the peer's rate in the same round). */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
}

function calibrate(fn: (n: number) => void, roundMs: number): number {
  let n = 1000;
  for (;;) {
    const t0 = performance.now();
    fn(n);
    const dt = performance.now() - t0;
    if (dt > 30) return Math.max(1, Math.round((n * roundMs) / dt));
    n *= 4;
  }
}

/**
 * Measures cases in interleaved rounds (every case once per round, in rotating order), so the machine's slow and
 * fast phases hit every case alike; ratios against `peer` are computed within each round, then their median taken.
 */
export function compare(cases: readonly CompareCase[], peer: string, rounds = 11, roundMs = 200): CompareResult[] {
  const sizes = cases.map((c) => calibrate(c.fn, roundMs));
  const rates: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const n = sizes[i] as number;
      const t0 = performance.now();
      (cases[i] as CompareCase).fn(n);
      (rates[i] as number[]).push(n / ((performance.now() - t0) / 1000));
    }
  }
  const p = cases.findIndex((c) => c.name === peer);
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return cases.map((c, i) => {
    const own = rates[i] as number[];
    const ratios = own.map((v, r) => v / ((rates[p] as number[])[r] ?? 1));
    const sorted = [...own].sort((a, b) => a - b);
    return {
      name: c.name,
      median: med(own),
      min: sorted[0] ?? 0,
      max: sorted[sorted.length - 1] ?? 0,
      ratio: med(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    };
  });
}

/** Prints {@link compare} results: median rate, range, and the per-round ratio to the peer (median and range). */
export function printComparison(title: string, results: readonly CompareResult[], peer: string): void {
  console.log(`\n${title}`);
  console.log(`| case | median | range | vs ${peer} (median of per-round ratios, range) |`);
  console.log('| --- | --- | --- | --- |');
  for (const r of results)
    console.log(
      `| ${r.name} | ${rate(r.median)} | ${rate(r.min)} – ${rate(r.max)} | ${r.ratio.toFixed(2)}x (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}) |`,
    );
}

/** The machine a figure was measured on: CPU model, core count, Node version and the load average right now. */
export function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} x${cpus.length}, Node ${process.version}, load ${load}`;
}

/** Prints one ratio against its peer with the machine beside it and whether it meets `target` (at least, or at most). */
export function verdict(what: string, ratio: number, range: string, target: number, atMost = false): boolean {
  const ok = atMost ? ratio <= target : ratio >= target;
  console.log(
    `${what} = ${ratio.toFixed(2)}x (${range}; target ${atMost ? '<=' : '>='} ${target}x): ${ok ? 'met' : 'NOT met'} [${machine()}]`,
  );
  return ok;
}
