import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { freeCores } from '../../src/cli/check-pool.js';
import { jobsFor } from '../../src/cli/commands/validate.js';
import { runCli } from '../helpers/cli.js';

const SAMPLE = new URL('../fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;

// real events of 50-odd types, and lines spoilt in every way a report distinguishes, spread over several read batches
function corpus(lines: number, seed: number): string {
  const real = readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .slice(0, 188)
    .filter((l) => l.startsWith('{"type": "') && !l.startsWith('{"type": "x-record'));
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const l = real[Math.floor(rnd() * real.length)] as string;
    const r = rnd();
    if (r < 0.03)
      out.push(l.slice(0, Math.floor(l.length / 2))); // corrupt: cut mid-line
    else if (r < 0.05)
      out.push(l.replace('"type": "', '"type": "x')); // unknown type (did you mean)
    else if (r < 0.07)
      out.push(l.replace('"data": {', '"data": {"tool_nme": 1, ')); // misspelt key
    else if (r < 0.075) out.push('');
    else if (r < 0.08) out.push('\u0000\u0001 binary');
    else if (r < 0.085)
      out.push(`${'x'.repeat(300)}`); // longer than --max-line-bytes below
    else out.push(l);
  }
  return out.join('\n');
}

function edgeCorpus(lines: number): Buffer {
  const text = corpus(lines, 5).split('\n');
  const parts: Buffer[] = [Buffer.from([0xef, 0xbb, 0xbf])];
  text.forEach((l, i) => {
    let b = Buffer.from(l);
    if (i % 97 === 5 && l.includes('"data": {"'))
      b = Buffer.concat([
        Buffer.from(l.slice(0, l.indexOf('"data": {"') + 10)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(l.slice(l.indexOf('"data": {"') + 10)),
      ]);
    parts.push(b, Buffer.from(i % 3 === 0 ? '\r\n' : '\n'));
  });
  return Buffer.concat(parts);
}

describe('validate --jobs', () => {
  let dir: string;
  let files: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sfe-jobs-'));
    const big = join(dir, 'big.ndjson');
    writeFileSync(big, `${corpus(12_000, 1)}\n`); // about 3.5 MB: several 1 MiB batches
    const gz = join(dir, 'small.ndjson.gz');
    writeFileSync(gz, gzipSync(`${corpus(900, 2)}\n`));
    const unterminated = join(dir, 'unterminated.jsonl');
    writeFileSync(unterminated, corpus(700, 3)); // no final newline
    // a byte order mark, CRLF line ends, bad UTF-8 inside strings and lines over the limit, cut into many shares
    const edges = join(dir, 'edges.ndjson');
    writeFileSync(edges, edgeCorpus(6000));
    files = [big, gz, unterminated, edges];
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['text', 'json', 'junit', 'github']) {
    it(`writes a byte-identical ${format} report with --jobs 3 as with --jobs 1 (valid, invalid and corrupt lines)`, async () => {
      const common = ['validate', '--format', format, '--max-line-bytes', '299', ...files];
      const one = await runCli([...common, '--jobs', '1'], { cwd: dir });
      const three = await runCli([...common, '--jobs', '3'], { cwd: dir });
      expect(one.code).toBe(1);
      expect(one.stdout.length).toBeGreaterThan(1000);
      expect(three.code).toBe(one.code);
      expect(three.stdout).toBe(one.stdout);
      expect(three.stderr).toBe(one.stderr);
    });
  }

  it('keeps the findings in input order and the did-you-mean hints with several workers', async () => {
    const r = await runCli(['validate', '--format', 'json', '--jobs', '2', ...files], { cwd: dir });
    const report = JSON.parse(r.stdout) as { findings: { file: string; line: number; hint?: string }[] };
    const order = report.findings.map((f) => [files.findIndex((p) => p.endsWith(f.file)), f.line]);
    const sorted = [...order].sort(
      (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
    );
    expect(order).toEqual(sorted);
    expect(report.findings.some((f) => f.hint?.startsWith('did you mean') === true)).toBe(true);
  });

  it('merges the findings cap across shares as one thread does (kept findings, omitted count)', async () => {
    const common = ['validate', '--format', 'json', '--max-line-bytes', '299', '--max-findings', '25', ...files];
    const one = await runCli([...common, '--jobs', '1'], { cwd: dir });
    const three = await runCli([...common, '--jobs', '3'], { cwd: dir });
    const report = JSON.parse(one.stdout) as { findings: unknown[]; omittedFindings: number };
    expect(report.findings).toHaveLength(25);
    expect(report.omittedFindings).toBeGreaterThan(1000);
    expect(three.stdout).toBe(one.stdout);
  });

  it('reads a plain file by offset into the report stdin gives (BOM, CRLF, bad UTF-8, long lines)', async () => {
    const path = files[3] as string;
    const asFile = await runCli(['validate', '--format', 'json', '--max-line-bytes', '299', '--jobs', '2', path], {
      cwd: dir,
    });
    const asStdin = await runCli(['validate', '--format', 'json', '--max-line-bytes', '299', '-'], {
      stdin: readFileSync(path),
    });
    const report = JSON.parse(asFile.stdout) as { findings: { keyword: string }[] };
    for (const k of ['utf8', 'too-long', 'json', 'unknown-type', 'additionalProperties'])
      expect(report.findings.map((f) => f.keyword)).toContain(k);
    expect(asStdin.stdout.replaceAll('<stdin>', 'edges.ndjson')).toBe(asFile.stdout);
  });

  it('checks stdin the same way with --jobs 2', async () => {
    const text = `${corpus(3000, 4)}\n`;
    const one = await runCli(['validate', '--jobs', '1', '-'], { stdin: text });
    const two = await runCli(['validate', '--jobs', '2', '-'], { stdin: text });
    expect(two.stdout).toBe(one.stdout);
    expect(two.code).toBe(one.code);
  });

  it('refuses a --jobs that is not a positive integer', async () => {
    const r = await runCli(['validate', '--jobs', '0', files[0] as string]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--jobs <n>' argument '0' is invalid. expected a positive integer, got '0'.");
  });

  it('defaults to the free cores for 16 MiB or more of plain files, else to the main thread', async () => {
    const file = (bytes: number) => ({ path: '/x.ndjson', display: 'x.ndjson', bytes });
    const three = async () => 3;
    expect(await jobsFor({ jobs: 2 }, [file(1 << 30)], three)).toBe(2);
    expect(await jobsFor({ jobs: undefined }, [file(8 << 20), file(8 << 20)], three)).toBe(3);
    expect(await jobsFor({ jobs: undefined }, [file(8 << 20), file((8 << 20) - 1)], three)).toBe(1);
    // stdin and pipes are read on the main thread whatever their size: they do not count
    expect(await jobsFor({ jobs: undefined }, [{ path: '-', display: '<stdin>', bytes: 1 << 30 }], three)).toBe(1);
    expect(
      await jobsFor({ jobs: undefined }, [{ path: '/p', display: 'p', bytes: 1 << 30, stream: true }], three),
    ).toBe(1);
    const free = await freeCores(20);
    expect(Number.isInteger(free) && free >= 1 && free <= availableParallelism()).toBe(true);
  });
});
