// `stageflow-events validate` on a large NDJSON file (1 GB by default; BENCH_VALIDATE_MB=<n> shrinks it), run as a child
// process like CI runs it, against a plain readline + JSON.parse + Ajv loop (runtime-compiled, ajv-formats) on the same file
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freeCores } from '../src/cli/check-pool.js';
import { nextLineStart } from '../src/io/range-lines.js';
import { machine, verdict } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');
const sample = new URL('../test/fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;
const targetMb = Number(process.env.BENCH_VALIDATE_MB ?? 1024);
const rounds = Number(process.env.BENCH_VALIDATE_ROUNDS ?? 3);

if (!existsSync(cli)) {
  console.error(`bench/validate: ${cli} is missing; run 'npm run build' first`);
  process.exit(1);
}

// the sample's first 188 lines are real reference events of 50-odd types; the rest are its x-record side channel
function realisticLines(): string[] {
  return readFileSync(sample, 'utf8')
    .split('\n')
    .slice(0, 188)
    .filter((l) => l.startsWith('{"type": "') && !l.startsWith('{"type": "x-record'));
}

function writeCorpus(path: string, bytes: number): number {
  const block = Buffer.from(`${realisticLines().join('\n')}\n`);
  const reps = Math.max(1, Math.ceil(bytes / block.length));
  const chunk = Buffer.concat(Array.from({ length: Math.min(reps, 256) }, () => block));
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    while (written < bytes) written += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return written;
}

const PEER = (schemasDir: string): string => `
import { readFileSync, readdirSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Ajv2020 } from ${JSON.stringify(pathToFileURL(join(root, 'node_modules/ajv/dist/2020.js')).href)};
import addFormatsModule from ${JSON.stringify(pathToFileURL(join(root, 'node_modules/ajv-formats/dist/index.js')).href)};
const addFormats = addFormatsModule.default ?? addFormatsModule;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
for (const k of ['x-event-type', 'x-event-type-pattern', 'x-event-type-template', 'x-family', 'x-version']) ajv.addKeyword(k);
const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]);
const schemas = walk(${JSON.stringify(schemasDir)}).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(f, 'utf8')));
for (const s of schemas) ajv.addSchema(s);
const exact = new Map(); const patterns = [];
for (const s of schemas) {
  if (s['x-event-type']) exact.set(s['x-event-type'], ajv.getSchema(s.$id));
  else if (s['x-event-type-pattern']) patterns.push([new RegExp(s['x-event-type-pattern']), ajv.getSchema(s.$id)]);
}
let total = 0, valid = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
  if (line === '') continue;
  total++;
  let e; try { e = JSON.parse(line); } catch { continue; }
  const v = exact.get(e.type) ?? patterns.find(([re]) => re.test(e.type))?.[1];
  if (v && v(e.data)) valid++;
}
process.stdout.write(JSON.stringify({ total, valid }) + '\\n');
`;

// the one-core floor: a stream that only splits lines and JSON.parses them (no validation, no report)
const FLOOR = `
import { createReadStream } from 'node:fs';
let total = 0, partial = null;
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 20 })) {
  let buf = partial === null ? chunk : Buffer.concat([partial, chunk]);
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
    if (nl > start) { JSON.parse(buf.toString('utf8', start, nl)); total++; }
    start = nl + 1;
  }
  partial = start < buf.length ? buf.subarray(start) : null;
}
if (partial !== null) { JSON.parse(partial.toString('utf8')); total++; }
process.stdout.write(JSON.stringify({ total }) + '\\n');
`;

// the machine's own scaling for this work: the same check of a share (no report, no merge) as one process on the whole
// file and as two processes on a half each, at once; what --jobs 2 can reach at best on this machine now
const SHARE = `
const { checkRange } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/src/cli/check-range.js')).href)});
const [path, start, end] = process.argv.slice(2);
const part = await checkRange(path, Number(start), end === 'end' ? undefined : Number(end), { maxLineBytes: 8 << 20 }, 10000);
process.stdout.write(String(part.total) + '\\n');
`;

function runShares(
  script: string,
  file: string,
  cuts: readonly (readonly [number, number | 'end'])[],
): Promise<number> {
  const t0 = performance.now();
  return Promise.all(
    cuts.map(
      ([start, end]) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn(process.execPath, [script, file, String(start), String(end)], { stdio: 'ignore' });
          c.on('error', reject);
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`share process exited with ${code}`))));
        }),
    ),
  ).then(() => (performance.now() - t0) / 1000);
}

interface Run {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

const hasTime = existsSync('/usr/bin/time');

// wall time and peak RSS of a child: /usr/bin/time -v when present, else VmHWM polled from /proc
function runChild(args: readonly string[]): Run {
  const t0 = performance.now();
  if (hasTime) {
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`child failed (${String(r.status)}): ${r.stderr.slice(-500)}`);
    return { seconds, peakRssMb: kb / 1024, stdout: r.stdout };
  }
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - t0) / 1000, peakRssMb: NaN, stdout: r.stdout };
}

