// `npm run bench -- --only diff`: the schema diff beside json-schema-diff (npm), measured in the same run:
//   1. correctness on the labelled set of schema changes the tests use (test/evolution/labelled-changes.ts): per
//      direction, how many labelled verdicts each tool gets right, wrong, or leaves undecided;
//   2. time for the whole schema folder: every event type of the labelled shared-definition edit, old against new,
//      in-process, interleaved rounds; json-schema-diff is given each event schema with its $refs inlined (it reads
//      one schema per call) and says "removed" (our backward break) or "added" (our forward break);
//   3. `stageflow-events diff --against HEAD` as a fresh process on a scratch git repository holding the 54 schemas
//      with a shared definition edited (the budget: under 2 s).
// BENCH_DIFF_ROUNDS=<n> sets the rounds (default 7).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonSchemaDiff from 'json-schema-diff';
import { diffSchemaSets, inlineRefs, type SchemaSet } from '../src/evolution/index.js';
import { LABELLED_CHANGES, repoSchemas } from '../test/evolution/labelled-changes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_DIFF_ROUNDS ?? 7);
const med = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (v: number): string => `${v.toFixed(0)} ms`;
const range = (xs: readonly number[]): string => `${ms(Math.min(...xs))} – ${ms(Math.max(...xs))}`;

function eventFile(set: SchemaSet, type: string, change: string): string | undefined {
  const want = change === 'added' ? 2 : 1;
  for (const [file, json] of set) {
    const j = json as Record<string, unknown>;
    if ((j['x-event-type'] ?? j['x-event-type-template']) === type && (j['x-version'] ?? 1) === want) return file;
  }
  return undefined;
}

/** One event schema with its $refs inlined, as json-schema-diff reads it (`false` when the side lacks the type). */
function peerSchema(set: SchemaSet, file: string | undefined): unknown {
  if (file === undefined || !set.has(file)) return false;
  return JSON.parse(JSON.stringify(inlineRefs(set, file), (k, v) => (k === '$$from' ? undefined : v)));
}

async function peerVerdict(
  oldSet: SchemaSet,
  newSet: SchemaSet,
  oldFile: string | undefined,
  newFile: string | undefined,
): Promise<{ backward: boolean | 'error'; forward: boolean | 'error' }> {
  try {
    const r = await jsonSchemaDiff.diffSchemas({
      sourceSchema: peerSchema(oldSet, oldFile) as never,
      destinationSchema: peerSchema(newSet, newFile) as never,
    });
    return { backward: !r.removalsFound, forward: !r.additionsFound };
  } catch {
    return { backward: 'error', forward: 'error' };
  }
}

interface Tally {
  right: number;
  wrong: number;
  undecided: number;
  errors: number;
  wrongKinds: string[];
}
const tally = (): Tally => ({ right: 0, wrong: 0, undecided: 0, errors: 0, wrongKinds: [] });
function score(t: Tally, got: boolean | null | 'error', truth: boolean, kind: string): void {
  if (got === 'error') t.errors++;
  else if (got === null) t.undecided++;
  else if (got === truth) t.right++;
  else {
    t.wrong++;
    t.wrongKinds.push(kind);
  }
}

const base = repoSchemas();
const ours = { backward: tally(), forward: tally() };
const peer = { backward: tally(), forward: tally() };
let labels = 0;
for (const change of LABELLED_CHANGES) {
  const next = repoSchemas();
  change.edit(next);
  const report = diffSchemaSets(base, next, { mode: 'full' });
  for (const e of change.expect) {
    labels++;
    const t = report.types.find((x) => x.eventType === e.eventType && (e.change !== 'added' || x.change === 'added'));
    const oldFile = e.change === 'added' ? undefined : eventFile(base, e.eventType, 'changed');
    const newFile = e.change === 'removed' ? undefined : eventFile(next, e.eventType, e.change);
    const p = await peerVerdict(base, next, oldFile, newFile);
    for (const d of ['backward', 'forward'] as const) {
      score(ours[d], t === undefined ? true : t[d], e[d], change.kind);
      score(peer[d], p[d], e[d], change.kind);
    }
  }
}

console.log(
  `\nschema diff: ${LABELLED_CHANGES.length} labelled kinds of change, ${labels} labelled event types, 2 directions each`,
);
console.log(
  `(${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)})`,
);
console.log('| tool | direction | right | wrong | undecided (null) | failed |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, t] of [
  ['stageflow-events diff', ours],
  ['json-schema-diff 1.0.0', peer],
] as const)
  for (const d of ['backward', 'forward'] as const)
    console.log(`| ${name} | ${d} | ${t[d].right} | ${t[d].wrong} | ${t[d].undecided} | ${t[d].errors} |`);
