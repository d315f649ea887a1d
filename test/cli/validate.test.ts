import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const SAMPLE = new URL('../fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;
const reportSchema = JSON.parse(
  readFileSync(new URL('../../src/cli/report.schema.json', import.meta.url), 'utf8'),
) as object;
const validateReport = new Ajv2020({ allErrors: true, strict: true }).compile(reportSchema);

const TOOL_INVOKED = {
  tool_name: 'search_docs',
  action_id: 'cfbfe645-b49b-41e4-845e-76f3fc3ce157',
  pipeline_run_id: null,
  request_id: null,
  timestamp: '2026-11-25T17:49:11.762381+00:00',
  payload_summary: { query: 'reset password' },
  behavior: 'support',
};
const good = JSON.stringify({ type: 'tool.invoked', data: TOOL_INVOKED });
const { tool_name: _dropped, ...WITHOUT_TOOL_NAME } = TOOL_INVOKED;
const misspelt = JSON.stringify({
  type: 'tool.invoked',
  data: { ...WITHOUT_TOOL_NAME, tool_nme: 'x', action_id: 'not-a-uuid' },
});

interface JsonReport {
  total: number;
  valid: number;
  invalid: number;
  files: { file: string; total: number; valid: number; invalid: number }[];
  findings: {
    file: string;
    line: number;
    level: string;
    eventType: string | null;
    instancePath: string;
    keyword: string;
    message: string;
    hint?: string;
    expected?: string;
    got?: string;
  }[];
}

function parseReport(stdout: string): JsonReport {
  const report = JSON.parse(stdout) as unknown;
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  return report as JsonReport;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-validate-'));
  // only the first 188 sample lines are real events; the rest are the reference's x-record side channel
  writeFileSync(join(dir, 'real.ndjson'), `${readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 188).join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('stageflow-events validate', () => {
  it('accepts every real reference event with exit code 0 and prints only a summary to stdout', async () => {
    const r = await runCli(['validate', join(dir, 'real.ndjson')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('188 payloads in 1 file: 188 valid, 0 invalid');
    expect(r.stderr).toBe('');
  });

  it('reports every bad line with its number and keeps checking the others', async () => {
    const lines = [
      good,
      'not json at all',
      '',
      '[1,2]',
      '"a string"',
      '\u0000\u0001\u0002garbage\u00ff',
      good,
      JSON.stringify({ data: {} }),
      misspelt,
      good,
    ];
    const p = file('bad.ndjson', lines.join('\n'));
    const r = await runCli(['validate', '--format', 'json', p]);
    expect(r.code).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.total).toBe(9);
    expect(report.valid).toBe(3);
    expect(report.invalid).toBe(6);
    const at = (line: number): string[] => report.findings.filter((f) => f.line === line).map((f) => f.keyword);
    expect(at(2)).toEqual(['json']);
    expect(at(3)).toEqual(['empty-line']);
    expect(at(4)).toEqual(['envelope']);
    expect(at(5)).toEqual(['envelope']);
    expect(at(6)).toEqual(['json']);
    expect(report.findings.find((f) => f.line === 6)?.message).toBe('binary data, not JSON');
    expect(at(8)).toEqual(['envelope']);
    expect(at(9).sort()).toEqual(['additionalProperties', 'format', 'required']);
    // the file ends without a newline: a warning on the last line, which was still checked
    expect(report.findings.find((f) => f.keyword === 'newline')).toMatchObject({ line: 10, level: 'warning' });
  });

  it('names the expected and found values and suggests the declared key for a misspelt one', async () => {
    const p = file('misspelt.ndjson', `${misspelt}\n`);
    const r = await runCli(['validate', p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "misspelt.ndjson:1: error: tool.invoked /tool_nme: must NOT have additional properties: 'tool_nme' (expected no other properties, got 'tool_nme'); did you mean 'tool_name'?",
    );
    expect(r.stdout).toContain(
      'tool.invoked /action_id: must match format "uuid" (expected format uuid, got "not-a-uuid")',
    );
    expect(r.stdout).toContain("tool.invoked /tool_name: must have required property 'tool_name'");
  });

  it('suggests the nearest event type for an unknown one, and --allow-unknown makes it a warning', async () => {
    const p = file(
      'unknown.ndjson',
      `${JSON.stringify({ type: 'tool.invokd', data: TOOL_INVOKED })}\n${JSON.stringify({ type: 'stage.llm.complete', data: {} })}\n`,
    );
    const strict = await runCli(['validate', '--format', 'json', p]);
    expect(strict.code).toBe(1);
    const hints = parseReport(strict.stdout).findings.map((f) => [f.keyword, f.level, f.hint]);
    expect(hints).toEqual([
      ['unknown-type', 'error', "did you mean 'tool.invoked'?"],
      ['unknown-type', 'error', "did you mean 'stage.llm.completed'?"],
    ]);
    const lenient = await runCli(['validate', '--allow-unknown', '--format', 'json', p]);
    expect(lenient.code).toBe(0);
    const report = parseReport(lenient.stdout);
    expect(report.valid).toBe(2);
    expect(report.findings.every((f) => f.level === 'warning')).toBe(true);
  });

  it('reports a line over the size limit without buffering it and checks the next line', async () => {
    const huge = `{"type":"tool.invoked","data":{"tool_name":"${'x'.repeat(10 * 1024 * 1024)}"}}`;
    const p = file('huge.ndjson', `${good}\n${huge}\n${misspelt}\n`);
    const r = await runCli(['validate', '--format', 'json', p]);
    expect(r.code).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.findings.find((f) => f.line === 2)).toMatchObject({ keyword: 'too-long', level: 'error' });
    expect(report.findings.some((f) => f.line === 3 && f.keyword === 'format')).toBe(true);
    expect(report.total).toBe(3);
  });

  it('reports an empty file as an error finding', async () => {
    const p = file('empty.ndjson', '');
    const r = await runCli(['validate', '--format', 'json', p]);
    expect(r.code).toBe(1);
    expect(parseReport(r.stdout).findings).toMatchObject([{ keyword: 'empty-file', line: 0, level: 'error' }]);
  });

  it('reads stdin when the input is -', async () => {
    const r = await runCli(['validate', '--format', 'json', '-'], { stdin: `${good}\n${misspelt}\n` });
    expect(r.code).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.files).toEqual([{ file: '<stdin>', total: 2, valid: 1, invalid: 1 }]);
  });

  it('gunzips compressed input, by file and on stdin', async () => {
    const gz = gzipSync(`${good}\n${misspelt}\n`);
    const p = file('events.ndjson.gz', gz);
    const fromFile = parseReport((await runCli(['validate', '--format', 'json', p])).stdout);
    expect([fromFile.total, fromFile.valid, fromFile.invalid]).toEqual([2, 1, 1]);
    const fromStdin = parseReport((await runCli(['validate', '--format', 'json', '-'], { stdin: gz })).stdout);
    expect([fromStdin.total, fromStdin.valid, fromStdin.invalid]).toEqual([2, 1, 1]);
  });

  it('reads every .ndjson, .jsonl, .json and .gz file of a directory recursively, sorted, and ignores other files', async () => {
    file('tree/b.ndjson', `${good}\n`);
    file('tree/a.jsonl', `${good}\n${good}\n`);
    file('tree/sub/c.json', `[\n  ${good},\n  ${misspelt}\n]\n`);
    file('tree/sub/d.ndjson.gz', gzipSync(`${good}\n`));
    file('tree/notes.txt', 'not a payload file');
    const r = await runCli(['validate', '--format', 'json', 'tree'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.files.map((f) => [f.file, f.total])).toEqual([
      ['tree/a.jsonl', 2],
      ['tree/b.ndjson', 1],
      ['tree/sub/c.json', 2],
      ['tree/sub/d.ndjson.gz', 1],
    ]);
    // a JSON array element is reported on the line where it starts
    expect(report.findings.filter((f) => f.file === 'tree/sub/c.json').every((f) => f.line === 3)).toBe(true);
  });

  it('reads a .json file as one JSON document: a pretty-printed event, an array, or one warning for anything else', async () => {
    file('doc/one-event.json', `${JSON.stringify({ type: 'tool.invoked', data: TOOL_INVOKED }, null, 2)}\n`);
    file('doc/bad-event.json', `\n${JSON.stringify(JSON.parse(misspelt), null, 2)}\n`);
    file('doc/config.json', `${JSON.stringify({ name: 'x', version: '1.0.0' }, null, 2)}\n`);
    file('doc/number.json', '42\n');
    const r = await runCli(['validate', '--format', 'json', 'doc'], { cwd: dir });
    const report = parseReport(r.stdout);
    expect(report.files.map((f) => [f.file, f.total, f.valid, f.invalid])).toEqual([
      ['doc/bad-event.json', 1, 0, 1],
      ['doc/config.json', 0, 0, 0],
      ['doc/number.json', 0, 0, 0],
      ['doc/one-event.json', 1, 1, 0],
    ]);
    expect(report.findings.filter((f) => f.keyword === 'json')).toEqual([]);
    // the bad event's findings point at the line where its document starts
    expect(report.findings.filter((f) => f.file === 'doc/bad-event.json').every((f) => f.line === 2)).toBe(true);
    const neither = report.findings.filter((f) => f.keyword === 'not-events');
    expect(neither.map((f) => [f.file, f.level])).toEqual([
      ['doc/config.json', 'warning'],
      ['doc/number.json', 'warning'],
    ]);
    expect(neither[0]?.message).toContain('neither an event nor an array of events');
    expect(r.code).toBe(1);
  });

  it('expands a glob given in quotes', async () => {
    file('glob/x.ndjson', `${good}\n`);
    file('glob/y.ndjson', `${good}\n`);
    file('glob/z.txt', 'skip');
    const report = parseReport((await runCli(['validate', '--format', 'json', 'glob/*.ndjson'], { cwd: dir })).stdout);
    expect(report.files.map((f) => f.file)).toEqual(['glob/x.ndjson', 'glob/y.ndjson']);
  });

  it('validates bare payloads with --schema, by exact type, concrete pattern type and template', async () => {
    const bare = file(
      'bare.ndjson',
      `${JSON.stringify(TOOL_INVOKED)}\n${JSON.stringify({ ...TOOL_INVOKED, behavior: 3 })}\n`,
    );
    const r = await runCli(['validate', '--schema', 'tool.invoked', '--format', 'json', bare]);
    expect(r.code).toBe(1);
    expect(parseReport(r.stdout).findings).toMatchObject([
      { line: 2, eventType: 'tool.invoked', instancePath: '/behavior', keyword: 'type' },
    ]);
    const stage = file(
      'stage-bare.ndjson',
      `${JSON.stringify({ stage: 'llm', status: 'completed', duration_ms: 5 })}\n`,
    );
    for (const type of ['stage.llm.completed', 'stage.{name}.completed']) {
      const s = await runCli(['validate', '--schema', type, '--format', 'json', stage]);
      expect(parseReport(s.stdout).findings.every((f) => f.eventType === type)).toBe(true);
    }
  });

  it('exits 2 for an unknown --schema type and suggests the nearest one', async () => {
    const r = await runCli(['validate', '--schema', 'tool.invokd', join(dir, 'real.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no schema claims event type 'tool.invokd'; did you mean 'tool.invoked'?");
  });

  it('exits 2 on an unknown flag, a missing file, a bad --format and no input', async () => {
    for (const args of [
      ['--nope', 'x'],
      [join(dir, 'missing.ndjson')],
      ['--format', 'xml', join(dir, 'real.ndjson')],
      [],
    ]) {
      const r = await runCli(['validate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^stageflow-events validate: /);
    }
  });

  it('prints JUnit XML with one suite per file and one failing case per invalid payload', async () => {
    const p = file('junit.ndjson', `${good}\n${misspelt}\nnope\n`);
    const r = await runCli(['validate', '--format', 'junit', p]);
    expect(r.code).toBe(1);
    const xml = r.stdout;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml.match(/<testsuites /g)).toHaveLength(1);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuites name="stageflow-events validate" tests="3" failures="2" errors="0">/);
    expect(xml).toContain('name="line 2: tool.invoked"');
    expect(xml).toContain('name="1 valid payload"');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });

  it('prints GitHub workflow annotations with escaped properties', async () => {
    const p = file('gh.ndjson', `${misspelt}\n`);
    const r = await runCli(['validate', '--format', 'github', p]);
    expect(r.code).toBe(1);
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(3);
    expect(annotations.every((l) => /^::error file=[^,]*gh\.ndjson,line=1,title=tool\.invoked \w+::/.test(l))).toBe(
      true,
    );
    expect(annotations.some((l) => l.includes("did you mean 'tool_name'?"))).toBe(true);
  });

  it('writes nothing extra to stderr when stderr is not a terminal', async () => {
    const r = await runCli(['validate', '--format', 'json', join(dir, 'real.ndjson')]);
    expect(r.stderr).toBe('');
  });

  it('caps the findings it lists with --max-findings and counts the rest', async () => {
    const p = file('many.ndjson', `${'nope\n'.repeat(5)}`);
    const r = await runCli(['validate', '--format', 'json', '--max-findings', '2', p]);
    const report = JSON.parse(r.stdout) as JsonReport & { omittedFindings: number };
    expect(report.findings).toHaveLength(2);
    expect(report.omittedFindings).toBe(3);
    expect(report.invalid).toBe(5);
  });
});
