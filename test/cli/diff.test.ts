import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv, ID_BASE } from '../../codegen/resolve.js';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { DiffReport } from '../../src/evolution/index.js';
import { runCli } from '../helpers/cli.js';
import { LABELLED_CHANGES, repoSchemas, type Schemas } from '../evolution/labelled-changes.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const validateReport = new Ajv2020({ strict: true }).compile(
  JSON.parse(readFileSync(join(ROOT, 'src/cli/diff-report.schema.json'), 'utf8')) as object,
);

function parse(stdout: string): DiffReport {
  const r = JSON.parse(stdout) as unknown;
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r as DiffReport;
}

function writeFolder(dir: string, schemas: Schemas): string {
  for (const [file, json] of schemas) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  }
  return dir;
}

/** The project's own validator builder (codegen's strict Ajv with our formats), one per side. */
function realValidator(schemas: Schemas): (file: string, data: unknown) => boolean {
  const ajv = createAjv();
  for (const json of schemas.values()) ajv.addSchema(json);
  return (file, data) => {
    const v = ajv.getSchema(ID_BASE + file);
    if (v === undefined) throw new Error(`no validator for ${file}`);
    return v(data) === true;
  };
}

/** Runs the CLI dispatcher in-process (the same code the binary runs) and captures what it prints. */
async function cli(args: readonly string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    out: (l) => (stdout += `${l}\n`),
    err: (l) => (stderr += `${l}\n`),
    write: (c) => (stdout += c),
    writeErr: (c) => (stderr += c),
    stdin: process.stdin,
    stderrIsTty: false,
    cwd,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

let dir: string;
let oldDir: string;
const base = repoSchemas();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-diff-'));
  oldDir = writeFolder(join(dir, 'old'), base);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stageflow-events diff on pairs of schema folders: every labelled kind of change', {
  timeout: 600_000,
}, () => {
  const oldValid = realValidator(base);
  LABELLED_CHANGES.forEach((change, i) => {
    it(`${change.kind}`, async () => {
      const next = repoSchemas();
      change.edit(next);
      const newDir = writeFolder(join(dir, `new-${i}`), next);
      const r = await runCli(['diff', '--old', oldDir, '--new', newDir, '--format', 'json', '--mode', 'full']);
      const report = parse(r.stdout);
      expect(r.code).toBe(report.verdict === 'compatible' ? 0 : 1);
      const newValid = realValidator(next);
      for (const e of change.expect) {
        const t = report.types.find(
          (x) => x.eventType === e.eventType && (e.change !== 'added' || x.change === 'added'),
        );
        if (e.change === 'unchanged') {
          expect(t).toBeUndefined();
          continue;
        }
        expect(t?.change).toBe(e.change);
        for (const d of ['backward', 'forward'] as const)
          if (!(t?.[d] === null && e.mayBeUndecided?.includes(d))) expect(t?.[d], d).toBe(e[d]);
      }
      // every printed counterexample, checked again with the project's own validators of both sides
      for (const t of report.types)
        for (const f of t.findings) {
          if (!f.decided) {
            expect(f.counterexample).toBeNull();
            continue;
          }
          const accepting = f.direction === 'backward' ? oldValid : newValid;
          const rejecting = f.direction === 'backward' ? newValid : oldValid;
          const acceptingHasIt = !(f.direction === 'backward' ? t.change === 'added' : t.change === 'removed');
          const rejectingHasIt = !(f.direction === 'backward' ? t.change === 'removed' : t.change === 'added');
          if (acceptingHasIt) expect(accepting(t.file, f.counterexample)).toBe(true);
          if (rejectingHasIt) expect(rejecting(t.file, f.counterexample)).toBe(false);
        }
    });
  });
});

