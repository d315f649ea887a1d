import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  CORRELATION_KEYS,
  createRunIdentity,
  RESERVED_ENRICHMENT_KEYS,
  StageGraphBuilder,
  StageOutput,
  toCorrelationKeys,
} from '../../../src/pipeline/index.js';
import type { PipelineContext } from '../../../src/pipeline/index.js';
import { CollectingEventSink } from '../../../src/sinks/collecting-event-sink.js';
import { ChunkQueue } from '../../../src/streaming/index.js';
import { ToolExecutor } from '../../../src/tools/index.js';
import { repoRoot } from '../../helpers/schemas.js';

const REQ = '0b9d4e2c-7a61-4f3b-8c5d-2e1f0a9b8c7d';
const ORG = '6f1c2a9e-3b7d-4c1e-9a2f-0d5e8b7c6a41';

describe('run identity: the correlation keys are defined once, in schemas/common/correlation-keys.v1.json', () => {
  it('the generated key list is the schema, in order, with both spellings', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/common/correlation-keys.v1.json'), 'utf8'));
    expect(CORRELATION_KEYS.map((k) => k.snake)).toEqual(Object.keys(schema.properties));
    for (const k of CORRELATION_KEYS) expect(k.camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).toBe(k.snake);
    expect([...RESERVED_ENRICHMENT_KEYS].sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('stage lifecycle events carry every correlation key, in schema order, from the run identity', async () => {
    const sink = new CollectingEventSink();
    await new StageGraphBuilder('p')
      .stage('a', () => undefined)
      .build()
      .run({ sink, requestId: REQ, orgId: ORG, topology: 't', executionMode: 'm', service: 's' });
    for (const type of ['stage.a.started', 'stage.a.completed']) {
      const data = sink.events.find((e) => e.type === type)?.data as Record<string, unknown>;
      const keys = Object.keys(data).filter((k) => CORRELATION_KEYS.some((c) => c.snake === k));
      expect(keys, type).toEqual(CORRELATION_KEYS.map((c) => c.snake));
      expect(data).toMatchObject({ request_id: REQ, org_id: ORG, topology: 't', execution_mode: 'm', service: 's' });
    }
  });

  it('a root identity has a fresh run id, service pipeline and null keys; the conversion gives payload keys', () => {
    const id = createRunIdentity({ requestId: 'r-1' }, 'graph');
    expect(id).toMatchObject({ requestId: 'r-1', sessionId: null, service: 'pipeline', pipelineName: 'graph' });
    expect(id.parentRunId).toBeNull();
    expect(toCorrelationKeys(id)).toEqual({
      pipeline_run_id: id.pipelineRunId,
      request_id: 'r-1',
      session_id: null,
      user_id: null,
      org_id: null,
      topology: null,
      execution_mode: null,
      service: 'pipeline',
    });
  });

  it('a child identity inherits every key of its parent but the run id, unless the options set it', () => {
    const parent = createRunIdentity({ requestId: 'r', userId: 'u', service: 'svc' }, 'parent');
    const child = createRunIdentity({ userId: 'other' }, 'child', parent);
    expect(child).toMatchObject({ requestId: 'r', userId: 'other', service: 'svc', parentRunId: parent.pipelineRunId });
    expect(child.pipelineRunId).not.toBe(parent.pipelineRunId);
  });

  it('a child run given its parent context takes its keys, sink, depth and spawner from it', async () => {
    const sink = new CollectingEventSink();
    let parentCtx: PipelineContext | undefined;
    await new StageGraphBuilder('outer')
      .stage('a', (ctx) => {
        parentCtx = ctx.pipeline;
      })
      .build()
      .run({ sink, requestId: REQ, orgId: ORG, service: 'svc' });
    const child = await new StageGraphBuilder('inner')
      .stage('b', () => undefined)
      .build()
      .run({ parent: parentCtx as PipelineContext });
    expect(child.context.identity).toMatchObject({
      requestId: REQ,
      orgId: ORG,
      service: 'svc',
      parentRunId: parentCtx?.pipelineRunId,
      pipelineName: 'inner',
    });
    expect(child.context.depth).toBe(1);
    expect(child.context.spawner).toBe(parentCtx?.spawner);
    const started = sink.events.filter((e) => e.type === 'pipeline.started').map((e) => e.data);
    expect(started.at(-1)).toMatchObject({
      request_id: REQ,
      org_id: ORG,
      parent_run_id: parentCtx?.pipelineRunId,
    });
  });

  it('tools and streams accept a stage context directly', async () => {
    const sink = new CollectingEventSink();
    const tools = new ToolExecutor();
    tools.register({ name: 'lookup', handler: async () => ({ success: true }) });
    const result = await new StageGraphBuilder('p')
      .stage('act', async (ctx) => {
        await tools.execute('lookup', {}, { context: ctx });
        new ChunkQueue<string>({ maxSize: 2, context: ctx, sink: ctx.pipeline.sink }).close();
        return StageOutput.ok({});
      })
      .build()
      .run({ sink, requestId: REQ, executionMode: 'practice' });
    const tool = sink.events.find((e) => e.type === 'tool.invoked')?.data;
    expect(tool).toMatchObject({ pipeline_run_id: result.pipelineRunId, request_id: REQ, stage: 'act' });
    const stream = sink.events.find((e) => e.type === 'stream.queue_closed')?.data;
    expect(stream).toMatchObject({
      pipeline_run_id: result.pipelineRunId,
      request_id: REQ,
      execution_mode: 'practice',
      stage: 'act',
    });
    expect(stream).not.toHaveProperty('session_id');
  });
});
