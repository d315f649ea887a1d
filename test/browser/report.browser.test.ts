import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/cli/commands/report.js';
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
