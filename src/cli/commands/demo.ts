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
import type { CommandIo } from '../io.js';
import { PrometheusMetricsInterceptor } from '../../interceptors/index.js';
import {
  OtelSpanEventSink,
  registerSinkMetrics,
  servePrometheusMetrics,
  startOtlpTracing,
} from '../../observability/index.js';
import { writeReport } from './report.js';
import { maskTarget, storeSinkFromTarget } from '../../stores/index.js';

const USAGE = `usage: stageflow-events demo [--out <dir>] [--store sqlite:<path>] [--metrics-port <port>] [--otlp-endpoint <url>]

Runs a demo support-chat pipeline on embedded defaults (parallel stages, a guard that fails once and is retried,
a tool call with approval, a streaming stage, a subpipeline, wide events on, emit-time validation 'throw'),
records every event to <dir>/events.ndjson, replays the snapshot through validation, writes the HTML run report
<dir>/report.html (see 'stageflow-events report') and prints a summary.

options:
  --out <dir>   where to write events.ndjson and report.html, kept after the run (default: a temporary
                directory, removed when the demo ends)
  --store <t>   also deliver every event to a production store: sqlite:<path> (embedded), postgres://..., redis://...
  --metrics-port <port>   after the run, serve the Prometheus metrics (stage counters and durations, sink
                drop counters) at http://127.0.0.1:<port>/metrics until interrupted (0 picks a free port)
  --otlp-endpoint <url>   export the run's spans, with its events as span events, to an OTLP/HTTP traces
                endpoint (protobuf), e.g. http://localhost:4318/v1/traces
  -h, --help    show this help`;

function familyOf(type: string): string {
  return describeEventType(type)?.family ?? 'unknown';
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd());
}

function parseArgs(argv: readonly string[], io: CommandIo): DemoArgs | number {
  let out: string | undefined;
  let store: string | undefined;
  let metricsPort: number | undefined;
  let otlpEndpoint: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    }
    if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) {
        io.err("stageflow-events demo: '--out' needs a directory");
        return 2;
      }
      out = v;
    } else if (a?.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a === '--store') {
      const v = argv[++i];
      if (v === undefined || !/^(sqlite:.+|postgres(ql)?:\/\/.+|redis:\/\/.+)$/.test(v)) {
        io.err(
          `stageflow-events demo: '--store' expects sqlite:<path>, postgres://... or redis://..., got '${v === undefined ? '' : maskTarget(v)}'`,
        );
        return 2;
      }
      store = v;
    } else if (a === '--metrics-port') {
      const v = argv[++i];
      const n = Number(v);
      if (v === undefined || !/^\d+$/.test(v) || n > 65535) {
        io.err(`stageflow-events demo: '--metrics-port' expects a TCP port 0-65535, got '${v ?? ''}'`);
        return 2;
      }
      metricsPort = n;
    } else if (a === '--otlp-endpoint') {
      const v = argv[++i];
      if (v === undefined || !/^https?:\/\/.+/.test(v)) {
        io.err(`stageflow-events demo: '--otlp-endpoint' expects an http(s) URL, got '${v ?? ''}'`);
        return 2;
      }
      otlpEndpoint = v;
    } else {
      io.err(`stageflow-events demo: unknown argument '${String(a)}'\n${USAGE}`);
      return 2;
    }
  }
  return { out, store, metricsPort, otlpEndpoint };
}

/** The parsed options of `stageflow-events demo`. */
export interface DemoArgs {
  readonly out: string | undefined;
  readonly store: string | undefined;
  /** Serve the metrics on this port after the run, until SIGINT or SIGTERM. */
  readonly metricsPort?: number | undefined;
  /** Export spans and span events to this OTLP/HTTP traces endpoint. */
  readonly otlpEndpoint?: string | undefined;
}

/** `stageflow-events demo` (`npm start`): runs the demo pipeline, records and replays its events, prints a summary. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, io);
  if (typeof args === 'number') return args;
  return execute(args, io);
}

/** `stageflow-events demo` with already-parsed options; returns the exit code. Without `--out` it works in a temporary directory and removes it when it ends, whatever happens. */
export async function execute(args: DemoArgs, io: CommandIo): Promise<number> {
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
