import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/cli/commands/report.js';
import { buildReportModel, renderReportHtml } from '../../src/report/index.js';
import type { ReportEvent } from '../../src/report/index.js';
import type { PipelineRunResult } from '../../src/pipeline/index.js';
import { openChromium } from '../helpers/chromium.js';
import { EXPECTED_BARS, appendBadLines, recordReportRun } from '../helpers/report-run.js';

// where this test leaves its screenshot (gitignored)
const OUTPUT = join(process.cwd(), 'test-output', 'report-browser');

describe('the HTML run report in headless Chromium', () => {
  let dir: string;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  let result: PipelineRunResult;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let reportUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    const snapshot = join(dir, 'events.ndjson');
    result = await recordReportRun(snapshot);
    appendBadLines(snapshot);
    const out = join(dir, 'report.html');
    await writeReport(snapshot, out, { title: 'report fixture' });
    reportUrl = pathToFileURL(out).href;
    browser = await openChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(reportUrl);
    await page.waitForSelector('body[data-ready="true"]');
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([reportUrl]);
  });

  it('draws one bar per stage attempt with its status, the child run nested under its spawning stage', async () => {
    const bars = await page.$$eval('.stage-bar', (els) =>
      els.map((e) => ({
        bar: `${e.getAttribute('data-stage')}#${e.getAttribute('data-attempt')} ${e.getAttribute('data-status')} ${e.getAttribute('data-kind')}`,
        run: e.getAttribute('data-run'),
        classes: e.className,
      })),
    );
    expect(bars.map((b) => b.bar).sort()).toEqual([...EXPECTED_BARS].sort());
    for (const b of bars) expect(b.classes).toContain(b.bar.split(' ')[1]);
    // rows: the child run's head row comes right after its spawning stage's row, indented
    const labels = await page.$$eval('#timeline .row .label', (els) => els.map((e) => e.textContent ?? ''));
    const act = labels.indexOf('act');
    expect(labels[act + 1]).toMatch(/^↳ child_summary · completed/);
    expect(labels.slice(act + 2, act + 4)).toEqual(['inner_a', 'inner_b']);
    expect(labels).toContain('fetch ↻ 2 (retry)');
    expect(labels).toContain('guard ↻ 2 (guard retry)');
    const colours = await page.$$eval('.stage-bar[data-stage="charge"]', (els) =>
      els.map(
        (e) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e)
            .backgroundColor,
      ),
    );
    expect(colours).toEqual(['rgb(214, 69, 69)']);
  });

  it('shows the run outcome, error summary and correlation ids', async () => {
    const details = await page.textContent('#details-body');
    expect(details).toContain(result.pipelineRunId);
    expect(details).toContain('charge');
    expect(details).toContain('card declined');
    expect(details).toContain('1b4e28ba-2fa1-41d2-883f-0016d3cca427');
    expect(await page.textContent('#run-error')).toMatch(/retryable\s*false/);
  });

  it('shows the payload behind a bar and behind a marker when clicked', async () => {
    await page.click('.stage-bar[data-stage="fetch"][data-attempt="1"]');
    const payload = JSON.parse((await page.textContent('#payload')) ?? 'null') as { type: string; data: unknown }[];
    expect(payload.map((p) => p.type)).toEqual(['stage.fetch.started', 'stage.retry_scheduled']);
    expect(payload[1]?.data).toMatchObject({ stage: 'fetch', error: 'connection reset by peer' });
    // markers of events in the same instant form one cluster; its panel lists each event
    await page.click('.marker[data-types~="approval.requested"]');
    const shown = JSON.parse((await page.textContent('#payload')) ?? 'null') as unknown;
    const list = (Array.isArray(shown) ? shown : [shown]) as { type: string; data: unknown }[];
    expect(list.find((p) => p.type === 'approval.requested')).toMatchObject({
      data: { stage: 'act', tool_name: 'refund' },
    });
  });

  it('lists percentiles, families and the invalid lines of the input, and saves a screenshot', async () => {
    expect(await page.$$eval('#durations-body tr', (rows) => rows.length)).toBe(7);
    expect(await page.textContent('#families-body')).toContain('guard_retry');
    const findings = await page.$$eval('#findings-body tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatch(/tool\.invoked.*must have required property/);
    expect(findings[1]).toMatch(/corrupt line.*invalid JSON/);
    mkdirSync(OUTPUT, { recursive: true });
    const shot = join(OUTPUT, 'report.png');
    await page.click('.stage-bar[data-stage="guard"][data-attempt="1"]');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('a report of a run with 10 000 stages in headless Chromium', () => {
  let dir: string;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  const errors: string[] = [];
  const STAGES = 10_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-large-'));
    const run = '0b1b4e6f-21c1-47f6-86f5-b380a5c994f9';
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    const events: ReportEvent[] = [
      { type: 'pipeline.started', data: { pipeline_run_id: run, pipeline_name: 'huge', timestamp: iso(0) } },
    ];
    for (let i = 0; i < STAGES; i++) {
      const stage = `s${String(i).padStart(5, '0')}`;
      events.push({ type: `stage.${stage}.started`, data: { pipeline_run_id: run, stage, timestamp: iso(i) } });
      events.push({
        type: i === STAGES - 1 ? `stage.${stage}.failed` : `stage.${stage}.completed`,
        data: { pipeline_run_id: run, stage, duration_ms: 1, timestamp: iso(i + 1) },
      });
    }
    events.push({
      type: 'pipeline.failed',
      data: {
        pipeline_run_id: run,
        error: 'last stage failed',
        error_code: 'STAGE_FAILED',
        retryable: false,
        failed_stage: `s0${STAGES - 1}`,
        duration_ms: STAGES,
        timestamp: iso(STAGES + 1),
      },
    });
    const out = join(dir, 'large.html');
    writeFileSync(out, renderReportHtml(buildReportModel(events)));
    browser = await openChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only the rows in view in the DOM and reaches the last stage by scrolling', async () => {
    expect(errors).toEqual([]);
    const rows = await page.$$eval('#timeline .row', (els) => els.length);
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(100);
    const height = await page.$eval(
      '#timeline-inner',
      (e) => (e as unknown as { style: { height: string } }).style.height,
    );
    expect(height).toBe(`${(STAGES + 1) * 22}px`);
    await page.$eval('#timeline', (e) => {
      (e as unknown as { scrollTop: number }).scrollTop = 1e9;
    });
    const last = page.locator(`.stage-bar[data-stage="s0${STAGES - 1}"]`);
    await last.waitFor();
    expect(await last.getAttribute('data-status')).toBe('failed');
    await last.click();
    expect(await page.textContent('#payload')).toContain(`stage.s0${STAGES - 1}.failed`);
    expect(await page.$$eval('#timeline .row', (els) => els.length)).toBeLessThan(100);
  });
});

describe('a report of a run whose stages are named like Object.prototype keys, in headless Chromium', () => {
  let dir: string;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  const errors: string[] = [];
  const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-hostile-'));
    const run = '__proto__';
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    const events: ReportEvent[] = [
      { type: 'pipeline.started', data: { pipeline_run_id: run, pipeline_name: 'constructor', timestamp: iso(0) } },
    ];
    HOSTILE.forEach((stage, i) => {
      events.push({ type: `stage.${stage}.started`, data: { pipeline_run_id: run, stage, timestamp: iso(i * 2) } });
      events.push({
        type: `stage.${stage}.completed`,
        data: { pipeline_run_id: run, stage, duration_ms: 1, timestamp: iso(i * 2 + 1) },
      });
    });
    events.push({
      type: 'pipeline.completed',
      data: { pipeline_run_id: run, duration_ms: 10, timestamp: iso(11) },
    });
    const out = join(dir, 'hostile.html');
    writeFileSync(out, renderReportHtml(buildReportModel(events)));
    browser = await openChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws one completed bar per stage and raises no error (input-keyed maps have no prototype)', async () => {
    expect(errors).toEqual([]);
    for (const stage of HOSTILE) {
      const bar = page.locator(`.stage-bar[data-stage="${stage}"]`);
      expect(await bar.count()).toBe(1);
      expect(await bar.getAttribute('data-status')).toBe('completed');
    }
  });
});
