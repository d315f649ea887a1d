import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/validate.js';
import type { CommandIo } from '../../src/cli/io.js';
import { TOOL_INVOKED } from '../helpers/payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'sfe-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.ndjson');
writeFileSync(file, `${JSON.stringify({ type: 'tool.invoked', data: TOOL_INVOKED })}\n`.repeat(50));

describe('validate progress bar', () => {
  it('draws a bar on a terminal stderr and clears it at the end, without touching stdout', async () => {
    const out: string[] = [];
    const raw: string[] = [];
    const c: CommandIo = {
      out: (l) => void out.push(l),
      err: () => undefined,
      write: (x) => void out.push(x),
      writeErr: (x) => void raw.push(x),
      stdin: Readable.from([]),
      stderrIsTty: true,
      cwd: dir,
    };
    expect(await run([file], c)).toBe(0);
    expect(raw.some((x) => /\[#+\.*\] +\d+% [\d.]+ MB .*events\.ndjson/.test(x))).toBe(true);
    expect(raw.at(-1)).toBe('\r\u001b[2K');
    expect(out.join('\n')).toMatch(/50 payloads in 1 file: 50 valid, 0 invalid/);
    expect(out.join('\n')).not.toContain('\u001b');
  });

  it('writes nothing extra to stderr when it is not a terminal', async () => {
    const raw: string[] = [];
    const errs: string[] = [];
    const c: CommandIo = {
      out: () => undefined,
      err: (l) => void errs.push(l),
      write: () => undefined,
      writeErr: (x) => void raw.push(x),
      stdin: Readable.from([]),
      stderrIsTty: false,
      cwd: dir,
    };
    expect(await run([file], c)).toBe(0);
    expect(raw).toEqual([]);
    expect(errs).toEqual([]);
  });
});
