// issue 9, points 6-11: bad input becomes a finding, never stops a run, never forges report lines
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';

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
const HOSTILE = ['__proto__', 'constructor', 'prototype'];

interface JsonReport {
  total: number;
  valid: number;
  invalid: number;
  files: { file: string; total: number; valid: number; invalid: number }[];
  findings: { file: string; line: number; level: string; eventType: string | null; keyword: string; message: string }[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-hostile-'));
  chmodSync(dir, 0o755);
});
afterAll(() => {
  spawnSync('chmod', ['-R', 'u+rwx', dir]);
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function json(args: readonly string[], options: { stdin?: string | Buffer; cwd?: string } = {}) {
  const r = await runCli(['validate', '--format', 'json', ...args], options);
  return { r, report: JSON.parse(r.stdout) as JsonReport };
}

// each hostile name as an event type and as keys at every level of a known event
function protoLines(): string[] {
  return [
    ...HOSTILE.map((t) => JSON.stringify({ type: t, data: {} })),
    `{"type":"tool.invoked","data":{"__proto__":{"x":1},"constructor":{"prototype":1},"prototype":null}}`,
    `{"type":"tool.invoked","data":${JSON.stringify({ ...TOOL_INVOKED, payload_summary: JSON.parse('{"__proto__":{"polluted":1},"constructor":2}') })}}`,
    `{"__proto__":{"type":"tool.invoked"},"type":"tool.invoked","data":${JSON.stringify(TOOL_INVOKED)}}`,
    good,
  ];
}

describe('prototype pollution (point 6)', () => {
  it('validate: __proto__, constructor and prototype as types are unknown types, as keys are extra keys, and later lines still validate', async () => {
    const p = file('proto.ndjson', `${protoLines().join('\n')}\n`);
    const { r, report } = await json([p]);
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ total: 7, valid: 3, invalid: 4 });
    for (const [i, t] of HOSTILE.entries())
      expect(report.findings.filter((f) => f.line === i + 1)).toMatchObject([
        { keyword: 'unknown-type', eventType: t },
      ]);
    const keys = report.findings.filter((f) => f.line === 4 && f.keyword === 'additionalProperties');
    expect(keys.map((f) => f.message).sort()).toEqual([
      "must NOT have additional properties: '__proto__'",
      "must NOT have additional properties: 'constructor'",
      "must NOT have additional properties: 'prototype'",
    ]);
    expect(report.findings.filter((f) => f.line >= 5)).toEqual([]);
  });

  it('check: the same lines give the same payload findings', async () => {
    const p = file('proto-check.ndjson', `${protoLines().join('\n')}\n`);
    // an empty schemas folder: codegen --check is skipped, only the payloads are checked (a missing one is a usage error)
    mkdirSync(join(dir, 'no-schemas'), { recursive: true });
    const r = await runCli(
      ['check', '--format', 'json', '--schemas', 'no-schemas', '--generated', 'none-generated', p],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({ total: 7, valid: 3, invalid: 4 });
    expect(report.findings.filter((f) => f.file.endsWith('proto-check.ndjson') && f.line >= 5)).toEqual([]);
  });

  it('replay: prints the hostile types as drift and still replays the valid event after them', async () => {
    const p = file('proto-replay.ndjson', `${protoLines().join('\n')}\n`);
    const r = await runCli(['replay', '--format', 'json', p]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { replayed: number; drift: Record<string, { count: number }> };
    expect(out.replayed).toBe(3);
    for (const t of HOSTILE) expect(Object.hasOwn(out.drift, t)).toBe(true);
  });
});

describe('deep nesting (point 7)', () => {
  it('makes a line nested 100,000 levels deep one finding and checks the next line', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const p = file(
      'deep.ndjson',
      `${[
        `{"type":"tool.invoked","data":${deep}}`,
        `{"type":${deep}}`,
        `{"type":"tool.invoked","data":{"tool_name":${deep}}}`,
        good,
      ].join('\n')}\n`,
    );
    const { r, report } = await json([p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(report).toMatchObject({ total: 4, valid: 1, invalid: 3 });
    for (const line of [1, 2, 3]) expect(report.findings.filter((f) => f.line === line).length).toBeGreaterThan(0);
    for (const format of ['text', 'junit', 'github'])
      expect((await runCli(['validate', '--format', format, p])).code).toBe(1);
  });
});

describe('unbounded input (point 8)', () => {
  it('cuts a 3 MB event type to 200 characters in every format and prints the report', async () => {
    const huge = 'x'.repeat(3 << 20);
    const p = file('huge-type.ndjson', `${JSON.stringify({ type: huge, data: {} })}\n${good}\n`);
    const { r, report } = await json([p]);
    expect(r.code).toBe(1);
    expect(report.findings[0]?.eventType?.length).toBeLessThan(250);
    expect(r.stdout.length).toBeLessThan(10_000);
    const text = await runCli(['validate', p]);
    expect(text.stdout).toContain(`(${3 << 20} characters)`);
    expect(text.stdout.length).toBeLessThan(10_000);
    const replayed = await runCli(['replay', p]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout.length).toBeLessThan(10_000);
  });

  it('replay lists at most 1000 drift types and says how many more invalid events there were', async () => {
    const p = file(
      'many-types.ndjson',
      `${Array.from({ length: 1200 }, (_, i) => JSON.stringify({ type: `t${i}.x`, data: {} })).join('\n')}\n`,
    );
    const r = await runCli(['replay', p]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('drift '))).toHaveLength(1000);
    expect(r.stdout).toContain('drift: 200 more invalid events of types not listed');
  });
});

describe('escaping (point 9)', () => {
  const forged = 'evil\u001b[31m\nforged.ndjson:99: error: fake\r\u0007\u009b\u2028x';
  const line = `${JSON.stringify({ type: forged, data: {} })}\n`;
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

  it('text: one finding is one line, with ESC and newlines escaped', async () => {
    const r = await runCli(['validate', file('esc.ndjson', line)]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('evil\\u001b[31m\\u000aforged.ndjson:99');
    expect(raw.test(r.stdout)).toBe(false);
    const replayed = await runCli(['replay', file('esc-replay.ndjson', line)]);
    expect(raw.test(replayed.stdout)).toBe(false);
    expect(replayed.stdout.split('\n').filter((l) => l.includes('forged'))).toHaveLength(1);
  });

  it('github: no raw control character in the annotation', async () => {
    const r = await runCli(['validate', '--format', 'github', file('esc-gh.ndjson', line)]);
    expect(raw.test(r.stdout)).toBe(false);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(1);
  });

  it('junit: control characters are escaped, not dropped', async () => {
    const r = await runCli(['validate', '--format', 'junit', file('esc-junit.ndjson', line)]);
    expect(raw.test(r.stdout.replace(/\n/g, ''))).toBe(false);
    expect(r.stdout).toContain('evil\\u001b[31m');
  });

  it('json: escaped, one line, and the type reads back exactly', async () => {
    const r = await runCli(['validate', '--format', 'json', file('esc-json.ndjson', line)]);
    expect(raw.test(r.stdout.trimEnd())).toBe(false);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect((JSON.parse(r.stdout) as JsonReport).findings[0]?.eventType).toBe(forged);
  });
});

describe('inputs (point 10)', () => {
  it('reads a gzipped JSON array file as an array', async () => {
    const p = file('array.json.gz', gzipSync(`[\n  ${good},\n  {"type":"tool.invoked","data":{}}\n]\n`));
    const { r, report } = await json([p]);
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    expect(report.findings.every((f) => f.line === 3)).toBe(true);
  });

  it('ignores a UTF-8 byte order mark at the start of an NDJSON or JSON array file', async () => {
    const nd = await json([file('bom.ndjson', `\ufeff${good}\n${good}\n`)]);
    expect(nd.r.code).toBe(0);
    expect(nd.report).toMatchObject({ total: 2, valid: 2 });
    const arr = await json([file('bom.json', `\ufeff[${good}]\n`)]);
    expect(arr.r.code).toBe(0);
    expect(arr.report).toMatchObject({ total: 1, valid: 1 });
  });

  it('reads a FIFO and a process substitution <(cmd) as a stream', async () => {
    const fifo = join(dir, 'events.fifo');
    spawnSync('mkfifo', [fifo]);
    const child = spawn('sh', ['-c', `printf '%s\\n' '${good}' > '${fifo}'`]);
    const { r, report } = await json([fifo]);
    child.kill();
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ total: 1, valid: 1 });
    const src = file('subst.ndjson', `${good}\n${good}\n`);
    const bash = spawnSync('bash', ['-c', `'${process.execPath}' '${CLI}' validate --format json <(cat '${src}')`], {
      encoding: 'utf8',
    });
    expect(bash.status).toBe(0);
    expect(JSON.parse(bash.stdout)).toMatchObject({ total: 2, valid: 2 });
  });

  it('names a self-referencing symbolic link as a loop, exit 2', async () => {
    const link = join(dir, 'loop.ndjson');
    symlinkSync(link, link);
    const r = await runCli(['validate', link]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('symbolic link');
    expect(r.stderr).not.toContain('no such file');
  });

  it('validates the rest of a directory with an unreadable subdirectory, names it, exit 2, no stack trace', async () => {
    file('tree/a.ndjson', `${good}\n`);
    file('tree/locked/b.ndjson', `${good}\n`);
    file('tree/z.ndjson', `${good}\n`);
    chmodSync(join(dir, 'tree/locked'), 0o000);
    // root reads any directory: run the CLI as nobody then
    const asRoot = process.getuid?.() === 0;
    const r = await new Promise<CliResult>((resolve) => {
      const c = spawn(process.execPath, [CLI, 'validate', '--format', 'json', 'tree'], {
        cwd: dir,
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (b: Buffer) => (stdout += b));
      c.stderr.on('data', (b: Buffer) => (stderr += b));
      c.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    chmodSync(join(dir, 'tree/locked'), 0o755);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tree/locked: permission denied');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 2, valid: 2 });
  });

  it('refuses - given twice with a usage message, exit 2', async () => {
    const r = await runCli(['validate', '-', '-'], { stdin: `${good}\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin (-) can be given only once');
  });

  it('treats a file of only blank lines like an empty file: an empty-file error, exit 1', async () => {
    const blank = await json([file('blank.ndjson', '\n\n  \n')]);
    expect(blank.r.code).toBe(1);
    expect(blank.report.findings.filter((f) => f.keyword === 'empty-file')).toHaveLength(1);
    const empty = await json([file('empty.ndjson', '')]);
    expect(empty.r.code).toBe(1);
    expect(empty.report.findings.filter((f) => f.keyword === 'empty-file')).toHaveLength(1);
  });
});

describe('invalid UTF-8 (point 11)', () => {
  it('reports bad bytes inside a string as a utf8 finding, on short lines and on lines that span read chunks', async () => {
    const [before, after] = JSON.stringify({ type: 'tool.invoked', data: { ...TOOL_INVOKED, tool_name: 'ab' } }).split(
      '"ab"',
    ) as [string, string];
    const bad = Buffer.concat([Buffer.from(`${before}"a`), Buffer.from([0xff, 0xc3]), Buffer.from(`b"${after}\n`)]);
    const genuine = `${JSON.stringify({ type: 'tool.invoked', data: { ...TOOL_INVOKED, tool_name: 'a\ufffdb' } })}\n`;
    const long = JSON.stringify({ ...TOOL_INVOKED, payload_summary: { q: 'y'.repeat(3 << 20) } }).replace(
      '"search_docs"',
      '"search\u0001docs"',
    );
    const longBad = Buffer.from(`{"type":"tool.invoked","data":${long}}\n`);
    longBad[longBad.indexOf(1)] = 0xfe;
    const p = file('utf8.ndjson', Buffer.concat([bad, Buffer.from(genuine), longBad, Buffer.from(`${good}\n`)]));
    const { r, report } = await json([p]);
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ total: 4, valid: 2, invalid: 2 });
    expect(report.findings.filter((f) => f.keyword === 'utf8').map((f) => f.line)).toEqual([1, 3]);
    const arr = await json([
      file('utf8.json', Buffer.concat([Buffer.from('[\n'), bad.subarray(0, -1), Buffer.from('\n]\n')])),
    ]);
    expect(arr.r.code).toBe(1);
    expect(arr.report.findings).toMatchObject([{ keyword: 'utf8', line: 2 }]);
  });
});
