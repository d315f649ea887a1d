// issue 15: per-stage overhead of a StageGraph chain of 1, 10 and 100 stages with the default configuration
// (validated lifecycle events to the process sink) against the same chain written by hand as a loop that wraps each
// stage in a real OpenTelemetry SDK span (BasicTracerProvider + SimpleSpanProcessor); interleaved rounds, ratio of
// microseconds per stage (lower is better; target <= 2x). AsyncLocalStorage stays off in the default configuration;
// the last table switches it on (run({ sink }) with a sink other than the process default) and shows what it costs,
// including to the peer's own awaits, which is the cost to user code in the same process.
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NoOpEventSink } from '../src/sinks/index.js';
import { StageGraphBuilder, StageOutput } from '../src/pipeline/index.js';
import type { StageGraph } from '../src/pipeline/index.js';
import { configureValidation } from '../src/runtime/validation-policy.js';
import { setEventSink } from '../src/runtime/sink-registry.js';
import { machine, verdict } from './harness.js';

configureValidation({ default: 'throw', unknown: 'throw' });
const sink = new NoOpEventSink();
setEventSink(sink);

let exported = 0;
const exporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('bench');

const work = async (): Promise<StageOutput> => StageOutput.ok({ value: 1 });

function chain(n: number): StageGraph {
  const b = new StageGraphBuilder(`chain${n}`);
  for (let i = 0; i < n; i++) b.stage(`s${i}`, work, i === 0 ? {} : { dependencies: [`s${i - 1}`] });
  return b.build();
}

// the peer: the same chain by hand, one SDK span per run and per stage, each stage awaited in turn
function handWritten(n: number): () => Promise<void> {
  return async () => {
    const run = tracer.startSpan('pipeline');
    for (let i = 0; i < n; i++) {
      const span = tracer.startSpan(`s${i}`);
      const out = await work();
      span.setAttribute('outcome', out.outcome);
      span.end();
    }
    run.end();
  };
}

interface Case {
  readonly name: string;
  readonly once: () => Promise<unknown>;
}

// interleaved rounds: every case once per round; per-round ratio of µs/stage against the peer, then the median
async function compareAsync(cases: readonly Case[], stages: number, rounds: number, roundMs: number) {
  const sizes: number[] = [];
  for (const c of cases) {
    let n = 4;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await c.once();
      const dt = performance.now() - t0;
      if (dt > 20) {
        sizes.push(Math.max(2, Math.round((n * roundMs) / dt)));
        break;
      }
      n *= 4;
    }
  }
  const us: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const n = sizes[i] as number;
      const c = cases[i] as Case;
      const t0 = performance.now();
      for (let j = 0; j < n; j++) await c.once();
      (us[i] as number[]).push(((performance.now() - t0) * 1000) / (n * stages));
    }
  }
  const med = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return cases.map((c, i) => {
    const own = us[i] as number[];
    const ratios = own.map((v, r) => v / ((us[0] as number[])[r] ?? NaN));
    return {
      name: c.name,
      median: med(own),
      min: Math.min(...own),
      max: Math.max(...own),
      ratio: med(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    };
  });
}

type Row = Awaited<ReturnType<typeof compareAsync>>[number];
function print(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  console.log('| case | µs per stage, median | range | vs peer (median of per-round ratios, range) |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} – ${r.max.toFixed(2)} | ${r.ratio.toFixed(2)}x (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}) |`,
    );
}

console.log(`machine: ${machine()}`);
const PEER = 'hand-written loop, OTel SDK span per stage (peer)';
const lengths = [1, 10, 100];
const graphs = new Map(lengths.map((n) => [n, chain(n)]));
let allMet = true;
for (const n of lengths) {
  const graph = graphs.get(n) as StageGraph;
  const rows = await compareAsync(
    [
      { name: PEER, once: handWritten(n) },
      { name: 'StageGraph, default (validated lifecycle events)', once: () => graph.run() },
    ],
    n,
    31, // many short rounds: a neighbour's burst then hits both sides of a per-round ratio alike
    60,
  );
  print(`pipeline chain of ${n} stage${n === 1 ? '' : 's'}: µs per stage (31 interleaved rounds of about 60 ms)`, rows);
  const ours = rows[1] as Row;
  allMet =
    verdict(
      `chain of ${n}: StageGraph / hand-written OTel loop`,
      ours.ratio,
      `per-round range ${ours.ratioMin.toFixed(2)}–${ours.ratioMax.toFixed(2)}`,
      2,
      true,
    ) && allMet;
}
if (exported === 0) throw new Error('the peer exported no spans');

// last, because it cannot be undone in this process: a run whose sink differs from the process sink scopes it with
// AsyncLocalStorage, which on Node 20 makes every promise in the process dearer, the peer's included
const other = new NoOpEventSink();
const g10 = graphs.get(10) as StageGraph;
const before = await compareAsync([{ name: PEER, once: handWritten(10) }], 10, 9, 100);
const rows = await compareAsync(
  [
    { name: PEER, once: handWritten(10) },
    {
      name: 'StageGraph, run({ sink }) with another sink (AsyncLocalStorage on)',
      once: () => g10.run({ sink: other }),
    },
  ],
  10,
  15,
  100,
);
print(
  'chain of 10 with AsyncLocalStorage switched on (run({ sink }) with a sink other than the process default)',
  rows,
);
const peerBefore = (before[0] as Row).median;
const peerAfter = (rows[0] as Row).median;
console.log(
  `AsyncLocalStorage cost to user code: the peer's own loop went from ${peerBefore.toFixed(2)} to ${peerAfter.toFixed(2)} µs per stage (${(peerAfter / peerBefore).toFixed(2)}x) once a scoped run had happened [${machine()}]`,
);
console.log(
  `\npipeline overhead <= 2x the hand-written OTel loop for 1, 10 and 100 stages: ${allMet ? 'met' : 'NOT met'}`,
);