function stats(values: readonly number[]): { median: number; min: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

const dir = mkdtempSync(join(tmpdir(), 'sfe-bench-validate-'));
try {
  const file = join(dir, 'events.ndjson');
  const peer = join(dir, 'peer.mjs');
  const bytes = writeCorpus(file, targetMb * 1024 * 1024);
  const mb = statSync(file).size / 1e6;
  writeFileSync(peer, PEER(join(root, 'schemas')));
  const floor = join(dir, 'floor.mjs');
  writeFileSync(floor, FLOOR);
  console.log(`machine: ${machine()}`);
  console.log(
    `corpus: ${(bytes / 1e6).toFixed(0)} MB of real reference events (${realisticLines().length} distinct lines repeated), ${rounds} rounds each, alternating`,
  );
  const FLOOR_NAME = 'split lines + JSON.parse, one core (floor)';
  const JOBS2 = 'stageflow-events validate --jobs 2 (CLI)';
  const cases = {
    'stageflow-events validate --jobs 1 (CLI)': [] as Run[],
    [JOBS2]: [] as Run[],
    [FLOOR_NAME]: [] as Run[],
    'readline + JSON.parse + Ajv (ajv-formats)': [] as Run[],
  };
  const ratios = {
    floor: [] as number[],
    floor2: [] as number[],
    jobs: [] as number[],
    machine: [] as number[],
    ofMachine: [] as number[],
  };
  const share = join(dir, 'share.mjs');
  writeFileSync(share, SHARE);
  const size = statSync(file).size;
  const mid = nextLineStart(file, Math.floor(size / 2), size);
  for (let r = 0; r < rounds; r++) {
    const one = runChild([cli, 'validate', '--jobs', '1', '--format', 'json', file]);
    const two = runChild([cli, 'validate', '--jobs', '2', '--format', 'json', file]);
    const fl = runChild([floor, file]);
    cases['stageflow-events validate --jobs 1 (CLI)'].push(one);
    cases[JOBS2].push(two);
    cases[FLOOR_NAME].push(fl);
    cases['readline + JSON.parse + Ajv (ajv-formats)'].push(runChild([peer, file]));
    ratios.floor.push(fl.seconds / one.seconds);
    ratios.floor2.push(fl.seconds / two.seconds);
    ratios.jobs.push(one.seconds / two.seconds);
    const whole = await runShares(share, file, [[0, 'end']]);
    const halves = await runShares(share, file, [
      [0, mid],
      [mid, 'end'],
    ]);
    ratios.machine.push(whole / halves);
    ratios.ofMachine.push(one.seconds / two.seconds / (whole / halves));
    if (two.stdout !== one.stdout) throw new Error('--jobs 2 wrote a different report than --jobs 1');
  }
  const cliReport = JSON.parse(cases['stageflow-events validate --jobs 1 (CLI)'][0]?.stdout ?? '{}') as {
    total?: number;
    valid?: number;
  };
  const peerReport = JSON.parse(cases['readline + JSON.parse + Ajv (ajv-formats)'][0]?.stdout ?? '{}') as {
    total?: number;
    valid?: number;
  };
  console.log(
    `payloads: CLI ${String(cliReport.total)} total / ${String(cliReport.valid)} valid; peer ${String(peerReport.total)} total / ${String(peerReport.valid)} valid`,
  );
  const peerMbs = stats(cases['readline + JSON.parse + Ajv (ajv-formats)'].map((x) => mb / x.seconds)).median;
  console.log('\n| case | MB/s median | MB/s range | peak RSS MB median (range) | vs readline + JSON.parse + Ajv |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, runs] of Object.entries(cases)) {
    const speed = stats(runs.map((x) => mb / x.seconds));
    const rss = stats(runs.map((x) => x.peakRssMb));
    console.log(
      `| ${name} | ${speed.median.toFixed(1)} | ${speed.min.toFixed(1)} – ${speed.max.toFixed(1)} | ${rss.median.toFixed(0)} (${rss.min.toFixed(0)} – ${rss.max.toFixed(0)}) | ${(speed.median / peerMbs).toFixed(2)}x |`,
    );
  }
  const c = stats(cases['stageflow-events validate --jobs 1 (CLI)'].map((x) => mb / x.seconds));
  const rss = stats(cases['stageflow-events validate --jobs 1 (CLI)'].map((x) => x.peakRssMb));
  console.log(
    `\ntargets: --jobs 1 >= 50 MB/s (median ${c.median.toFixed(1)}: ${c.median >= 50 ? 'met' : 'NOT met'}), peak RSS < 200 MB (max ${rss.max.toFixed(0)}: ${rss.max < 200 ? 'met' : 'NOT met'})`,
  );
  const free = await freeCores();
  const fr = stats(ratios.floor);
  const f2 = stats(ratios.floor2);
  const jr = stats(ratios.jobs);
  console.log('');
  // the default --jobs is the free cores for 16 MiB or more of plain files: --jobs 2 on a quiet 2-core machine
  verdict(
    `validate as run by default on 2 free cores (--jobs 2) / one-core JSON.parse floor (MB/s; ${free} free core(s) now, so the default here would be --jobs ${free})`,
    f2.median,
    `per-round range ${f2.min.toFixed(2)}–${f2.max.toFixed(2)}`,
    0.8,
  );
  verdict(
    'validate --jobs 1 (one thread) / one-core JSON.parse floor (MB/s)',
    fr.median,
    `per-round range ${fr.min.toFixed(2)}–${fr.max.toFixed(2)}`,
    0.8,
  );
  verdict(
    `validate --jobs 2 / --jobs 1 (MB/s; ${free} free core(s) at the end)`,
    jr.median,
    `per-round range ${jr.min.toFixed(2)}–${jr.max.toFixed(2)}`,
    1.5,
  );
  const ms = stats(ratios.machine);
  const om = stats(ratios.ofMachine);
  console.log(
    `this machine's own scaling for the same check: two processes on a half each / one process on the whole = ${ms.median.toFixed(2)}x (per-round range ${ms.min.toFixed(2)}–${ms.max.toFixed(2)}); --jobs 2's scaling is ${om.median.toFixed(2)} of it (${om.min.toFixed(2)}–${om.max.toFixed(2)})`,
  );
  console.log(
    'ajv-cli: not measured; it validates whole JSON documents (-d file.json) and cannot read NDJSON, so it would need the 1 GB file converted to per-line files or one array parsed whole',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
