// checkInputs with a pool: whatever order the workers answer in and whichever share fails, the report is the one the
// main thread alone writes for the files that could be read, and the failing file is named once
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RangePool } from '../../src/cli/check-pool.js';
import { checkRange, type RangePart } from '../../src/cli/check-range.js';
import { ReportBuilder } from '../../src/cli/findings.js';
import { checkInputs, expandInputs, type PayloadInput, shareFile } from '../../src/cli/payload-files.js';

const dir = mkdtempSync(join(tmpdir(), 'sfe-check-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// real events of 50-odd types from the reference sample
const REAL = readFileSync(new URL('../fixtures/snapshots/reference-sample.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .slice(0, 188)
  .filter((l) => l.startsWith('{"type": "') && !l.startsWith('{"type": "x-record'));

// files of about 600 KB: several 64 KiB shares each, with unknown types, broken lines and blank lines among them
function write(name: string, seed: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 1500; i++) {
    if ((i + seed) % 97 === 0) lines.push('{"type": "tool.invokd", "data": {}}');
    else if ((i + seed) % 131 === 0) lines.push('{"type": "tool.invoked", "da');
    else if ((i + seed) % 211 === 0) lines.push('');
    else lines.push(REAL[(i * 7 + seed) % REAL.length] as string);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const files = ['a.ndjson', 'b.ndjson', 'c.ndjson'].map((f, i) => write(f, i));
const options = { maxLineBytes: 8 << 20 };

async function sequential(inputs: readonly PayloadInput[]): Promise<ReportBuilder> {
  const report = new ReportBuilder(50);
  await checkInputs(inputs, report, { options, threads: 1, maxFindings: 50, onError: () => undefined });
  return report;
}

// a pool that checks in this thread but answers after a delay that varies by share, so parts come back out of order
function shufflingPool(maxFindings: number, fail?: string): RangePool {
  let n = 0;
  return {
    size: 2,
    async check(path, start, end): Promise<RangePart> {
      await new Promise((resolve) => setTimeout(resolve, (n++ * 7) % 13));
      if (path === fail) throw new Error('the disk went away');
      return checkRange(path, start, end, options, maxFindings);
    },
    async close() {},
  };
}

describe('checkInputs with workers', () => {
  const inputs = expandInputs(files, dir);

  it('merges parts that come back out of order into the report one thread writes', async () => {
    const one = await sequential(inputs);
    const report = new ReportBuilder(50);
    await checkInputs(inputs, report, {
      options,
      threads: 3,
      maxFindings: 50,
      pool: () => shufflingPool(50),
      onError: (input, e) => {
        throw new Error(`${input.display}: ${e.message}`);
      },
    });
    expect(one.findings.length).toBe(50);
    expect(one.omittedFindings).toBeGreaterThan(0);
    expect(report.build()).toEqual(one.build());
    expect([report.errors, report.warnings]).toEqual([one.errors, one.warnings]);
  });

  it('names a file whose shares fail once and still checks the files before and after it', async () => {
    const errors: string[] = [];
    const report = new ReportBuilder(10_000);
    await checkInputs(inputs, report, {
      options,
      threads: 3,
      maxFindings: 10_000,
      pool: () => shufflingPool(10_000, files[1]),
      onError: (input, e) => errors.push(`${input.display}: ${e.message}`),
    });
    expect(errors).toEqual(['b.ndjson: the disk went away']);
    const all = new ReportBuilder(10_000);
    await checkInputs(inputs, all, { options, threads: 1, maxFindings: 10_000, onError: () => undefined });
    // the main thread may have checked some of b's shares itself before a worker's failed: a and c are whole
    for (const name of ['a.ndjson', 'c.ndjson']) {
      expect(report.files.find((f) => f.file === name)).toEqual(all.files.find((f) => f.file === name));
      expect(report.findings.filter((f) => f.file === name)).toEqual(all.findings.filter((f) => f.file === name));
    }
  });

  it('names a file that is gone before it is cut into shares, and checks the rest', async () => {
    const gone = write('gone.ndjson', 3);
    const list = expandInputs([files[0] as string, gone, files[2] as string], dir);
    rmSync(gone);
    const errors: string[] = [];
    const report = new ReportBuilder(10_000);
    await checkInputs(list, report, {
      options,
      threads: 2,
      maxFindings: 10_000,
      pool: () => shufflingPool(10_000),
      onError: (input, e) => errors.push(`${input.display}: ${e.message}`),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^gone\.ndjson: .*no such file/);
    expect(report.files.map((f) => f.file)).toEqual(['a.ndjson', 'c.ndjson']);
  });

  it('starts no more workers than the shares need beside the main thread, and none for one share', async () => {
    const asked: number[] = [];
    const pool = (workers: number) => {
      asked.push(workers);
      return shufflingPool(50);
    };
    const shares = inputs.reduce((n, input) => n + shareFile(input, 64).length, 0);
    await checkInputs(inputs, new ReportBuilder(50), {
      options,
      threads: 64,
      maxFindings: 50,
      pool,
      onError: () => {},
    });
    expect(asked).toEqual([shares - 1]);
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, `${REAL.slice(0, 20).join('\n')}\n`);
    const report = new ReportBuilder(50);
    await checkInputs(expandInputs([small], dir), report, {
      options,
      threads: 8,
      maxFindings: 50,
      pool,
      onError: () => {},
    });
    expect(asked).toHaveLength(1);
    expect(report.valid).toBe(20);
  });
});
