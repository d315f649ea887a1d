// shared bench helpers: repeated rounds, medians and ranges, because this machine's speed swings about 2x

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
  return { name, median: rates[Math.floor(rates.length / 2)] ?? 0, min: rates[0] ?? 0, max: rates[rates.length - 1] ?? 0 };
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
