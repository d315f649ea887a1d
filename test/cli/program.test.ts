import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.js';
import type { CommandIo } from '../../src/cli/io.js';
import { TOOL_INVOKED } from '../helpers/payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-program-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CommandIo & { stdout: string; stderr: string } {
  const c = {
    stdout: '',
    stderr: '',
    out: (l: string) => {
      c.stdout += `${l}\n`;
    },
    err: (l: string) => {
      c.stderr += `${l}\n`;
    },
    write: (s: string) => {
      c.stdout += s;
    },
    writeErr: (s: string) => {
      c.stderr += s;
    },
    stdin: Readable.from([]),
    stderrIsTty: false,
    cwd: dir,
  };
  return c;
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(argv, c);
  return { code, stdout: c.stdout, stderr: c.stderr };
}

const COMMANDS = ['validate', 'check', 'diff', 'replay', 'report', 'fixtures', 'codegen', 'demo', 'completion'];

describe('the stageflow-events command line', () => {
  it('prints the package version with --version and -V', async () => {
    const version = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
    for (const flag of ['--version', '-V']) {
      const r = await cli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('gives every command a full --help with examples and exit codes, exit 0', async () => {
    for (const name of COMMANDS) {
      const r = await cli(name, '--help');
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: stageflow-events ${name} `));
      expect(r.stdout, name).toContain('Examples:');
      expect(r.stderr, name).toBe('');
    }
    const viaHelp = await cli('help', 'validate');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: stageflow-events validate');
  });

  it('suggests the nearest command and exits 2 for an unknown one', async () => {
    const r = await cli('valdate', 'x.ndjson');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "stageflow-events: unknown command 'valdate'; did you mean validate?\nrun 'stageflow-events --help' for usage\n",
    );
  });

  it('prints the help on stderr and exits 2 when no command is given', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: stageflow-events [options] [command]');
  });

  it('refuses an unknown flag on every command in one style, with a suggestion, exit 2', async () => {
    for (const name of COMMANDS) {
      const r = await cli(name, '--bogus-unknown-flag');
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toBe(
        `stageflow-events ${name}: unknown option '--bogus-unknown-flag'\nrun 'stageflow-events ${name} --help' for usage\n`,
      );
    }
    const near = await cli('validate', 'x.ndjson', '--max-finding', '3');
    expect(near.stderr).toContain("unknown option '--max-finding'; did you mean --max-findings?");
  });

  it('refuses bad flag values as usage errors, exit 2', async () => {
    const r = await cli('validate', 'x.ndjson', '--max-findings', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "stageflow-events validate: option '--max-findings <n>' argument '0' is invalid. expected a positive integer, got '0'.",
    );
    const format = await cli('validate', 'x.ndjson', '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Allowed choices are text, json, junit, github.');
  });

  it('names a missing file once, without repeating the prefix or a stack trace', async () => {
    const r = await cli('replay', 'nope.ndjson');
    expect(r.code).toBe(2);
    expect(r.stderr.match(/stageflow-events replay:/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to write fixtures over an existing file with a usage error, not an internal error', async () => {
    const file = join(dir, 'taken.txt');
    writeFileSync(file, 'keep me');
    const r = await cli('fixtures', 'taken.txt');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "stageflow-events fixtures: 'taken.txt' exists and is not a folder (expected a folder to write the corpus into)\n",
    );
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('prints a bash completion script naming every command and its flags', async () => {
    const r = await cli('completion', 'bash');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o filenames -F _stageflow_events stageflow-events');
    for (const name of COMMANDS) expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/ {4}replay\) opts="[^"]*--no-validate[^"]*"/);
    const zsh = await cli('completion', 'zsh');
    expect(zsh.stdout.startsWith('autoload -U +X bashcompinit && bashcompinit\n')).toBe(true);
    expect((await cli('completion', 'fish')).code).toBe(2);
  });
});

describe('input globs', () => {
  const tree = join(dir, 'globs');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  const line = `${JSON.stringify(TOOL_INVOKED)}\n`;
  for (const f of ['a/valid.ndjson', 'a/near-invalid.ndjson', 'a/b/valid.ndjson', 'a/b/other.jsonl'])
    writeFileSync(join(tree, f), line);

  async function files(pattern: string): Promise<string[]> {
    const r = await cli('validate', '--format', 'json', pattern);
    return (JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file);
  }

  it('matches ** by whole path segments: **/valid.ndjson is not near-invalid.ndjson', async () => {
    expect(await files('globs/**/valid.ndjson')).toEqual(['globs/a/b/valid.ndjson', 'globs/a/valid.ndjson']);
  });

  it('expands braces', async () => {
    expect(await files('globs/a/{valid,b/other}.{ndjson,jsonl}')).toEqual([
      'globs/a/b/other.jsonl',
      'globs/a/valid.ndjson',
    ]);
  });
});
