import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEventDescriptor } from '../../generated/index.js';
import { runCli } from '../helpers/cli.js';
import type { CliResult } from '../helpers/cli.js';

interface Line {
  readonly seq: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

describe('stageflow-events demo', () => {
  let dir: string;
  let result: CliResult;
  let lines: Line[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
    result = await runCli(['demo', '--out', join(dir, 'out')]);
    const path = join(dir, 'out', 'events.ndjson');
    lines = existsSync(path)
      ? readFileSync(path, 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as Line)
      : [];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints the stage table, the event counts per family and the snapshot path', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pipeline 'support_chat' completed in \d+ ms/);
    for (const stage of [
      'fetch_profile',
      'fetch_memory',
      'draft_reply',
      'policy_guard',
      'issue_refund',
      'stream_reply',
      'summarize',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`\\n  ${stage}\\s+completed\\s+\\d+ ms`));
    }
    expect(result.stdout).toMatch(/\n {2}policy_guard\s+completed\s+\d+ ms\s+2\n/);
    for (const family of [
      'approval',
      'guard_retry',
      'metrics',
      'pipeline',
      'stage',
      'stream',
      'subpipeline',
      'tool',
      'wide',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`\\n  ${family}\\s+\\d+\\n`));
    }
    expect(result.stdout).toContain(`snapshot: ${join(dir, 'out', 'events.ndjson')}`);
    expect(result.stdout).toContain(`report: ${join(dir, 'out', 'report.html')}`);
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('support_chat');
    expect(result.stdout).toMatch(/replay: (\d+) lines read, \1 valid, 0 invalid, 0 corrupt/);
  });

  it('writes a snapshot whose every line validates against the generated validators', () => {
    expect(lines.length).toBeGreaterThan(40);
    const invalid = lines.filter((l) => {
      const d = findEventDescriptor(l.type);
      return d === undefined || !d.validate(l.data);
    });
    expect(invalid).toEqual([]);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  it('records the whole story: first pipeline.started, the guard retry, the tool approval order, streaming, the subpipeline, last pipeline.completed', () => {
    const types = lines.map((l) => l.type);
    const root = lines[0]?.data.pipeline_run_id;
    expect(types[0]).toBe('pipeline.started');
    expect(types.at(-1)).toBe('pipeline.completed');
    expect(lines.at(-1)?.data.pipeline_run_id).toBe(root);
    expect(types.filter((t) => t.startsWith('guard_retry.'))).toEqual([
      'guard_retry.attempt',
      'guard_retry.scheduled',
      'guard_retry.recovered',
    ]);
    expect(types.filter((t) => t.startsWith('tool.') || t.startsWith('approval.'))).toEqual([
      'tool.invoked',
      'approval.requested',
      'approval.decided',
      'tool.started',
      'tool.completed',
    ]);
    expect(types).toContain('stream.queue_closed');
    expect(types.filter((t) => t.startsWith('pipeline.spawned_child') || t.startsWith('pipeline.child_'))).toEqual([
      'pipeline.spawned_child',
      'pipeline.child_completed',
    ]);
    expect(types.filter((t) => t === 'pipeline.wide')).toHaveLength(2);
    expect(lines.filter((l) => l.type === 'tool.invoked')[0]?.data.pipeline_run_id).toBe(root);
  });

  it('produces a snapshot that `stageflow-events validate` accepts', async () => {
    const validated = await runCli(['validate', join(dir, 'out', 'events.ndjson')]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toMatch(/(\d+) payloads in 1 file: \1 valid, 0 invalid/);
  });

  it('works in a fresh temporary directory without --out and removes it when it ends, saying so', async () => {
    const r = await runCli(['demo']);
    expect(r.code).toBe(0);
    const path = /snapshot: (.+)\n/.exec(r.stdout)?.[1] ?? '';
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(r.stdout).toContain('temporary directory removed when the demo ends; --out <dir> keeps them');
    expect(existsSync(join(path, '..'))).toBe(false);
  });

  it('rejects unknown arguments with exit code 2', async () => {
    const r = await runCli(['demo', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stageflow-events demo: unknown option '--bogus'");
    expect(r.stderr).toContain("run 'stageflow-events demo --help' for usage");
    const missing = await runCli(['demo', '--out']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("stageflow-events demo: option '--out <dir>' argument missing");
  });
});

describe('stageflow-events demo --store', () => {
  it('also delivers every event to an embedded SQLite store and accounts for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-store-test-'));
    try {
      const db = join(dir, 'events.db');
      const r = await runCli(['demo', '--out', dir, '--store', `sqlite:${db}`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const total = Number(/\n {2}total\s+(\d+)\n/.exec(r.stdout)?.[1]);
      expect(total).toBeGreaterThan(0);
      expect(r.stdout).toContain(`store: sqlite:${db}: delivered ${total}, dead-lettered 0, dropped 0`);
      const back = await runCli(['replay', '--from', `sqlite:${db}`, '--format', 'json']);
      expect(back.code).toBe(0);
      expect(JSON.parse(back.stdout)).toMatchObject({ read: total, replayed: total, invalid: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a store it does not know with exit code 2', async () => {
    const r = await runCli(['demo', '--store', 'mysql://x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "stageflow-events demo: --store: expected sqlite:<path>, postgres://... or redis://..., got 'mysql://x'",
    );
  });
});
