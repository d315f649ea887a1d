import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/replay.js';
import type { CommandIo } from '../../src/cli/io.js';

const SAMPLE = new URL('../fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;
const tool = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .find((l) => l.includes('"type": "tool.completed"')) as string;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-cli-replay-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(stdin = ''): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    write: (c) => stdout.push(c),
    writeErr: (c) => stderr.push(c),
    stdin: Readable.from([stdin]),
    stderrIsTty: false,
    cwd: dir,
  };
}

describe('stageflow-events replay', () => {
  it('replays a clean snapshot into an ndjson recorder and exits 0', async () => {
    writeFileSync(join(dir, 'in.ndjson'), `${tool}\n${tool}\n`);
    const c = io();
    expect(await run(['in.ndjson', '--to', 'ndjson:out/events.ndjson'], c)).toBe(0);
    expect(c.stdout).toEqual(['in.ndjson: read 2, replayed 2, invalid 0, corrupt 0, skipped 0']);
    const recorded = readFileSync(join(dir, 'out/events.ndjson'), 'utf8').trim().split('\n');
    expect(recorded.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2]);
  });

  it('prints corrupt lines with their numbers and drift per type, and exits 1', async () => {
    writeFileSync(join(dir, 'in.ndjson'), `${tool}\n{oops\n${tool.replace('"data": {', '"data": {"extra": 1, ')}\n`);
    const c = io();
    expect(await run(['in.ndjson'], c)).toBe(1);
    expect(c.stdout[0]).toMatch(/^in\.ndjson:2: corrupt line skipped: invalid JSON/);
    expect(c.stdout[1]).toBe("drift 'tool.completed': 1 invalid; fields: /extra (1)");
    expect(c.stdout[2]).toBe('in.ndjson: read 3, replayed 1, invalid 1, corrupt 1, skipped 0');
  });

  it('prints a JSON summary with --format json and filters with --type and --run', async () => {
    const runId = (JSON.parse(tool) as { data: { pipeline_run_id: string } }).data.pipeline_run_id;
    const c = io();
    expect(await run([SAMPLE, '--format', 'json', '--type', 'tool.*', '--run', runId, '--no-validate'], c)).toBe(0);
    const summary = JSON.parse(c.stdout[0] as string) as { replayed: number; skipped: number; read: number };
    expect(summary.replayed).toBeGreaterThan(0);
    expect(summary.replayed + summary.skipped).toBe(summary.read);
  });

  it('reads stdin with -', async () => {
    const c = io(`${tool}\n`);
    expect(await run(['-'], c)).toBe(0);
    expect(c.stdout).toEqual(['-: read 1, replayed 1, invalid 0, corrupt 0, skipped 0']);
  });

  it('exits 2 on usage errors and unreadable files, naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [[], /expected one input file \(or - for stdin\), or --from <store>/],
      [['a', 'b'], /too many arguments for 'replay'. Expected 1 argument but got 2/],
      [
        ['a', '--speed', 'fast'],
        /option '--speed <n>' argument 'fast' is invalid. expected a positive number, got 'fast'/,
      ],
      [
        ['a', '--format', 'xml'],
        /option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json/,
      ],
      [
        ['a', '--to', 'kafka:x'],
        /unknown sink target 'kafka:x' \(expected ndjson:<path>, sqlite:<path>, postgres:\/\/\.\.\., or redis:\/\/\.\.\.\)/,
      ],
      [['a', '--bogus'], /^stageflow-events replay: unknown option '--bogus'$/],
      [['a', '--formt', 'json'], /unknown option '--formt'; did you mean --format\?/],
      [['missing.ndjson'], /cannot read '.*missing\.ndjson'/],
    ];
    for (const [argv, message] of cases) {
      const c = io();
      expect(await run(argv, c)).toBe(2);
      expect(c.stderr[0]).toMatch(message);
    }
  });

  it('prints usage with --help and exits 0', async () => {
    const c = io();
    expect(await run(['--help'], c)).toBe(0);
    expect(c.stdout.join('')).toMatch(/^Usage: stageflow-events replay \[options\] \[file\]/);
    expect(c.stdout.join('')).toContain('Examples:');
  });
});