describe('stageflow-events diff: modes, formats and exit codes (the built CLI)', { timeout: 120_000 }, () => {
  let optional: string;
  let required: string;
  beforeAll(() => {
    const a = repoSchemas();
    a.get('tool/tool.invoked.v1.json').required = a
      .get('tool/tool.invoked.v1.json')
      .required.filter((k: string) => k !== 'tool_name');
    optional = writeFolder(join(dir, 'optional'), a);
    required = oldDir;
  });

  it('required to optional: backward compatible (exit 0), forward breaking (exit 1), full breaking', async () => {
    const [backward, forward, full] = await Promise.all(
      (['backward', 'forward', 'full'] as const).map((mode) =>
        runCli(['diff', '--old', required, '--new', optional, '--mode', mode, '--format', 'json']),
      ),
    );
    expect(backward?.code).toBe(0);
    expect(parse(backward?.stdout ?? '').verdict).toBe('compatible');
    expect(forward?.code).toBe(1);
    const report = parse(forward?.stdout ?? '');
    expect(report.verdict).toBe('breaking');
    expect(report.types).toHaveLength(1);
    expect(report.types[0]).toMatchObject({ eventType: 'tool.invoked', backward: true, forward: false });
    expect(report.types[0]?.findings[0]).toMatchObject({ direction: 'forward', keyword: 'required' });
    expect(full?.code).toBe(1);
  });

  it('optional to required is the reverse: backward breaking with a counterexample in every format', async () => {
    const runs = await Promise.all(
      ['text', 'json', 'github', 'junit'].map((format) =>
        runCli(['diff', '--old', optional, '--new', required, '--format', format]),
      ),
    );
    const [text, json, github, junit] = runs;
    for (const r of runs) expect(r.code).toBe(1);
    expect(text?.stdout).toContain('tool.invoked v1 (tool/tool.invoked.v1.json): changed; backward breaking');
    expect(text?.stdout).toContain('x backward [required]');
    expect(text?.stdout).toContain('what to do: make it optional');
    expect(text?.stdout).toMatch(/counterexample \(data\): \{"action_id"/);
    expect(text?.stdout).toContain('verdict: breaking under backward');
    const report = parse(json?.stdout ?? '');
    expect(report.types[0]?.findings[0]?.counterexample).not.toHaveProperty('tool_name');
    expect(github?.stdout).toMatch(
      /^::error file=.*tool\/tool\.invoked\.v1\.json,title=tool\.invoked v1%3A breaks backward required::/m,
    );
    expect(junit?.stdout).toContain('<testsuites name="stageflow-events diff" tests="1" failures="1" errors="0">');
    expect(junit?.stdout).toContain('<failure message="backward ');
  });

  it('a schema stating x-compatibility none is judged compatible whatever the mode', async () => {
    const a = repoSchemas();
    a.get('tool/tool.invoked.v1.json')['x-compatibility'] = 'none';
    const b = repoSchemas();
    b.get('tool/tool.invoked.v1.json')['x-compatibility'] = 'none';
    b.get('tool/tool.invoked.v1.json').required = a
      .get('tool/tool.invoked.v1.json')
      .required.filter((k: string) => k !== 'tool_name');
    const r = await cli([
      'diff',
      '--old',
      writeFolder(join(dir, 'xc-old'), b),
      '--new',
      writeFolder(join(dir, 'xc-new'), a),
      '--format',
      'json',
      '--mode',
      'full',
    ]);
    const report = parse(r.stdout);
    expect(report.types[0]).toMatchObject({ mode: 'none', compatible: true, backward: false });
    expect(r.code).toBe(0);
  });

  it('an undecided keyword pair gives a null verdict with the reason and exit 1, never a guess', async () => {
    const a = repoSchemas();
    a.get('common/defs.v1.json').$defs.StageName.pattern = '^[^,]+$';
    const r = await cli(['diff', '--old', oldDir, '--new', writeFolder(join(dir, 'pattern'), a), '--format', 'json']);
    const report = parse(r.stdout);
    expect(r.code).toBe(1);
    expect(report.verdict).not.toBe('compatible');
    const stage = report.types.find((t) => t.eventType === 'stage.{name}.started');
    expect(stage?.backward).not.toBe(true);
    const undecided = stage?.findings.filter((f) => !f.decided) ?? [];
    for (const f of undecided) {
      expect(f.counterexample).toBeNull();
      expect(f.message).toMatch(/pattern|decide/);
    }
  });

  it('exit 2 for usage and read errors, naming what is wrong', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(join(bad, 'tool'), { recursive: true });
    writeFileSync(join(bad, 'tool', 'tool.invoked.v1.json'), '{"type": "object",\n  oops}\n');
    const runs = await Promise.all([
      runCli(['diff']),
      runCli(['diff', '--old', oldDir, '--mode', 'sideways']),
      runCli(['diff', '--old', oldDir, '--new', bad]),
      runCli(['diff', '--against', 'no-such-ref-anywhere'], { cwd: ROOT }),
      runCli(['diff', '--old', join(dir, 'missing')]),
    ]);
    for (const r of runs) expect(r.code).toBe(2);
    expect(runs[0]?.stderr).toContain('give either --old DIR or --against GIT-REF');
    expect(runs[1]?.stderr).toContain(
      "stageflow-events diff: option '--mode <mode>' argument 'sideways' is invalid. Allowed choices are backward, forward, full.",
    );
    expect(runs[2]?.stderr).toMatch(/tool\/tool\.invoked\.v1\.json: invalid JSON: .*line 2/);
    expect(runs[3]?.stderr).toContain("'no-such-ref-anywhere' is not a commit");
    expect(runs[4]?.stderr).toContain('cannot read the schemas folder');
  });
});

