// pipeline runtime bench (issue 5): a 4-stage diamond run through StageGraph (validated lifecycle events, optional wide
// events and interceptors) against the same stages awaited by hand with no events; medians and ranges of stages/s
import { NoOpEventSink } from '../src/sinks/index.js';
import { MetricsInterceptor, TracingInterceptor } from '../src/interceptors/index.js';
import { StageGraphBuilder, StageOutput } from '../src/pipeline/index.js';
import type { PipelineRunOptions } from '../src/pipeline/index.js';
import { configureValidation } from '../src/runtime/validation-policy.js';
import { printTable, type CaseResult } from './harness.js';

configureValidation({ default: 'throw', unknown: 'throw' });
const sink = new NoOpEventSink();
const work = async (): Promise<StageOutput> => StageOutput.ok({ value: 1 });
const graph = new StageGraphBuilder('bench')
  .stage('a', work)
  .stage('b', work, { dependencies: ['a'] })
  .stage('c', work, { dependencies: ['a'] })
  .stage('d', work, { dependencies: ['b', 'c'] })
  .build();
const STAGES = 4;
const RUNS = 400;
const ROUNDS = 9;

async function measureRuns(name: string, once: () => Promise<unknown>): Promise<CaseResult> {
  for (let i = 0; i < 50; i++) await once();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < RUNS; i++) await once();
    rates.push((RUNS * STAGES) / ((performance.now() - t0) / 1000));
  }
  rates.sort((x, y) => x - y);
  return {
    name,
    median: rates[Math.floor(rates.length / 2)] ?? 0,
    min: rates[0] ?? 0,
    max: rates[rates.length - 1] ?? 0,
  };
}

const bare = async (): Promise<void> => {
  await work();
  await Promise.all([work(), work()]);
  await work();
};
const run = (options: PipelineRunOptions) => () => graph.run({ sink, ...options });

const results = [
  await measureRuns('bare awaits, no events (peer)', bare),
  await measureRuns('StageGraph, validated lifecycle events', run({})),
  await measureRuns('StageGraph + wide events', run({ wideEvents: true })),
  await measureRuns(
    'StageGraph + wide + metrics/tracing interceptors (no OTel SDK)',
    run({ wideEvents: true, interceptors: [new MetricsInterceptor(), new TracingInterceptor()] }),
  ),
];
printTable('pipeline: stages per second (4-stage diamond, NoOpEventSink)', results, 'bare awaits, no events (peer)');
for (const r of results.slice(1)) console.log(`${r.name}: ${(1e6 / r.median).toFixed(1)} µs per stage (median)`);
