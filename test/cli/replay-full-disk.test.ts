// issue 9: replay into a recorder on a full device reports the failure and exits non-zero instead of success
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/schemas.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'sfe-replay-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stageflow-events replay --to ndjson: on a full device', () => {
  it('exits non-zero and names the failed write when the target is /dev/full', () => {
    const snapshot = join(dir, 'snapshot.ndjson');
    writeFileSync(snapshot, '{"type":"x.custom","data":{"n":1}}\n{"type":"x.custom","data":{"n":2}}\n');
    const r = spawnSync(process.execPath, [cli, 'replay', snapshot, '--no-validate', '--to', 'ndjson:/dev/full'], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/the sink failed on line 1 .*'\/dev\/full' failed: ENOSPC/);
  });
});

describe('stageflow-events replay --to ndjson: with an event JSON cannot encode', () => {
  it('names that event, still replays the good lines after it, and exits 2', () => {
    const snapshot = join(dir, 'deep.ndjson');
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    writeFileSync(
      snapshot,
      `{"type":"x.custom","data":{"n":1}}\n{"type":"x.custom","data":{"n":${deep}}}\n{"type":"x.custom","data":{"n":3}}\n`,
    );
    const out = join(dir, 'deep-out.ndjson');
    const r = spawnSync(process.execPath, [cli, 'replay', snapshot, '--no-validate', '--to', `ndjson:${out}`], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the sink failed on line 2 \(event 'x\.custom'\): Maximum call stack size exceeded/);
    expect(r.stdout).toContain('read 3, replayed 2, invalid 0, corrupt 0, skipped 0, not taken by the sink 1');
    const written = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { data: { n: number } }).data.n);
    expect(written).toEqual([1, 3]);
  });
});