describe('diff --against and check --against on a scratch git repository', { timeout: 600_000 }, () => {
  let repo: string;
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: repo,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    }).toString();
  const schemaPath = (): string => join(repo, 'schemas/tool/tool.invoked.v1.json');
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'sfe-diff-git-'));
    git('init', '-q', '-b', 'main');
    cpSync(join(ROOT, 'schemas'), join(repo, 'schemas'), { recursive: true });
    git('add', '.');
    git('commit', '-qm', 'schemas');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reads the old side with git (no checkout) and proves the break with a payload', async () => {
    const clean = await runCli(['diff', '--against', 'main'], { cwd: repo });
    expect(clean.code).toBe(0);
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8'));
    schema.properties.behavior = { type: 'string', description: 'The mode, never null now.' };
    writeFileSync(schemaPath(), JSON.stringify(schema, null, 2));
    const r = await runCli(['diff', '--against', 'main', '--format', 'json'], { cwd: repo });
    expect(r.code).toBe(1);
    const report = parse(r.stdout);
    expect(report.types.map((t) => t.eventType)).toEqual(['tool.invoked']);
    const f = report.types[0]?.findings.find((x) => x.direction === 'backward');
    expect(f).toMatchObject({ instancePath: '/behavior', keyword: 'type', decided: true });
    expect(report.types[0]).toMatchObject({ backward: false, forward: true });
    // the working tree is untouched: the edit is still there, nothing was checked out
    expect(git('status', '--porcelain')).toContain('schemas/tool/tool.invoked.v1.json');
    const sub = await runCli(['diff', '--against', 'HEAD', '--new', '.'], { cwd: join(repo, 'schemas') });
    expect(sub.code).toBe(1);
  });

  it('check --against fails on an incompatible in-place edit of v1 with the finding and the counterexample', async () => {
    const r = await runCli(['check', '--against', 'main', '--generated', join(ROOT, 'generated'), '--format', 'json'], {
      cwd: repo,
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { file: string; keyword: string; message: string }[] };
    const gate = report.findings.filter((f) => f.keyword === 'compatibility');
    expect(gate.length).toBeGreaterThan(0);
    expect(gate[0]?.file).toBe('schemas/tool/tool.invoked.v1.json');
    expect(gate[0]?.message).toMatch(/breaks backward compatibility \(backward\) of v1 \[type\].*counterexample: \{/);
    const forwardOnly = await runCli(
      ['check', '--against', 'main', '--mode', 'forward', '--generated', join(ROOT, 'generated'), '--format', 'json'],
      { cwd: repo },
    );
    const fwd = JSON.parse(forwardOnly.stdout) as { findings: { keyword: string }[] };
    expect(fwd.findings.filter((f) => f.keyword === 'compatibility')).toEqual([]);
  });

  it('check --against passes the gate when the schemas did not change, and rejects a bad --mode', async () => {
    git('checkout', '-q', '--', 'schemas');
    const r = await runCli(['check', '--against', 'main', '--generated', join(ROOT, 'generated'), '--format', 'json'], {
      cwd: repo,
    });
    const report = JSON.parse(r.stdout) as { findings: { keyword: string }[] };
    expect(report.findings.filter((f) => f.keyword === 'compatibility')).toEqual([]);
    expect(r.code).toBe(0);
    const bad = await runCli(['check', '--against', 'main', '--mode', 'sideways'], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--mode <mode>' argument 'sideways' is invalid. Allowed choices are");
  });
});
