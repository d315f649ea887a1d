import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChildTrackerMetricsInterceptor,
  MetricsInterceptor,
  PrometheusMetricsInterceptor,
  TracingInterceptor,
} from '../../interceptors/index.js';
import {
  ChildRunTracker,
  StageGraphBuilder,
  StageOutput,
  SubpipelineSpawner,
  errorSummaryToString,
} from '../../pipeline/index.js';
import type { PipelineRunResult, StageContext, StageGraph } from '../../pipeline/index.js';
import { describeEventType, describeSchema, replay } from '../../replay/index.js';
import { CollectingEventSink, CompositeEventSink, NdjsonFileEventSink } from '../../sinks/index.js';
import type { EventSink } from '../../sinks/index.js';
import { ChunkQueue } from '../../streaming/index.js';
import { ToolExecutor } from '../../tools/index.js';
import { configureValidation, getValidationOptions } from '../../runtime/validation-policy.js';
import type { CommandIo } from '../io.js';
import { maskTarget, storeSinkFromTarget } from '../../stores/index.js';

const USAGE = `usage: stageflow-events demo [--out <dir>] [--store sqlite:<path>]

Runs a demo support-chat pipeline on embedded defaults (parallel stages, a guard that fails once and is retried,
a tool call with approval, a streaming stage, a subpipeline, wide events on, emit-time validation 'throw'),
records every event to <dir>/events.ndjson, replays the snapshot through validation and prints a summary.

options:
  --out <dir>   where to write events.ndjson (default: a fresh temporary directory)
  --store <t>   also deliver every event to a production store: sqlite:<path> (embedded), postgres://..., redis://...
  -h, --help    show this help`;

function eventContext(ctx: StageContext) {
  const id = ctx.pipeline.identity;
  return {
    pipelineRunId: id.pipelineRunId,
    requestId: id.requestId,
    executionMode: id.executionMode,
    topology: id.topology,
    service: id.service,
  };
}

function summarizer(): StageGraph {
  return new StageGraphBuilder('conversation_summary')
    .stage('condense', async (ctx) => {
      await sleep(2);
      return StageOutput.ok({ summary: `refund issued (${String(ctx.pipeline.data.get('turns') ?? 1)} turn)` });
    })
    .stage('store_summary', () => StageOutput.ok({ stored: true }), { dependencies: ['condense'] })
    .build();
}

/** The demo pipeline: the stages and helpers a realistic support-chat run exercises. */
export function buildDemoPipeline(tools: ToolExecutor): StageGraph {
  let drafts = 0;
  return new StageGraphBuilder('support_chat')
    .stage('fetch_profile', async () => {
      await sleep(3);
      return StageOutput.ok({ tier: 'gold', locale: 'en-GB' });
    })
    .stage('fetch_memory', async () => {
      await sleep(2);
      return StageOutput.ok({ memories: 3 });
    })
    .stage(
      'draft_reply',
      async () => {
        drafts += 1;
        await sleep(1);
        return StageOutput.ok({
          draft:
            drafts === 1
              ? 'Your refund is guaranteed, no questions asked.'
              : 'We have started your refund; you will get an email shortly.',
        });
      },
      { dependencies: ['fetch_profile', 'fetch_memory'] },
    )
    .stage(
      'policy_guard',
      (ctx) => {
        const draft = String(ctx.inputs.draft_reply?.draft ?? '');
        return draft.includes('guaranteed')
          ? StageOutput.fail('draft promises a guaranteed outcome')
          : StageOutput.ok({ approved_draft: draft });
      },
      { dependencies: ['draft_reply'], guardRetry: { retryStage: 'draft_reply', maxAttempts: 3 } },
    )
    .stage(
      'issue_refund',
      async (ctx) => {
        const run = await tools.execute(
          'issue_refund',
          { order_id: 'A-1001', amount_cents: 2599 },
          { context: eventContext(ctx) },
        );
        return StageOutput.ok({ refund_action_id: run.actionId });
      },
      { dependencies: ['policy_guard'] },
    )
    .stage(
      'stream_reply',
      async (ctx) => {
        const queue = new ChunkQueue<string>({
          maxSize: 5,
          channel: 'reply',
          context: eventContext(ctx),
          sink: ctx.pipeline.sink,
          putTimeoutMs: 2000,
        });
        const words = String(ctx.inputs.policy_guard?.approved_draft ?? '').split(' ');
        const producer = (async () => {
          for (const w of words) await queue.put(w);
          queue.close();
        })();
        let chunks = 0;
        for await (const _ of queue) {
          chunks += 1;
          await sleep(1);
        }
        await producer;
        return StageOutput.ok({ chunks });
      },
      { dependencies: ['policy_guard'] },
    )
    .stage(
      'summarize',
      async (ctx) => {
        ctx.pipeline.data.set('turns', 1);
        const child = await ctx.spawnSubpipeline(summarizer());
        return child.success
          ? StageOutput.ok({ child_run_id: child.childRunId, ...child.data })
          : StageOutput.fail(child.error ?? 'summary failed');
      },
      { dependencies: ['issue_refund', 'stream_reply'] },
    )
    .build();
}

function familyOf(type: string): string {
  return describeEventType(type)?.family ?? 'unknown';
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd());
}

function parseArgs(
  argv: readonly string[],
  io: CommandIo,
): { out: string | undefined; store: string | undefined } | number {
  let out: string | undefined;
  let store: string | undefined;
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
    } else {
      io.err(`stageflow-events demo: unknown argument '${String(a)}'\n${USAGE}`);
      return 2;
    }
  }
  return { out, store };
}

/** `stageflow-events demo` (`npm start`): runs the demo pipeline, records and replays its events, prints a summary. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, io);
  if (typeof args === 'number') return args;
  const dir = args.out === undefined ? mkdtempSync(join(tmpdir(), 'stageflow-demo-')) : resolve(io.cwd, args.out);
  mkdirSync(dir, { recursive: true });
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
  const sink: EventSink = new CompositeEventSink(
    store === undefined ? [recorder, collected] : [recorder, collected, store],
  );
  const tools = new ToolExecutor({
    approvalTimeoutMs: 2000,
    requestApproval: async () => ({ approved: true, decidedBy: randomUUID() }),
  });
  tools.register({
    name: 'issue_refund',
    actionType: 'REFUND',
    allowedBehaviors: ['practice', 'live'],
    requiresApproval: true,
    approvalMessage: 'Refund 25.99 GBP on order A-1001?',
    handler: async (payload) => {
      await sleep(2);
      return { success: true, data: { refunded: payload.amount_cents }, undoMetadata: { order_id: payload.order_id } };
    },
    undo: () => undefined,
  });

  let result: PipelineRunResult;
  try {
    result = await buildDemoPipeline(tools).run({
      sink,
      requestId: randomUUID(),
      sessionId: randomUUID(),
      userId: randomUUID(),
      orgId: randomUUID(),
      topology: 'support_chat',
      executionMode: 'practice',
      service: 'demo',
      wideEvents: true,
      spawner: new SubpipelineSpawner({ tracker: new ChildRunTracker() }),
      interceptors: [
        new TracingInterceptor(),
        new MetricsInterceptor(),
        new PrometheusMetricsInterceptor(),
        new ChildTrackerMetricsInterceptor(),
      ],
    });
  } finally {
    await recorder.shutdown();
    await store?.shutdown();
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
  for (const name of buildDemoPipeline(tools).stages.keys()) {
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
  if (!clean) io.err('stageflow-events demo: the run or its snapshot is not clean (see above)');
  return clean ? 0 : 1;
}