for (const [name, t] of [
  ['stageflow-events diff', ours],
  ['json-schema-diff', peer],
] as const) {
  const wrong = [...new Set([...t.backward.wrongKinds, ...t.forward.wrongKinds])];
  if (wrong.length > 0) console.log(`${name} is wrong on: ${wrong.join('; ')}`);
}

// ---- time for the whole folder, in-process, interleaved --------------------------------------------------------
const shared = LABELLED_CHANGES.find((c) => c.kind.startsWith('edit a shared $defs'));
if (shared === undefined) throw new Error('bench/diff: no shared-definition change in the labelled set');
const edited = repoSchemas();
shared.edit(edited);
const events = [...base.keys()].filter((f) => !f.startsWith('common/'));
const timesOurs: number[] = [];
const timesPeer: number[] = [];
let listed = 0;
for (let r = 0; r < rounds; r++) {
  const runOurs = (): void => {
    const t0 = performance.now();
    listed = diffSchemaSets(base, edited, { mode: 'full' }).types.length;
    timesOurs.push(performance.now() - t0);
  };
  const runPeer = async (): Promise<void> => {
    const t0 = performance.now();
    for (const f of events) await peerVerdict(base, edited, f, f);
    timesPeer.push(performance.now() - t0);
  };
  if (r % 2 === 0) {
    runOurs();
    await runPeer();
  } else {
    await runPeer();
    runOurs();
  }
}
console.log(
  `\nwhole folder (${events.length} event schemas, '${shared.kind}' reaches ${listed}), in-process, ${rounds} interleaved rounds`,
);
console.log('| tool | median | range | vs json-schema-diff |');
console.log('| --- | --- | --- | --- |');
console.log(
  `| stageflow-events diff (with counterexamples checked by Ajv) | ${ms(med(timesOurs))} | ${range(timesOurs)} | ${(med(timesPeer) / med(timesOurs)).toFixed(2)}x faster |`,
);
console.log(`| json-schema-diff | ${ms(med(timesPeer))} | ${range(timesPeer)} | 1.00x |`);

// ---- the CLI against a git ref, fresh process ---------------------------------------------------------------------
const cli = join(root, 'dist/src/cli/main.js');
if (!existsSync(cli)) {
  console.log('\n(dist/ is missing: run `npm run build` for the --against timing)');
} else {
  const repo = mkdtempSync(join(os.tmpdir(), 'sfe-bench-diff-'));
  try {
    const git = (...args: string[]): void => {
      execFileSync('git', args, {
        cwd: repo,
        stdio: 'ignore',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'b',
          GIT_AUTHOR_EMAIL: 'b@e',
          GIT_COMMITTER_NAME: 'b',
          GIT_COMMITTER_EMAIL: 'b@e',
        },
      });
    };
    git('init', '-q', '-b', 'main');
    cpSync(join(root, 'schemas'), join(repo, 'schemas'), { recursive: true });
    git('add', '.');
    git('commit', '-qm', 'schemas');
    for (const [file, json] of edited)
      if (JSON.stringify(json) !== JSON.stringify(base.get(file)))
        writeFileSync(join(repo, 'schemas', file), JSON.stringify(json, null, 2));
    // wall time, and CPU time (user + system, git included) through /usr/bin/time when it exists: on this shared
    // 2-core machine the wall time mostly measures the queue for a core, so both are printed with the load average
    const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    const wall: number[] = [];
    const cpu: number[] = [];
    let code: number | null = null;
    for (let r = 0; r < rounds; r++) {
      const args = [cli, 'diff', '--against', 'main', '--mode', 'full', '--format', 'json'];
      const t0 = performance.now();
      const run =
        timeBin === undefined
          ? spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' })
          : spawnSync(timeBin, ['-f', 'cpu %U %S', process.execPath, ...args], { cwd: repo, encoding: 'utf8' });
      wall.push(performance.now() - t0);
      code = run.status;
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr ?? '');
      if (m) cpu.push((Number(m[1]) + Number(m[2])) * 1000);
    }
    console.log(
      `\n\`stageflow-events diff --against main --mode full\` on ${base.size} schemas (a shared definition edited, exit ${code}), fresh process, ${rounds} rounds, load ${os.loadavg()[0]?.toFixed(1)}`,
    );
    console.log('| measure | median | range | budget 2000 ms |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| wall time | ${ms(med(wall))} | ${range(wall)} | ${med(wall) < 2000 ? 'met' : 'not met'} |`);
    if (cpu.length > 0)
      console.log(
        `| CPU time (user + sys) | ${ms(med(cpu))} | ${range(cpu)} | ${med(cpu) < 2000 ? 'met' : 'not met'} |`,
      );
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
