import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runDemoPipeline } from '../../../examples/demo-pipeline/demo-pipeline.js';
import { errorSummaryToString } from '../../pipeline/index.js';
import type { PipelineRunResult, StageGraph } from '../../pipeline/index.js';
import { describeEventType, describeSchema, replay } from '../../replay/index.js';
import { CollectingEventSink, CompositeEventSink, NdjsonFileEventSink } from '../../sinks/index.js';
import type { EventSink } from '../../sinks/index.js';
import { configureValidation, getValidationOptions } from '../../runtime/validation-policy.js';
import { type CommandIo, UsageError } from '../io.js';
import { main } from '../cli.js';
import { PrometheusMetricsInterceptor } from '../../interceptors/index.js';
import {
  OtelSpanEventSink,
  registerSinkMetrics,
  servePrometheusMetrics,
  startOtlpTracing,
} from '../../observability/index.js';
import { writeReport } from './report.js';
import { maskTarget, storeSinkFromTarget } from '../../stores/index.js';

function familyOf(type: string): string {
  return describeEventType(type)?.family ?? 'unknown';
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd());
}

/** The parsed options of `stageflow-events demo`. */
export interface DemoArgs {
  readonly out?: string | undefined;
  readonly store?: string | undefined;
  /** Serve the metrics on this port after the run, until SIGINT or SIGTERM. */
  readonly metricsPort?: number | undefined;
  /** Export spans and span events to this OTLP/HTTP traces endpoint. */
  readonly otlpEndpoint?: string | undefined;
}

/** `stageflow-events demo` with already-parsed options; returns the exit code. Without `--out` it works in a temporary directory and removes it when it ends, whatever happens. */
export async function execute(args: DemoArgs, io: CommandIo): Promise<number> {
  if (args.store !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+|redis:\/\/.+)$/.test(args.store))
    throw new UsageError(
      `--store: expected sqlite:<path>, postgres://... or redis://..., got '${maskTarget(args.store)}'`,
    );
  if (args.otlpEndpoint !== undefined && !/^https?:\/\/.+/.test(args.otlpEndpoint))
    throw new UsageError(`--otlp-endpoint: expected an http(s) URL, got '${args.otlpEndpoint}'`);
  if (args.out !== undefined) {
    const dir = resolve(io.cwd, args.out);
    mkdirSync(dir, { recursive: true });
    return runIn(dir, false, args, io);
  }
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-demo-'));
  try {
    return await runIn(dir, true, args, io);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runIn(dir: string, temporary: boolean, args: DemoArgs, io: CommandIo): Promise<number> {
  const path = join(dir, 'events.ndjson');

  const previous = getValidationOptions();
  configureValidation({ default: 'throw', unknown: 'throw' });
  const recorder = new NdjsonFileEventSink({
    path,
    describe: describeSchema,
  });
  const collected = new CollectingEventSink();
  const store =
    args.store === undefined
      ? undefined
      : storeSinkFromTarget(
          args.store.startsWith('sqlite:')
            ? `sqlite:${resolve(io.cwd, args.store.slice('sqlite:'.length))}`
            : args.store,
        );
  const tracing = args.otlpEndpoint === undefined ? undefined : await startOtlpTracing({ endpoint: args.otlpEndpoint });
  const spanEvents = tracing === undefined ? undefined : new OtelSpanEventSink();
  const sink: EventSink = new CompositeEventSink([
    recorder,
    collected,
    ...(store === undefined ? [] : [store]),
    ...(spanEvents === undefined ? [] : [spanEvents]),
  ]);
  const prometheus = new PrometheusMetricsInterceptor();
  registerSinkMetrics(prometheus.registry, store === undefined ? { recorder } : { recorder, store });
  let result: PipelineRunResult;
  let graph: StageGraph;
  try {
    ({ result, graph } = await runDemoPipeline(sink, { prometheus }));
  } finally {
    await recorder.shutdown();
    await store?.shutdown();
    await tracing?.shutdown();
    configureValidation(previous);
  }
  const summary = await replay(path, { validate: true });

  io.out(
    `stageflow-events demo: pipeline 'support_chat' ${result.status} in ${result.durationMs} ms (run ${result.pipelineRunId})`,
  );
  if (result.errorSummary !== undefined) io.out(`  error: ${errorSummaryToString(result.errorSummary)}`);
  io.out('');
  io.out('stages:');
  const attempts = new Map<string, number>();
  for (const e of collected.ofType('stage.*.started')) {
    const stage = (e.data as { stage: string }).stage;
    attempts.set(stage, (attempts.get(stage) ?? 0) + 1);
  }
  const rows: string[][] = [['stage', 'status', 'duration', 'runs']];
  for (const name of graph.stages.keys()) {
    const r = result.stages.get(name);
    rows.push([
      name,
      r?.status ?? 'not run',
      r === undefined ? '-' : `${r.durationMs} ms`,
      String(attempts.get(name) ?? 0),
    ]);
  }
  for (const line of table(rows)) io.out(line);
  io.out('');
  io.out('events by family:');
  const families = new Map<string, number>();
  for (const e of collected.events) {
    const family = familyOf(e.type);
    families.set(family, (families.get(family) ?? 0) + 1);
  }
  for (const line of table([
    ['family', 'events'],
    ...[...families.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([f, n]) => [f, String(n)]),
  ]))
    io.out(line);
  io.out(`  ${'total'.padEnd(Math.max(6, ...[...families.keys()].map((f) => f.length)))}  ${collected.events.length}`);
  io.out('');
  io.out(`snapshot: ${path}`);
  const report = await writeReport(path, join(dir, 'report.html'), { title: "stageflow demo run: 'support_chat'" });
  io.out(`report: ${report.path}`);
  if (temporary) io.out('(both are in a temporary directory removed when the demo ends; --out <dir> keeps them)');
  if (store !== undefined && args.store !== undefined) {
    const m = store.metrics;
    io.out(
      `store: ${maskTarget(args.store)}: delivered ${m.delivered}, dead-lettered ${m.deadLettered}, dropped ${m.dropped}`,
    );
  }
  io.out(
    `replay: ${summary.read} lines read, ${summary.replayed} valid, ${summary.invalid} invalid, ${summary.corrupt} corrupt`,
  );
  const undelivered = store !== undefined && store.metrics.deadLettered + store.metrics.dropped > 0;
  const clean =
    !undelivered &&
    result.status === 'completed' &&
    summary.invalid === 0 &&
    summary.corrupt === 0 &&
    summary.read === collected.events.length;
  if (tracing !== undefined)
    io.out(`traces: ${spanEvents?.attached ?? 0} events as span events, sent to ${args.otlpEndpoint}`);
  if (!clean) io.err('stageflow-events demo: the run or its snapshot is not clean (see above)');
  if (args.metricsPort !== undefined) {
    const server = await servePrometheusMetrics(prometheus.registry, { port: args.metricsPort });
    io.out(`metrics: ${server.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  }
  return clean ? 0 : 1;
}

/** Parses `argv` as `stageflow-events demo` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['demo', ...argv], io);
}
