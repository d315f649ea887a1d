// journey 2 as a user meets it: import the built package by name through its exports map (Node resolves a
// package's own name from inside it), and check what `npm pack` would ship
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/schemas.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};

function importInNode(code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the package exports map', () => {
  it('points every subpath at built files that exist, with types', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        expect(existsSync(join(repoRoot, target)), subpath).toBe(true);
        continue;
      }
      expect(existsSync(join(repoRoot, target.default)), `${subpath} -> ${target.default}`).toBe(true);
      expect(existsSync(join(repoRoot, target.types)), `${subpath} -> ${target.types}`).toBe(true);
    }
    expect(existsSync(join(repoRoot, pkg.bin['stageflow-events'] as string))).toBe(true);
  });

  it('lets a user import typed emitters and emit a validated event by package name', () => {
    const r = importInNode(`
      import { emitToolInvoked, findEventDescriptor } from 'stageflow-events/events';
      import { configureValidation, withEventSink } from 'stageflow-events';
      import { CollectingEventSink } from 'stageflow-events/testing';
      configureValidation({ default: 'throw' });
      const sink = new CollectingEventSink();
      withEventSink(sink, () => emitToolInvoked({ tool_name: 't', action_id: '${'cfbfe645-b49b-41e4-845e-76f3fc3ce157'}', pipeline_run_id: null, request_id: null, payload_summary: {}, behavior: null }));
      let refused = false;
      try { emitToolInvoked({ tool_name: 't', action_id: 'nope', pipeline_run_id: null, request_id: null, payload_summary: {}, behavior: null }, { sink }); } catch (e) { refused = e.code === 'event_invalid'; }
      console.log(JSON.stringify({ types: sink.types, refused, pattern: findEventDescriptor('stage.llm.started')?.type }));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ types: ['tool.invoked'], refused: true, pattern: 'stage.{name}.started' });
  });

  it('exposes the sinks, stores and runtime subpaths', () => {
    const r = importInNode(`
      const sinks = await import('stageflow-events/sinks');
      const stores = await import('stageflow-events/stores');
      const runtime = await import('stageflow-events/runtime');
      const main = await import('stageflow-events');
      console.log(JSON.stringify([typeof sinks.BackpressureAwareEventSink, typeof stores.createSqliteSink, runtime.isUuid('cfbfe645-b49b-41e4-845e-76f3fc3ce157'), typeof main.StageGraphBuilder, typeof main.replay]));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['function', 'function', true, 'function', 'function']);
  });

  it('packs dist, schemas and the docs, and no tests or sources outside dist', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const must of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/generated/index.js',
      'dist/generated/tool/tool-invoked/validate.js',
      'dist/generated/tool/tool-invoked/validate.d.ts',
      'dist/codegen/templates/emit/emit.ts.hbs',
      'dist/src/cli/main.js',
      // the demo command (`npm start`, `stageflow-events demo`) runs the compiled example pipeline
      'dist/examples/demo-pipeline/demo-pipeline.js',
      'schemas/tool/tool.invoked.v1.json',
      'README.md',
      'CHANGELOG.md',
      'package.json',
    ]) {
      expect(files, must).toContain(must);
    }
    expect(files.filter((f) => /^(test|bench|scripts|src|generated|codegen)\//.test(f))).toEqual([]);
  });
});
