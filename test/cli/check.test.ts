import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const validateReport = new Ajv2020({ strict: true }).compile(
  JSON.parse(readFileSync(join(ROOT, 'src/cli/report.schema.json'), 'utf8')) as object,
);

interface JsonReport {
  total: number;
  findings: { file: string; line: number; level: string; instancePath: string; keyword: string; message: string }[];
}

function parse(stdout: string): JsonReport {
  const r = JSON.parse(stdout) as unknown;
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r as JsonReport;
}

const GOOD = JSON.stringify({
  type: 'auth.login',
  data: JSON.parse(readFileSync(join(ROOT, 'schemas/auth/auth.login.v1.json'), 'utf8')).examples[0] as unknown,
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-check-'));
  writeFileSync(join(dir, 'good.ndjson'), `${GOOD}\n`);
  writeFileSync(join(dir, 'bad.ndjson'), `${GOOD}\n{"type":"auth.login","data":{}}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function brokenSchemas(
  edit: (read: (p: string) => Record<string, any>, write: (p: string, j: unknown) => void) => void,
): string {
  const schemas = mkdtempSync(join(dir, 'schemas-'));
  cpSync(join(ROOT, 'schemas'), schemas, { recursive: true });
  edit(
    (p) => JSON.parse(readFileSync(join(schemas, p), 'utf8')) as Record<string, any>,
    (p, j) => writeFileSync(join(schemas, p), JSON.stringify(j, null, 2)),
  );
  return schemas;
}

// codegen --check renders every output file (about 15 s on a quiet 2-core machine, four times that under load), so
// these cases get an explicit budget rather than vitest's default
describe('stageflow-events check', { timeout: 600_000 }, () => {
  it('passes on the project schemas, generated code and a valid payload file', async () => {
    const r = await runCli(['check', '--format', 'json', join(dir, 'good.ndjson')], { cwd: ROOT });
    expect(r.code).toBe(0);
    const report = parse(r.stdout);
    expect(report.findings).toEqual([]);
    expect(report.total).toBe(1);
  });

  it('fails with one exit code when a payload file is invalid, in every format', async () => {
    const bad = join(dir, 'bad.ndjson');
    const [json, junit, github, text] = await Promise.all(
      ['json', 'junit', 'github', 'text'].map((format) => runCli(['check', '--format', format, bad], { cwd: ROOT })),
    );
    if (json === undefined || junit === undefined || github === undefined || text === undefined)
      throw new Error('a run is missing');
    expect(json.code).toBe(1);
    expect(parse(json.stdout).findings.every((f) => f.line === 2)).toBe(true);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/<testsuites name="stageflow-events check" tests="2" failures="1" errors="0">/);
    expect(github.code).toBe(1);
    expect(github.stdout.split('\n').filter((l) => l.startsWith('::error ')).length).toBeGreaterThan(0);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('bad.ndjson:2: error: auth.login /');
  });

  it('lints undescribed fields, open objects and unused $defs, and reports codegen drift', async () => {
    const schemas = brokenSchemas((read, write) => {
      const login = read('auth/auth.login.v1.json');
      delete login.properties[Object.keys(login.properties)[0] as string].description;
      login.additionalProperties = true;
      write('auth/auth.login.v1.json', login);
      const defs = read('common/defs.v1.json');
      defs.$defs.NeverUsed = { description: 'nobody refers to this', type: 'string' };
      write('common/defs.v1.json', defs);
    });
    const r = await runCli(
      ['check', '--format', 'json', '--schemas', schemas, '--generated', join(ROOT, 'generated')],
      { cwd: ROOT },
    );
    expect(r.code).toBe(1);
    const report = parse(r.stdout);
    const keywords = new Set(report.findings.map((f) => f.keyword));
    for (const k of ['described', 'closed', 'unused-def', 'codegen']) expect(keywords.has(k), k).toBe(true);
    expect(report.findings.find((f) => f.keyword === 'unused-def')).toMatchObject({
      instancePath: '/$defs/NeverUsed',
      message: "definition 'NeverUsed' is not referenced by any schema",
    });
    expect(report.findings.find((f) => f.keyword === 'closed')?.file).toMatch(/auth\/auth\.login\.v1\.json$/);
  });

  it('reports every example that does not validate', async () => {
    const schemas = brokenSchemas((read, write) => {
      const login = read('auth/auth.login.v1.json');
      login.examples = [{}, { surplus: true }];
      write('auth/auth.login.v1.json', login);
    });
    const r = await runCli(['check', '--format', 'json', '--schemas', schemas], { cwd: ROOT });
    expect(r.code).toBe(1);
    const pointers = parse(r.stdout)
      .findings.filter((f) => f.keyword === 'examples')
      .map((f) => f.instancePath);
    expect(pointers.some((p) => p.startsWith('/examples/0'))).toBe(true);
    expect(pointers.some((p) => p.startsWith('/examples/1'))).toBe(true);
  });

  it('reports an event type claimed twice', async () => {
    const schemas = brokenSchemas((read, write) => {
      const copy = read('auth/auth.login.v1.json');
      copy.$id = 'https://stageflow-events.dev/schemas/auth/auth.login-copy.v1.json';
      write('auth/auth.login-copy.v1.json', copy);
    });
    const r = await runCli(['check', '--format', 'json', '--schemas', schemas], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(
      parse(r.stdout).findings.some(
        (f) => f.keyword === 'unique-type' && f.message.includes("event type 'auth.login' (v1) is already claimed by"),
      ),
    ).toBe(true);
  });

  it('says what passed: codegen fresh, schemas linted, payloads valid', async () => {
    const r = await runCli(['check', join(dir, 'good.ndjson')], { cwd: ROOT });
    expect(r.code).toBe(0);
    const count = readdirSync(join(ROOT, 'schemas'), { recursive: true }).filter((f) =>
      String(f).endsWith('.json'),
    ).length;
    expect(r.stdout).toMatch(
      new RegExp(
        `passed: generated/ is up to date \\(\\d+ files for \\d+ event types\\); ${count} schemas linted; 1 of 1 payloads valid in 1 input`,
      ),
    );
  });

  it('exits 2 when the schemas folder does not exist, naming it', async () => {
    const r = await runCli(['check', '--schemas', join(dir, 'no-such-schemas'), join(dir, 'good.ndjson')], {
      cwd: ROOT,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-schemas');
    expect(r.stderr).toContain('does not exist');
  });

  it('exits 2 for a missing payload file or an unknown option', async () => {
    expect((await runCli(['check', join(dir, 'missing.ndjson')], { cwd: ROOT })).code).toBe(2);
    expect((await runCli(['check', '--bogus'], { cwd: ROOT })).code).toBe(2);
  });
});
