// issue 14: how long `stageflow-events report` takes for a snapshot of 1 M events and how big the HTML file is,
// against replaying (reading and re-validating) the same snapshot as the named peer, in the same process
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../src/cli/commands/report.js';
import { replay } from '../src/replay/index.js';
import { machine } from './harness.js';

const EVENTS = Number(process.env.REPORT_BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.REPORT_BENCH_ROUNDS ?? 3);
const STAGES_PER_RUN = 333; // 1 + 3 x 333 = 1000 events a run: started, completed and stage.wide per stage
const dir = fileURLToPath(new URL('../.bench-tmp/report/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const snapshot = join(dir, 'events.ndjson');

function uuid(n: number): string {
  const h = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${h}`;
}

async function writeSnapshot(): Promise<number> {
  const out = createWriteStream(snapshot);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let written = 0;
  let run = 0;
  let chunk = '';
  const line = (type: string, data: Record<string, unknown>): void => {
    chunk += `${JSON.stringify({ type, data })}\n`;
    written++;
  };
  while (written < EVENTS) {
    const id = uuid(run);
    const base = t0 + run * 1000;
    line('pipeline.started', {
      pipeline_run_id: id,
      request_id: null,
      session_id: null,
      user_id: null,
      org_id: null,
      topology: null,
      execution_mode: null,
      service: 'bench',
      pipeline_name: 'bench',
      stages: [],
      timestamp: new Date(base).toISOString(),
    });
    for (let s = 0; s < STAGES_PER_RUN && written < EVENTS; s++) {
      const stage = `stage_${s}`;
      const at = new Date(base + s).toISOString();
      const end = new Date(base + s + 1).toISOString();
      const ids = { pipeline_run_id: id, request_id: null, session_id: null, user_id: null, org_id: null };
      line(`stage.${stage}.started`, { ...ids, stage, status: 'started', timestamp: at });
      line(`stage.${stage}.completed`, {
        ...ids,
        stage,
        status: 'completed',
        duration_ms: 1 + (s % 7),
        data_keys: [],
        timestamp: end,
      });
      line('stage.wide', {
        pipeline_run_id: id,
        stage,
        status: 'completed',
        started_at: at,
        ended_at: end,
        duration_ms: 1 + (s % 7),
        timestamp: end,
      });
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        chunk = '';
      }
    }
    run++;
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
  return run;
}

const runs = await writeSnapshot();
const snapshotBytes = statSync(snapshot).size;
console.log(machine());
console.log(
  `snapshot: ${EVENTS} events, ${runs} runs, ${(snapshotBytes / 1e6).toFixed(1)} MB (${ROUNDS} rounds each, medians and ranges)`,
);

function stats(ms: number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? 0, min: s[0] ?? 0, max: s[s.length - 1] ?? 0 };
}

const peer: number[] = [];
const report: number[] = [];
let bytes = 0;
let heapMb = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now();
  await replay(snapshot, { validate: true });
  peer.push(performance.now() - t0);
  t0 = performance.now();
  const w = await writeReport(snapshot, join(dir, 'report.html'));
  report.push(performance.now() - t0);
  bytes = w.bytes;
  heapMb = Math.max(heapMb, process.memoryUsage().heapUsed / 1e6);
}
const p = stats(peer);
const q = stats(report);
const fmt = (x: { median: number; min: number; max: number }) =>
  `${(x.median / 1000).toFixed(2)} s (range ${(x.min / 1000).toFixed(2)}-${(x.max / 1000).toFixed(2)})`;
console.log(`replay --validate of the snapshot (peer): ${fmt(p)}`);
console.log(`report of the snapshot:                 ${fmt(q)}  = ${(q.median / p.median).toFixed(2)}x the peer`);
console.log(`report file: ${(bytes / 1e6).toFixed(1)} MB (payload budget 50 000), heap after: ${heapMb.toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
