// `npm run bench -- --only codegen`: codegen's time and peak RSS on the shipped schemas, each run a fresh process the
// way `npm run codegen` runs it, in interleaved rounds against two peers measured in the same run:
//   before: the render phase as it was before the fast path (bench/peers/codegen-before-render.ts: ts-morph and
//           prettier), with today's load/resolve/model phases;
//   json-schema-to-typescript alone (with its prettier formatting) on the same dereferenced schemas.
// BENCH_CODEGEN_ROUNDS=<n> sets the rounds (default 5). The watch-mode latency is printed by this bench too.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_CODEGEN_ROUNDS ?? 5);

interface Sample {
  readonly wallMs: number;
  readonly inProcessMs: number;
  readonly maxRssMb: number;
  readonly cpuMs: number;
}

function runOnce(which: string, args: readonly string[] = []): Sample {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/codegen-run.ts'), which, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench/codegen: case '${which}' failed:\n${r.stderr}`);
  const line = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; maxRssMb: number; cpuMs: number };
  return { wallMs, inProcessMs: line.ms, maxRssMb: line.maxRssMb, cpuMs: line.cpuMs };
}

const med = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const range = (xs: readonly number[], f: (v: number) => string): string =>
  `${f(Math.min(...xs))} – ${f(Math.max(...xs))}`;
const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;
const mb = (v: number): string => `${v.toFixed(0)} MB`;

const scratch = mkdtempSync(join(tmpdir(), 'sfe-bench-codegen-'));
try {
  const out = join(scratch, 'generated');
  cpSync(join(root, 'generated'), out, { recursive: true });
  const cases = [
    { name: 'codegen --check (before)', which: 'before-check', args: [] as string[] },
    { name: 'codegen --check (now)', which: 'after-check', args: [] as string[] },
    { name: 'codegen write (now)', which: 'after-write', args: ['schemas', out] },
    { name: 'json-schema-to-typescript alone', which: 'json-schema-to-typescript', args: [] as string[] },
  ];
  const samples: Sample[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const c = cases[i] as (typeof cases)[number];
      (samples[i] as Sample[]).push(runOnce(c.which, c.args));
    }
  }
  const peer = samples[0] as Sample[];
  console.log(`\ncodegen on the shipped schemas: ${rounds} rounds, each case a fresh \`node --import tsx\` process`);
  console.log(
    '| case | wall (process) median | range | CPU (process) median | range | peak RSS median | range | vs before: wall, CPU (per-round ratios, median and range) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  cases.forEach((c, i) => {
    const s = samples[i] as Sample[];
    const wallRatios = s.map((x, r) => (peer[r] as Sample).wallMs / x.wallMs);
    const cpuRatios = s.map((x, r) => (peer[r] as Sample).cpuMs / x.cpuMs);
    const wall = s.map((x) => x.wallMs);
    const cpu = s.map((x) => x.cpuMs);
    const rss = s.map((x) => x.maxRssMb);
    const ratio = (xs: number[]): string => `${med(xs).toFixed(2)}x (${range(xs, (v) => v.toFixed(2))})`;
    console.log(
      `| ${c.name} | ${ms(med(wall))} | ${range(wall, ms)} | ${ms(med(cpu))} | ${range(cpu, ms)} | ${mb(med(rss))} | ${range(rss, mb)} | ${ratio(wallRatios)}, ${ratio(cpuRatios)} |`,
    );
  });
  // watch mode: one schema saved, the incremental regeneration it triggers (chokidar's own delay not included)
  const w = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/codegen-watch-run.ts'), String(rounds * 2)],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (w.status !== 0) throw new Error(`bench/codegen: watch case failed:\n${w.stderr}`);
  const lat = (JSON.parse(w.stdout.trim().split('\n').pop() ?? '{}') as { ms: number[] }).ms;
  const msFmt = (v: number): string => `${v.toFixed(0)} ms`;
  console.log(`\ncodegen --watch: one schema (tool.invoked.v1.json) saved, ${lat.length} saves`);
  console.log('| case | median | range | target |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| regenerate after one save | ${msFmt(med(lat))} | ${range(lat, msFmt)} | < 500 ms: ${med(lat) < 500 ? 'met' : 'NOT met'} |`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
