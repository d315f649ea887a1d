import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracingInterceptor } from '../../../src/interceptors/index.js';
import { OtelSpanEventSink, startOtlpTracing } from '../../../src/observability/index.js';
import { StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import type { PipelineRunResult } from '../../../src/pipeline/index.js';
import { CollectingEventSink, CompositeEventSink } from '../../../src/sinks/index.js';
import { ToolExecutor } from '../../../src/tools/index.js';

// the protobuf messages of the official transformer package: decodes what the official OTLP/HTTP exporter sent
const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: {
              decode(b: Uint8Array): unknown;
              toObject(m: unknown, o: Record<string, unknown>): ExportRequest;
            };
          };
        };
      };
    };
  };
};
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number; boolValue?: boolean; doubleValue?: number };
}
interface ExportRequest {
  resourceSpans?: {
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: KeyValue[];
        events?: { name: string; attributes?: KeyValue[] }[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}
interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

function attrs(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? [])
    out[kv.key] = kv.value.stringValue ?? kv.value.intValue ?? kv.value.boolValue ?? kv.value.doubleValue;
  return out;
}

describe('OTLP/HTTP export end to end', () => {
  let server: Server;
  const contentTypes: string[] = [];
  const spans: DecodedSpan[] = [];
  let result: PipelineRunResult;
  let recorded: CollectingEventSink;
  let spanSink: OtelSpanEventSink;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        contentTypes.push(String(req.headers['content-type']));
        const msg = Request.toObject(Request.decode(Buffer.concat(chunks)), { longs: Number, bytes: String });
        for (const rs of msg.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                traceId: Buffer.from(s.traceId, 'base64').toString('hex'),
                spanId: Buffer.from(s.spanId, 'base64').toString('hex'),
                parentSpanId: Buffer.from(s.parentSpanId ?? '', 'base64').toString('hex'),
                name: s.name,
                attributes: attrs(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
              });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;

    trace.disable();
    context.disable();
    const tracing = await startOtlpTracing({ endpoint: `http://127.0.0.1:${port}/v1/traces` });
    const tools = new ToolExecutor();
    tools.register({ name: 'lookup', handler: async () => ({ success: true }) });
    const child = new StageGraphBuilder('child').stage('inner', () => StageOutput.ok({ x: 1 })).build();
    const graph = new StageGraphBuilder('traced')
      .stage('work', async (ctx) => {
        await tools.execute('lookup', {}, { context: ctx.eventContext() });
        return StageOutput.ok({});
      })
      .stage(
        'spawn',
        async (ctx) => {
          const r = await ctx.spawnSubpipeline(child);
          return r.success ? StageOutput.ok({}) : StageOutput.fail('child failed');
        },
        { dependencies: ['work'] },
      )
      .build();
    recorded = new CollectingEventSink();
    spanSink = new OtelSpanEventSink();
    result = await graph.run({
      sink: new CompositeEventSink([recorded, spanSink]),
      interceptors: [new TracingInterceptor()],
    });
    await tracing.shutdown();
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await new Promise((r) => server.close(r));
  });

  it('sends protobuf that the official transformer decodes into the run’s span tree', () => {
    expect(result.status).toBe('completed');
    expect(contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
    const by = (name: string) => spans.find((s) => s.name === name);
    const run = by('pipeline traced');
    const work = by('stage work');
    const spawn = by('stage spawn');
    const childRun = by('pipeline child');
    const inner = by('stage inner');
    expect(run?.parentSpanId).toBe('');
    expect(work?.parentSpanId).toBe(run?.spanId);
    expect(spawn?.parentSpanId).toBe(run?.spanId);
    expect(childRun?.parentSpanId).toBe(spawn?.spanId);
    expect(inner?.parentSpanId).toBe(childRun?.spanId);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([run?.traceId]));
    expect(run?.attributes).toMatchObject({
      'stageflow.pipeline_run_id': result.pipelineRunId,
      'stageflow.pipeline_name': 'traced',
      'stageflow.pipeline.status': 'completed',
    });
    expect(work?.attributes).toMatchObject({ 'stageflow.stage': 'work', 'stageflow.stage.status': 'completed' });
    expect(childRun?.attributes['stageflow.parent_run_id']).toBe(result.pipelineRunId);
  });

  it('carries every recorded event as a span event on its run’s span or its stage’s span', () => {
    expect(spanSink.unattached).toBe(0);
    expect(spanSink.attached).toBe(recorded.events.length);
    const events = spans.flatMap((s) => s.events.map((e) => ({ span: s, ...e })));
    expect(events.map((e) => e.name).sort()).toEqual(recorded.events.map((e) => e.type).sort());
    for (const e of recorded.events) {
      const d = e.data as { pipeline_run_id?: string; stage?: string; trace_id?: string };
      const on = events.find(
        (x) =>
          x.name === e.type &&
          (d.pipeline_run_id === undefined || x.attributes['stageflow.pipeline_run_id'] === d.pipeline_run_id),
      );
      expect(on, e.type).toBeDefined();
      if (d.pipeline_run_id !== undefined)
        expect(on?.span.attributes['stageflow.pipeline_run_id']).toBe(d.pipeline_run_id);
      if (/^(tool|stage\.work)\./.test(e.type)) expect(on?.span.name).toBe('stage work');
      if (e.type === 'pipeline.started') expect(d.trace_id).toBe(on?.span.traceId);
    }
  });
});
