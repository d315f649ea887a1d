import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportBuilder, buildReportModel, percentile, readReportInput } from '../../../src/report/index.js';
import type { ReportModel } from '../../../src/report/index.js';
import type { PipelineRunResult } from '../../../src/pipeline/index.js';
import { EXPECTED_BARS, appendBadLines, recordReportRun } from '../../helpers/report-run.js';

describe('report model', () => {
  let dir: string;
  let model: ReportModel;
  let result: PipelineRunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-model-'));
    const path = join(dir, 'events.ndjson');
    result = await recordReportRun(path);
    appendBadLines(path);
    const b = new ReportBuilder();
    await readReportInput(path, b);
    model = b.build();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has one attempt per stage attempt with its status and kind, the child run nested under its spawning stage', () => {
    expect(result.status).toBe('failed');
    const root = model.runs.find((r) => r.runId === result.pipelineRunId);
    expect(root).toBeDefined();
    const child = model.runs.find((r) => r.parentRunId === root?.runId);
    expect(child?.pipelineName).toBe('child_summary');
    expect(child?.parentStage).toBe('act');
    expect(model.roots).toEqual([root?.runId]);
    const bars = [...(root?.attempts ?? []), ...(child?.attempts ?? [])].map(
      (a) => `${a.stage}#${a.attempt} ${a.status} ${a.kind}`,
    );
    expect(bars.sort()).toEqual([...EXPECTED_BARS].sort());
    const act = root?.attempts.find((a) => a.stage === 'act');
    expect(act?.children).toEqual([child?.runId]);
    expect(root?.attempts.find((a) => a.stage === 'fetch' && a.attempt === 1)?.retried).toBe(true);
    for (const a of root?.attempts ?? []) expect(a.end).toBeGreaterThanOrEqual(a.start);
  });

  it('marks tool calls, approvals and stream events on their stage and guard retries on the guard', () => {
    const root = model.runs.find((r) => r.runId === result.pipelineRunId);
    const on = (kind: string) => [...new Set(root?.markers.filter((m) => m.kind === kind).map((m) => m.stage))];
    expect(on('tool')).toEqual(['act']);
    expect(on('approval')).toEqual(['act']);
    expect(on('stream')).toEqual(['act']);
    expect(on('guard_retry')).toEqual(['guard']);
    expect(on('retry')).toEqual(['fetch']);
    const tool = root?.markers.find((m) => m.type === 'tool.invoked');
    expect(model.payloads[tool?.event ?? -1]).toMatchObject({ type: 'tool.invoked', data: { tool_name: 'refund' } });
  });

  it('gives the run outcome, error summary and correlation ids', () => {
    const root = model.runs.find((r) => r.runId === result.pipelineRunId);
    expect(root?.status).toBe('failed');
    expect(root?.error).toMatchObject({ stage: 'charge', message: 'card declined', retryable: false });
    expect(root?.correlation).toMatchObject({
      request_id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
      session_id: '6fa459ea-ee8a-4ca4-894e-db77e160355e',
    });
    expect(root?.traceId).toBeNull();
  });

  it('has stage duration percentiles from stage.wide, counts by family and the findings of the input', () => {
    expect(model.stageDurations.map((s) => s.stage).sort()).toEqual([
      'act',
      'charge',
      'draft',
      'fetch',
      'guard',
      'inner_a',
      'inner_b',
    ]);
    expect(model.stageDurations.find((s) => s.stage === 'guard')?.count).toBe(2);
    expect(model.families).toMatchObject({ pipeline: 4, guard_retry: expect.any(Number), tool: 4, approval: 2 });
    expect(model.findingsTotal).toBe(2);
    expect(model.findings.map((f) => f.type)).toEqual(['tool.invoked', null]);
    expect(model.findings[0]?.errors.join(' ')).toMatch(/must have required property/);
    expect(model.findings[1]?.errors.join(' ')).toMatch(/invalid JSON/);
    expect(model.totals).toMatchObject({ invalid: 1, corrupt: 1 });
  });

  it('computes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 90), percentile(v, 99), percentile([], 50)]).toEqual([50, 90, 99, 0]);
  });

  it('keeps at most maxPayloads payloads and counts the rest', () => {
    const m = buildReportModel(
      Array.from({ length: 10 }, (_, i) => ({
        type: `stage.s${i}.started`,
        data: { pipeline_run_id: 'r', stage: `s${i}`, timestamp: '2026-01-01T00:00:00Z' },
      })),
      { maxPayloads: 3 },
    );
    expect(m.payloads).toHaveLength(3);
    expect(m.totals.payloadsDropped).toBe(7);
    expect(m.runs[0]?.attempts).toHaveLength(10);
    expect(m.runs[0]?.attempts.every((a) => a.status === 'running')).toBe(true);
  });
});
