import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { appendBadLines, recordReportRun } from '../helpers/report-run.js';

describe('stageflow-events report', () => {
  let dir: string;
  let clean: string;
  let bad: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    clean = join(dir, 'clean', 'events.ndjson');
    mkdirSync(join(dir, 'clean'));
    await recordReportRun(clean);
    mkdirSync(join(dir, 'bad'));
    bad = join(dir, 'bad', 'events.ndjson');
    copyFileSync(clean, bad);
    appendBadLines(bad);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one self-contained HTML file for a snapshot and exits 0 when every line is valid', async () => {
    const out = join(dir, 'r.html');
    const r = await runCli(['report', clean, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 runs, 11 stage attempts, \d+ events, 0 invalid, 0 corrupt/);
    expect(r.stdout).toContain(`report: ${out} (`);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    // nothing loads from anywhere: no src/href attributes, no URLs in the markup outside the embedded data
    const markup = html.replace(/<script id="report-data"[\s\S]*?<\/script>/, '');
    expect(markup).not.toMatch(/\s(src|href)=/);
    expect(markup).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('reads a directory of snapshots, writes report.html beside them by default and exits 1 on invalid lines', async () => {
    const r = await runCli(['report', join(dir, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 invalid, 1 corrupt/);
    expect(existsSync(join(dir, 'bad', 'report.html'))).toBe(true);
  });

  it('reads a store: the same run replayed into SQLite gives the same runs and attempts', async () => {
    const db = `sqlite:${join(dir, 'events.db')}`;
    const loaded = await runCli(['replay', clean, '--to', db]);
    expect(loaded.code).toBe(0);
    const out = join(dir, 'store.html');
    const r = await runCli(['report', db, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 runs, 11 stage attempts, \d+ events, 0 invalid, 0 corrupt/);
    expect(readFileSync(out, 'utf8')).toContain('report_fixture');
  });

  it('exits 2 with a clear message on a missing input or a bad option', async () => {
    const missing = await runCli(['report', join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ndjson' does not exist \(expected a snapshot file, a directory or a store\)/);
    const badOpt = await runCli(['report', clean, '--max-payloads', 'x']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toContain(
      "stageflow-events report: option '--max-payloads <n>' argument 'x' is invalid. expected a whole number >= 0, got 'x'.",
    );
  });
});
